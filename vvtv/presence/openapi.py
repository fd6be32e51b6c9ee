"""What config makes more precise in the published presence schemas: the contracts bound what may
reach the server at all (32 tags, pages of 500); config's `presence` section is the policy the
rooms enforce (max_tags, max_capabilities, page_size_max, max_devices_per_user), so that is what
clients are told."""

from __future__ import annotations

from typing import Any

import msgspec

from vvtv.config import ConfigBundle
from vvtv.contracts.presence import PresenceFilters
from vvtv.contracts.presence import PresenceGridQuery
from vvtv.contracts.presence import PresenceMember
from vvtv.contracts.presence import PresencePartyQuery
from vvtv.contracts.presence import PresenceQuery
from vvtv.contracts.presence import PresenceSet

REF = "#/components/schemas/{name}"


def _capped(schema: dict[str, Any], kind: str, key: str, value: int) -> dict[str, Any]:
    """A property (possibly `anyOf` with null) whose `kind` option gets `key: value`."""
    if schema.get("type") == kind:
        return dict(schema, **{key: value})
    if "anyOf" in schema:
        return dict(schema, anyOf=[_capped(option, kind, key, value) for option in schema["anyOf"]])
    return schema


def schema_overrides(config: ConfigBundle) -> dict[str, dict[str, Any]]:
    presence = config.limits.presence
    caps = {
        "tags": ("array", "maxItems", presence.max_tags),
        "capabilities": ("array", "maxItems", presence.max_capabilities),
        "limit": ("integer", "maximum", presence.page_size_max),
        "devices": ("integer", "maximum", presence.max_devices_per_user),
    }
    structs = (
        PresenceSet,
        PresenceFilters,
        PresenceQuery,
        PresencePartyQuery,
        PresenceGridQuery,
        PresenceMember,
    )
    _, components = msgspec.json.schema_components(structs, ref_template=REF)
    overrides = {}
    for struct in structs:
        name = struct.__name__
        component = components[name]
        properties = {
            field: _capped(schema, *caps[field]) if field in caps else schema
            for field, schema in component["properties"].items()
        }
        # Query parameters too: `VvtvOpenAPI` builds them from the component when there is one.
        overrides[name] = dict(component, properties=properties)
    return overrides
