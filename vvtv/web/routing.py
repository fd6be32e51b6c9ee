"""Declaring routes: every HTTP route states who may use it and its request and response schemas.

`Routes` is the only way a route is added (INV-9); `undeclared_routes` finds any that slipped in
another way, and `create_app` refuses to start while one exists.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable
from collections.abc import Callable
from collections.abc import Iterable
from typing import Any
from typing import ClassVar
from typing import Literal
from typing import TypedDict
from typing import Unpack

import msgspec
import msgspec.inspect
from quart import Blueprint
from quart import Quart
from quart import Response
from quart import g
from quart import request
from quart_schema.openapi import QUART_SCHEMA_HIDDEN_ATTRIBUTE
from quart_schema.validation import QUART_SCHEMA_QUERYSTRING_ATTRIBUTE
from quart_schema.validation import QUART_SCHEMA_REQUEST_ATTRIBUTE
from quart_schema.validation import QUART_SCHEMA_RESPONSE_ATTRIBUTE
from quart_schema.validation import DataSource
from werkzeug.routing import BaseConverter
from werkzeug.routing import IntegerConverter
from werkzeug.routing import Map

from vvtv.contracts.base import INT64_MAX
from vvtv.contracts.problems import Problem
from vvtv.domain.accounts import Access
from vvtv.domain.accounts import Principal
from vvtv.domain.values import frozen
from vvtv.errors import BadRequest
from vvtv.errors import Unauthorized
from vvtv.errors import VvtvError
from vvtv.web.errors import BODY_ERRORS
from vvtv.web.errors import body_error

Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE", "WS"]

ROUTE_SPEC = "_vvtv_route_spec"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_ENCODE = msgspec.json.Encoder()


class PlainText:
    """Response marker for a non-JSON body (the Prometheus text format). A subclass, as a route's
    `response`, names the media type of its bodies (a page, files) for the published schema."""

    media_type: ClassVar[str] = "text/plain"

    def __init__(self, body: bytes, content_type: str) -> None:
        self.body = body
        self.content_type = content_type


class HexIdConverter(BaseConverter):
    """`<hexid:...>`: a 32-hex-digit id (uuid4().hex), so `/sessions/transition` is never read
    as a session id."""

    regex = "[0-9a-f]{32}"


class UrlTokenConverter(BaseConverter):
    """`<urltoken:...>`: an opaque token in a link (a call invite), URL-safe base64 characters."""

    regex = "[A-Za-z0-9_-]{1,128}"


class BoundedIntConverter(IntegerConverter):
    """`<int:...>`, bounded to what the store holds (signed 64-bit): a larger number matches no
    route, a 404, instead of reaching SQLite as an overflow, a 500. The bounds are published."""

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = 0,
        max: int | None = INT64_MAX,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits, min, max, signed)


CONVERTERS: dict[str, type[BaseConverter]] = {
    "hexid": HexIdConverter,
    "urltoken": UrlTokenConverter,
    "int": BoundedIntConverter,
}


class UnsupportedMediaType(VvtvError, status=415, code="unsupported_media_type"):
    """A body sent as another content type than the JSON the route reads."""


@frozen
class RouteSpec:
    method: Method
    rule: str
    access: Access
    response: Any  # a Struct, a union of Structs (sockets), or PlainText
    status: int
    body: Any  # a Struct, a union of Structs (sockets), or None
    query: type[msgspec.Struct] | None
    errors: tuple[int, ...]


Handler = Callable[..., Awaitable[Any]]
Decorator = Callable[[Handler], Handler]
# Establishes who is calling and refuses what `spec.access` does not allow (AUTH-3).
Guard = Callable[[RouteSpec], Awaitable[Principal | None]]


def current_principal() -> Principal:
    """The signed-in caller of this request (routes with access other than public)."""
    principal: Principal | None = g.get("principal")
    if principal is None:
        raise Unauthorized("Sign in to use this.", code="unauthenticated")
    return principal


def _error_statuses(
    access: Access,
    body: type[msgspec.Struct] | None,
    query: type[msgspec.Struct] | None,
    extra: Iterable[int],
) -> tuple[int, ...]:
    statuses = set(extra)
    if body is not None:
        statuses |= {400, 413, 415}
    if query is not None:
        statuses.add(400)
    if access != "public":
        statuses |= {401, 403}
    return tuple(sorted(statuses))


def body_required(model: type[msgspec.Struct]) -> bool:
    """Whether a request must carry a body: yes, unless the body has no fields at all (`Empty`).
    A body whose fields all have defaults is required too: sending none is more likely a client
    bug than a wish for every default (an empty OwnerCard would reset the channel's policy)."""
    return bool(model.__struct_fields__)


async def _decode(model: type[msgspec.Struct]) -> msgspec.Struct:
    raw = await request.get_data(as_text=False)
    if not raw.strip():
        if body_required(model):
            raise BadRequest("Send a JSON body: this request needs one.", code="missing_body")
        raw = b"{}"
    elif request.mimetype != "application/json":
        raise UnsupportedMediaType(
            f"Send the body as application/json, not {request.mimetype or 'nothing'}.",
            path="content-type",
        )
    try:
        return msgspec.json.decode(raw, type=model)
    except BODY_ERRORS as error:
        raise body_error(error) from None


@functools.cache
def _list_fields(model: type[msgspec.Struct]) -> frozenset[str]:
    """The query fields that take several values."""
    info = msgspec.inspect.type_info(model)
    assert isinstance(info, msgspec.inspect.StructType)
    return frozenset(
        field.encode_name
        for field in info.fields
        if isinstance(field.type, msgspec.inspect.ListType)
        or (
            isinstance(field.type, msgspec.inspect.UnionType)
            and any(isinstance(t, msgspec.inspect.ListType) for t in field.type.types)
        )
    )


def _query(model: type[msgspec.Struct]) -> msgspec.Struct:
    lists = _list_fields(model)
    # A list comes repeated (`tags=a&tags=b`, OpenAPI's default form) or comma-separated
    # (`tags=a,b`), or both; an empty value is no item.
    args: dict[str, Any] = {
        key: [item for value in request.args.getlist(key) for item in value.split(",") if item]
        if key in lists
        else request.args.get(key)
        for key in request.args
    }
    try:
        # Query values are strings: convert them (str -> int, …), strictly otherwise.
        return msgspec.convert(args, model, strict=False)
    except msgspec.ValidationError as error:
        problem = body_error(error)
        path = (problem.path or "$").replace("$.", "?", 1)
        raise BadRequest(
            problem.message.replace(problem.path or "$", path), code="invalid_query", path=path
        ) from None


def _respond(result: Any, status: int) -> Response:
    """`result` is a body, or `(body, status)` for a status other than the route's usual one."""
    if isinstance(result, tuple):
        result, status = result
    if isinstance(result, Response):
        return result
    if isinstance(result, PlainText):
        response = Response(result.body, status=status)
        response.content_type = result.content_type
        return response
    response = Response(_ENCODE.encode(result), status=status)
    response.content_type = "application/json"
    return response


class RouteOptions(TypedDict, total=False):
    """What a route may say beyond its rule and access: its usual `status`, the `errors` it
    documents, its `response` when the handler makes its own (`PlainText`, a file) and, for a
    route whose callers prove themselves otherwise (an agent's token), its own `guard`."""

    status: int
    errors: Iterable[int]
    response: Any
    guard: Guard


class Routes:
    """One context's route table: its blueprint, and the guard that runs before each route.

    A route's handler's signature is its schema. A first parameter named `body` (or `query`)
    receives the request body (or query string) decoded as the Struct it is annotated with; path
    parameters come as keyword arguments; the return annotation is the response unless the route
    names it. The caller, if signed in, is `current_principal()`."""

    def __init__(self, name: str, import_name: str, guard: Guard) -> None:
        self.blueprint = Blueprint(name, import_name)
        self._guard = guard

    def get(self, rule: str, *, access: Access, **options: Unpack[RouteOptions]) -> Decorator:
        return self.route("GET", rule, access=access, **options)

    def post(self, rule: str, *, access: Access, **options: Unpack[RouteOptions]) -> Decorator:
        return self.route("POST", rule, access=access, **options)

    def put(self, rule: str, *, access: Access, **options: Unpack[RouteOptions]) -> Decorator:
        return self.route("PUT", rule, access=access, **options)

    def delete(self, rule: str, *, access: Access, **options: Unpack[RouteOptions]) -> Decorator:
        return self.route("DELETE", rule, access=access, **options)

    def route(
        self,
        method: Method,
        rule: str,
        *,
        access: Access,
        status: int = 200,
        errors: Iterable[int] = (),
        response: Any = None,
        guard: Guard | None = None,
    ) -> Decorator:
        """Register the decorated handler as `method rule`, behind `access`."""
        check = self._guard if guard is None else guard

        def register(handler: Handler) -> Handler:
            hints = typing.get_type_hints(handler)
            body, query = hints.get("body"), hints.get("query")
            if method in _BODY_METHODS and body is None:
                raise TypeError(f"{method} {rule} needs a request body schema (INV-9)")
            spec = RouteSpec(
                method=method,
                rule=rule,
                access=access,
                response=hints["return"] if response is None else response,
                status=status,
                body=body,
                query=query,
                errors=_error_statuses(access, body, query, errors),
            )

            async def view(**path_args: Any) -> Response:
                g.principal = await check(spec)
                if spec.body is not None:
                    result = await handler(await _decode(spec.body), **path_args)
                elif spec.query is not None:
                    result = await handler(_query(spec.query), **path_args)
                else:
                    result = await handler(**path_args)
                return _respond(result, spec.status)

            view.__name__ = handler.__name__
            view.__qualname__ = handler.__qualname__
            view.__doc__ = handler.__doc__
            setattr(view, ROUTE_SPEC, spec)
            if body is not None:
                setattr(view, QUART_SCHEMA_REQUEST_ATTRIBUTE, (body, DataSource.JSON))
            if query is not None:
                setattr(view, QUART_SCHEMA_QUERYSTRING_ATTRIBUTE, query)
            documented: dict[int, tuple[type[Any], None]] = {status: (spec.response, None)}
            documented.update({code: (Problem, None) for code in spec.errors})
            setattr(view, QUART_SCHEMA_RESPONSE_ATTRIBUTE, documented)
            self.blueprint.add_url_rule(
                rule, endpoint=handler.__name__, view_func=view, methods=[method]
            )
            return handler

        return register


def route_specs(app: Quart) -> list[RouteSpec]:
    return [
        spec
        for view in app.view_functions.values()
        if (spec := getattr(view, ROUTE_SPEC, None)) is not None
    ]


def undeclared_routes(app: Quart) -> list[str]:
    """Rules served without a declared RouteSpec; quart-schema's own hidden doc routes excepted."""
    missing = []
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        if getattr(view, ROUTE_SPEC, None) is not None:
            continue
        if getattr(view, QUART_SCHEMA_HIDDEN_ATTRIBUTE, False) or getattr(
            getattr(view, "__func__", None), QUART_SCHEMA_HIDDEN_ATTRIBUTE, False
        ):
            continue
        missing.append(f"{','.join(sorted(rule.methods or ()))} {rule.rule}")
    return missing
