"""The JSON Schema of client telemetry, made from `telemetry-events.yaml`, so the published API
(and the UI's generated types) name exactly the events and properties a client may send."""

from __future__ import annotations

from typing import Any

from vvtv.config import ConfigBundle
from vvtv.config.schema.telemetry import PropSpec
from vvtv.config.schema.telemetry import ScalarPropType
from vvtv.contracts.base import INT64_MAX

# What the wire accepts for each declared property type (the Struct caps strings at 256 chars,
# integers at 64 bits).
_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string", "maxLength": 256},
    "int": {"type": "integer", "minimum": -INT64_MAX - 1, "maximum": INT64_MAX},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
}


def _property_schema(declared: ScalarPropType | PropSpec) -> dict[str, Any]:
    if isinstance(declared, PropSpec) and declared.type == "enum":
        return {"enum": list(declared.values)}
    kind = declared if isinstance(declared, str) else declared.type
    return dict(_JSON_TYPES[kind])


def client_event_schema(config: ConfigBundle) -> dict[str, Any]:
    """One alternative per client event: its name as a constant and its declared properties."""
    alternatives = []
    for name, spec in sorted(config.telemetry.events.items()):
        if spec.source != "client":
            continue
        properties = {key: _property_schema(value) for key, value in spec.properties.items()}
        alternatives.append(
            {
                "type": "object",
                "title": name,
                "description": spec.description,
                "properties": {
                    "name": {"const": name},
                    "properties": {
                        "type": "object",
                        "properties": properties,
                        "additionalProperties": False,
                    },
                    "at": {"anyOf": [{"type": "string", "format": "date-time"}, {"type": "null"}]},
                },
                "required": ["name"],
                "additionalProperties": False,
            }
        )
    return {"oneOf": alternatives}


def schema_overrides(config: ConfigBundle) -> dict[str, dict[str, Any]]:
    """Component schemas that config makes more precise than the Structs can say."""
    return {
        "TelemetryEvent": client_event_schema(config),
        "TelemetryBatch": {
            "type": "object",
            "title": "TelemetryBatch",
            "description": "Events a client reports, at most the configured number per batch.",
            "properties": {
                "events": {
                    "type": "array",
                    "items": {"$ref": "#/components/schemas/TelemetryEvent"},
                    "maxItems": config.limits.telemetry.max_batch_events,
                }
            },
            "required": ["events"],
            "additionalProperties": False,
        },
    }
