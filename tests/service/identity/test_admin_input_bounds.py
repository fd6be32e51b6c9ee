"""Huge or missing admin inputs are refused as the published schema says (400 naming the field),
never a 500: a ban's length and an audit page are bounded by config, ids by the store's 64 bits."""

from __future__ import annotations

from typing import Any

from quart.typing import TestClientProtocol as HttpClient

from tests.accounts import bearer
from tests.accounts import signup
from tests.accounts import staff
from vvtv.assembly.services import Services
from vvtv.contracts.base import INT64_MAX
from vvtv.runtime import Runtime


async def _problem(response: Any) -> tuple[int, str, str | None]:
    body = await response.get_json()
    return response.status_code, body["code"], body.get("path")


async def _schema(client: HttpClient) -> dict[str, Any]:
    document: dict[str, Any] = await (await client.get("/openapi.json")).get_json()
    return document


async def test_a_ban_longer_than_config_allows_is_a_400_not_a_500(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    """`duration_s: 1000000000000` used to overflow the ban's end time (a 500)."""
    longest = runtime.config.limits.auth.ban_max_duration_s
    document = await _schema(client)
    duration = document["components"]["schemas"]["BanRequest"]["properties"]["duration_s"]
    assert {"type": "integer", "minimum": 1, "maximum": longest} in duration["anyOf"]

    admin = await staff(services, client, "bria", "admin")
    user_id = (await signup(client, "hugo"))["user"]["id"]
    for too_long in (10**12, longest + 1, INT64_MAX, INT64_MAX + 1):
        refused = await client.post(
            "/admin/bans",
            json={"user_id": user_id, "reason": "too long", "duration_s": too_long},
            headers=bearer(admin),
        )
        assert await _problem(refused) == (400, "invalid_field", "$.duration_s"), too_long
    assert services.identity.user_view(user_id).banned_until is None
    longest_ban = await client.post(
        "/admin/bans",
        json={"user_id": user_id, "reason": "the longest", "duration_s": longest},
        headers=bearer(admin),
    )
    assert longest_ban.status_code == 201


async def test_an_audit_page_before_an_id_beyond_64_bits_is_a_400_not_a_500(
    client: HttpClient, services: Services, runtime: Runtime
) -> None:
    """`before_id=9223372036854775808` used to overflow SQLite's integer (a 500)."""
    admin = await staff(services, client, "aldo", "admin")
    beyond = await client.get(f"/admin/audit?before_id={INT64_MAX + 1}", headers=bearer(admin))
    assert await _problem(beyond) == (400, "invalid_query", "?before_id")
    largest = await client.get(f"/admin/audit?before_id={INT64_MAX}", headers=bearer(admin))
    assert largest.status_code == 200
    assert (await largest.get_json())["entries"]

    page_max = runtime.config.limits.auth.audit_page_max
    [_, limit] = (await _schema(client))["paths"]["/admin/audit"]["get"]["parameters"]
    assert limit["name"] == "limit"
    assert {"type": "integer", "minimum": 1, "maximum": page_max} in limit["schema"]["anyOf"]
    for too_many in (page_max + 1, INT64_MAX + 1):
        refused = await client.get(f"/admin/audit?limit={too_many}", headers=bearer(admin))
        assert await _problem(refused) == (400, "invalid_query", "?limit"), too_many


async def test_a_reason_is_required_where_the_schema_says_so(
    client: HttpClient, services: Services
) -> None:
    """Lifting a ban or a quarantine says why: the query parameter is published as required."""
    document = await _schema(client)
    mod = await staff(services, client, "mona", "mod")
    user_id = (await signup(client, "ivan"))["user"]["id"]
    for path in ("/admin/bans/{user_id}", "/admin/users/{user_id}/quarantine"):
        [reason] = [
            parameter
            for parameter in document["paths"][path]["delete"]["parameters"]
            if parameter["in"] == "query"
        ]
        assert (reason["name"], reason["required"]) == ("reason", True)
        refused = await client.delete(path.format(user_id=user_id), headers=bearer(mod))
        assert await _problem(refused) == (400, "invalid_query", "?reason")
    for component in ("BanRequest", "QuarantineRequest", "RoleChange"):
        assert "reason" in document["components"]["schemas"][component]["required"]


async def test_logout_without_a_body_is_refused_as_the_schema_says(client: HttpClient) -> None:
    """The schema requires a body (`{}` for this sign-in); none at all is a 400, and nothing is
    revoked."""
    document = await _schema(client)
    assert document["paths"]["/auth/logout"]["post"]["requestBody"]["required"] is True
    tokens = await signup(client, "lena")
    refused = await client.post("/auth/logout", headers=bearer(tokens))
    assert await _problem(refused) == (400, "missing_body", None)
    assert (await client.get("/me", headers=bearer(tokens))).status_code == 200
