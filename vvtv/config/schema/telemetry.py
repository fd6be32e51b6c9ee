"""Typed shape of `config/telemetry-events.yaml`: events with typed, privacy-safe properties."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated
from typing import Literal

import msgspec
from msgspec import Meta

from vvtv.config.schema.frozen import ConfigStruct

ScalarPropType = Literal["string", "int", "float", "bool"]
Category = Literal[
    "funnel",
    "session",
    "presence",
    "match",
    "consent",
    "chat",
    "moderation",
    "qos",
    "cost",
    "broadcast",
]
_PYTHON_TYPES: Mapping[str, tuple[type, ...]] = {
    "string": (str,),
    "enum": (str,),
    "int": (int,),
    "float": (int, float),
    "bool": (bool,),
}
# A fixed fraction, or "qos": the rate comes from cost-tiers telemetry.qos_sampling_* (TEL-2).
Sampling = Annotated[float, Meta(ge=0, le=1)] | Literal["qos"]


class PropSpec(ConfigStruct):
    type: Literal["string", "int", "float", "bool", "enum"]
    values: tuple[str, ...] = ()
    description: str = ""


class EventSpec(ConfigStruct):
    category: Category
    description: str
    privacy: str  # what this event deliberately does not carry (TEL-3)
    source: Literal["client", "server"] = (
        "server"  # who may emit it; clients never forge server facts
    )
    sampling: Sampling = 1.0
    properties: Mapping[str, ScalarPropType | PropSpec] = msgspec.field(default_factory=dict)

    def property_type(self, name: str) -> str:
        declared = self.properties[name]
        return declared if isinstance(declared, str) else declared.type

    def allows(self, name: str, value: object) -> bool:
        """Whether `value` may be this event's property `name`: declared, of its type (a bool is
        no number), and one of its values if an enum. Whoever emits, client or server."""
        declared = self.properties.get(name)
        if declared is None or (isinstance(value, bool) and self.property_type(name) != "bool"):
            return False
        kind = self.property_type(name)
        if kind == "int" and isinstance(value, float):
            return value.is_integer()  # JSON's 2.0 is the integer 2 (as JSON Schema says)
        if not isinstance(value, _PYTHON_TYPES[kind]):
            return False
        return kind != "enum" or (isinstance(declared, PropSpec) and value in declared.values)


class TelemetryEvents(ConfigStruct):
    version: int
    events: Mapping[str, EventSpec]
    chains: Mapping[str, tuple[str, ...]] = msgspec.field(default_factory=dict)
