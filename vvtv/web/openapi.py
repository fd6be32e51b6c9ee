"""OpenAPI generation: quart-schema's provider, taught our route specs, problem JSON, plain-text
bodies and the WS event unions (published as components so client types cover them too)."""

from __future__ import annotations

import inspect
from typing import Any
from typing import cast

import msgspec
from quart_schema.openapi import OpenAPIProvider
from quart_schema.typing import Model
from quart_schema.validation import DataSource
from werkzeug.routing import BaseConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Rule

from vvtv.contracts.events import ClientMessage
from vvtv.contracts.events import ServerEvent
from vvtv.contracts.problems import Problem
from vvtv.contracts.sessions import CreateSession
from vvtv.contracts.sessions import EndSession
from vvtv.contracts.sessions import HeartbeatAck
from vvtv.contracts.sessions import SessionHeartbeat
from vvtv.contracts.sessions import SessionView
from vvtv.contracts.sessions import TransitionResult
from vvtv.contracts.sessions import TransitionSession
from vvtv.web.routing import CONVERTERS
from vvtv.web.routing import ROUTE_SPEC
from vvtv.web.routing import PlainText
from vvtv.web.routing import RouteSpec
from vvtv.web.routing import body_required

REF = "#/components/schemas/{name}"
# app.extensions key: component schemas config makes more precise than the Structs can say.
SCHEMA_OVERRIDES = "vvtv.schema_overrides"

# Contract types published even before a route uses them, so generated clients know them.
PUBLISHED: tuple[Any, ...] = (
    ServerEvent,
    ClientMessage,
    CreateSession,
    TransitionSession,
    EndSession,
    SessionHeartbeat,
    SessionView,
    TransitionResult,
    HeartbeatAck,
)


class VvtvOpenAPI(OpenAPIProvider):
    def schema(self) -> dict[str, Any]:
        document = super().schema()
        top, components = msgspec.json.schema_components(PUBLISHED, ref_template=REF)
        document["components"]["schemas"].update(components)
        # Name the two unions so `components["schemas"]["ServerEvent"]` exists in generated types.
        document["components"]["schemas"]["ServerEvent"] = top[0]
        document["components"]["schemas"]["ClientMessage"] = top[1]
        document["components"]["schemas"].update(self._app.extensions.get(SCHEMA_OVERRIDES, {}))
        return document

    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        paths, components = super().build_paths(rule)
        spec: RouteSpec | None = getattr(self._app.view_functions[rule.endpoint], ROUTE_SPEC, None)
        if spec is not None:
            for operation in next(iter(paths.values())).values():
                operation["x-access"] = spec.access
        return paths, components

    def build_request_body(
        self, model: type[Model], source: DataSource
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        schema, components = _schema(model)
        content = {"application/json": {"schema": schema}}
        # As the route decodes it: no body at all is refused unless the body has no fields.
        required = body_required(cast(type[msgspec.Struct], model))
        return {"content": content, "required": required}, components

    def build_path_parameter(self, name: str, converter: BaseConverter) -> dict[str, Any]:
        parameter = super().build_path_parameter(name, converter)
        if isinstance(converter, IntegerConverter):
            bounds = {"minimum": converter.min, "maximum": converter.max}
            parameter["schema"].update((k, v) for k, v in bounds.items() if v is not None)
        elif type(converter) in CONVERTERS.values():
            parameter["schema"] = {"type": "string", "pattern": f"^{converter.regex}$"}
        return parameter

    def build_querystring_parameters(
        self, model: type[Model]
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """One parameter per field, `required` unless it has a default, from the component config
        made more precise when there is one (quart-schema's own loses both)."""
        component = self._app.extensions.get(SCHEMA_OVERRIDES, {}).get(model.__name__)
        if component is None:
            _, components = msgspec.json.schema_components([model], ref_template=REF)
            component = components[model.__name__]
        required = set(component.get("required", ()))
        parameters = [
            {"name": name, "in": "query", "required": name in required, "schema": schema}
            for name, schema in component["properties"].items()
        ]
        return parameters, {}

    def build_response_object(
        self, model: type[Model], headers_model: type[Model] | None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        if isinstance(model, type) and issubclass(model, PlainText):
            content = {model.media_type: {"schema": {"type": "string"}}}
            description = "Plain text." if model is PlainText else inspect.getdoc(model)
            return {"content": content, "description": description or model.__name__}, {}
        schema, components = _schema(model)
        media = "application/problem+json" if model is Problem else "application/json"
        description = inspect.getdoc(model) or model.__name__
        return {"content": {media: {"schema": schema}}, "description": description}, components


def _schema(model: type[Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A `$ref` to the model and every component it needs. (quart-schema's own msgspec path keeps
    only the first component and so loses nested Structs.)"""
    (top,), components = msgspec.json.schema_components([model], ref_template=REF)
    return top, components
