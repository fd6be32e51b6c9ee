"""Every integer the API publishes is bounded, and the server refuses what the schema refuses:
an out-of-range number is a 4xx naming its field, never a 500 from deep in the store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import msgspec
from quart.typing import TestClientProtocol as HttpClient

from vvtv.contracts.base import INT64_MAX
from vvtv.contracts.events import ClientMessage
from vvtv.contracts.events import ServerEvent


def _integers(node: Any, at: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every integer schema in a JSON Schema document, with where it is."""
    if isinstance(node, dict):
        if node.get("type") == "integer":
            yield at, node
        for key, value in node.items():
            yield from _integers(value, f"{at}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _integers(value, f"{at}[{index}]")


def _unbounded(document: Any) -> list[str]:
    return [
        at
        for at, schema in _integers(document)
        if not (-INT64_MAX - 1 <= schema.get("minimum", -(2**64)) <= INT64_MAX)
        or not (-INT64_MAX - 1 <= schema.get("maximum", 2**64) <= INT64_MAX)
    ]


async def test_every_published_integer_fits_the_store(client: HttpClient) -> None:
    """Bodies, query and path parameters, responses and socket events: each integer has a
    minimum and a maximum within signed 64 bits (what SQLite holds)."""
    document = await (await client.get("/openapi.json")).get_json()
    assert list(_integers(document)), "the probe must see the integers it checks"
    assert _unbounded(document) == []
    _, events = msgspec.json.schema_components([ServerEvent, ClientMessage])
    assert _unbounded(events) == []


async def test_an_integer_path_parameter_beyond_64_bits_matches_no_route(
    client: HttpClient,
) -> None:
    """`<int:...>` is bounded like the bodies: a 4xx, and the bound is the published one."""
    document = await (await client.get("/openapi.json")).get_json()
    [version] = document["paths"]["/lab/policies/{version}"]["get"]["parameters"]
    assert version["schema"]["maximum"] == INT64_MAX
    response = await client.get(f"/lab/policies/{INT64_MAX + 1}")
    assert response.status_code == 404
    assert (await response.get_json())["code"] == "not_found"


async def test_a_body_is_required_exactly_where_the_schema_says(client: HttpClient) -> None:
    """`requestBody.required` is what the decoder does: only a body without fields (`Empty`)
    may be left out; one whose fields all have defaults (`Logout`) may not."""
    document = await (await client.get("/openapi.json")).get_json()
    schemas = document["components"]["schemas"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody")
            if body is None:
                continue
            ref = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            has_fields = bool(schemas[ref].get("properties") or schemas[ref].get("oneOf"))
            assert body["required"] == has_fields, (method, path, ref)
