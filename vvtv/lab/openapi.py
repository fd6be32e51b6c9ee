"""What config and the decoder make more precise in the published lab schemas: the ladder names
an OwnerCard may use (the config's broadcast profiles), and the RFC 3339 shape msgspec requires
of a datetime (`format: date-time` alone lets clients and fuzzers send any string)."""

from __future__ import annotations

from typing import Any

import msgspec

from vvtv.config import ConfigBundle
from vvtv.contracts.lab import LabReport
from vvtv.contracts.lab import NewMediaItem
from vvtv.contracts.lab import OwnerCard
from vvtv.lab.settings import broadcast_renditions

REF = "#/components/schemas/{name}"
# Year 0000 is no year to the decoder (nor to the proleptic Gregorian calendar).
RFC3339 = (
    r"^([0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])[Tt]([01][0-9]|2[0-3]):[0-5][0-9]"
    r":[0-5][0-9](\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)


def _as_datetime(schema: dict[str, Any]) -> dict[str, Any]:
    """A datetime property (possibly `anyOf` with null): its string option gets the format and
    the RFC 3339 pattern the decoder enforces."""
    if schema.get("type") == "string":
        return dict(schema, format="date-time", pattern=RFC3339)
    if "anyOf" in schema:
        return dict(schema, anyOf=[_as_datetime(option) for option in schema["anyOf"]])
    return schema


# The request bodies' datetime fields, by component.
DATETIMES = {"NewMediaItem": ("rights_from", "rights_until"), "LabReport": ("at",)}


def schema_overrides(config: ConfigBundle) -> dict[str, dict[str, Any]]:
    _, components = msgspec.json.schema_components(
        [OwnerCard, NewMediaItem, LabReport], ref_template=REF
    )
    overrides = {}
    for name, fields in DATETIMES.items():
        component = components[name]
        properties = dict(component["properties"])
        properties.update({field: _as_datetime(properties[field]) for field in fields})
        overrides[name] = dict(component, properties=properties)
    card = components["OwnerCard"]
    ladder = dict(card["properties"]["ladder"])
    ladder["items"] = dict(ladder["items"], enum=sorted(broadcast_renditions(config)))
    overrides["OwnerCard"] = dict(card, properties=dict(card["properties"], ladder=ladder))
    return overrides
