"""The presence API over HTTP, in the whole product: one query with the party and grid policies
(PRS-3, OPS-4), ecosystems kept apart (INV-5, MOD-7), who may see whom (MOD-2/4/6), refusals as
4xx with their codes, and who may call it at all."""

from __future__ import annotations

from typing import Any

import pytest
import trio.testing

from tests.service.presence.conftest import World


@pytest.mark.req("PRS-2", "PRS-3")
async def test_set_returns_your_presence_and_the_party_lists_everyone_else_in_arrival_order(
    world: World,
) -> None:
    people = await world.users("ana", "bob", "cyd", "dan")
    ana = await world.set(
        people["ana"],
        is_camera_on=True,
        capabilities=["thumb"],
        tags=["music"],
        language="pt-BR",
    )
    assert ana["user_id"] == people["ana"].id
    assert (ana["handle"], ana["presence_mode"], ana["is_camera_on"]) == ("ana", "party", True)
    assert (ana["visibility"], ana["capabilities"], ana["devices"]) == ("visible", ["thumb"], 1)
    assert ana["last_seen_at"] == ana["joined_at"]
    assert ana["presence_id"]
    # A second set changes fields and keeps the presence.
    again = await world.set(people["ana"], is_camera_on=False)
    assert again["presence_id"] == ana["presence_id"]
    assert (again["is_camera_on"], again["tags"], again["language"]) == (False, ["music"], "pt-BR")
    await world.set(people["bob"], presence_mode="sniffers")  # the same ecosystem as Party
    await world.set(people["cyd"])

    assert await world.listed(people["dan"]) == ["ana", "bob", "cyd"]
    assert await world.listed(people["ana"]) == ["bob", "cyd"]  # never yourself
    status, page = await world.get(people["dan"], "/presence/party", limit=2)
    assert (status, page["ecosystem"], page["total"]) == (200, "party", 3)
    assert [m["handle"] for m in page["members"]] == ["ana", "bob"]
    status, rest = await world.get(people["dan"], "/presence/party", cursor=page["next_cursor"])
    assert [m["handle"] for m in rest["members"]] == ["cyd"]
    assert rest["next_cursor"] is None


@pytest.mark.req("PRS-3", "OPS-4")
async def test_the_grid_filters_and_ranks_the_same_presence(world: World) -> None:
    people = await world.users("ana", "bob", "cyd", "viewer")
    await world.set(people["ana"], tags=["music"], language="pt-BR", is_camera_on=True)
    await world.set(people["bob"], presence_mode="sniffers", tags=["art"], language="en")
    await world.set(people["cyd"], tags=["art", "music"], language="pt")
    viewer = people["viewer"]

    grid = "/presence/grid"
    assert await world.listed(viewer, grid, tags="music") == ["ana", "cyd"]
    # Shared tags rank first, then cameras on; both list forms mean the same.
    assert await world.listed(viewer, grid, tags="art,music") == ["cyd", "ana", "bob"]
    assert await world.listed(viewer, grid, tags=["art", "music"]) == ["cyd", "ana", "bob"]
    assert await world.listed(viewer, grid, language="pt") == ["ana", "cyd"]
    assert await world.listed(viewer, grid, language="pt-BR") == ["ana"]
    assert await world.listed(viewer, grid, camera_on="true") == ["ana"]
    assert await world.listed(viewer, grid, camera_on="false") == ["bob", "cyd"]
    assert await world.listed(viewer, grid, modes="sniffers") == ["bob"]
    assert await world.listed(viewer, grid, tags="art", camera_on="false", language="en") == ["bob"]
    # The party policy is the same presence without filters or ranking.
    assert await world.listed(viewer) == ["ana", "bob", "cyd"]
    status, page = await world.get(viewer, grid, limit=1)
    assert (page["total"], len(page["members"])) == (3, 1)
    status, rest = await world.get(viewer, grid, limit=1, cursor=page["next_cursor"])
    assert status == 200
    assert rest["members"] != page["members"]


@pytest.mark.req("MOD-6")
async def test_new_accounts_are_marked_and_the_grid_can_show_only_them(world: World) -> None:
    people = await world.users("newbie", "viewer", old=("veteran",))
    veteran = await world.set(people["veteran"])
    newbie = await world.set(people["newbie"])
    assert (veteran["quarantined_new"], newbie["quarantined_new"]) == (False, True)
    _, page = await world.get(people["viewer"], "/presence/party")
    assert {m["handle"]: m["quarantined_new"] for m in page["members"]} == {
        "veteran": False,
        "newbie": True,
    }
    assert await world.listed(people["viewer"], "/presence/grid", new="true") == ["newbie"]


@pytest.mark.req("INV-5", "MOD-7")
async def test_party_presence_never_shows_in_live_public_and_live_public_never_in_party(
    world_listing_live_public: World,
) -> None:
    world = world_listing_live_public
    people = await world.users("ana", "bob", "viewer")
    await world.set(people["ana"], presence_mode="party")
    live = await world.set(people["bob"], presence_mode="live_public")
    viewer = people["viewer"]
    for path in ("/presence/party", "/presence/grid"):
        assert await world.listed(viewer, path) == ["ana"]
        assert await world.listed(viewer, path, ecosystem="party") == ["ana"]
        assert await world.listed(viewer, path, ecosystem="live_public") == ["bob"]
    # A segment of another ecosystem's modes is refused, not answered empty.
    status, refused = await world.get(
        viewer, "/presence/grid", ecosystem="live_public", modes="party"
    )
    assert (status, refused["code"]) == (400, "invalid_presence_query")
    # Moving to another ecosystem leaves the first at once, not after the TTL.
    moved = await world.set(people["bob"], presence_mode="party")
    assert moved["presence_id"] != live["presence_id"]
    assert await world.listed(viewer, ecosystem="live_public") == []
    assert await world.listed(viewer) == ["ana", "bob"]


@pytest.mark.req("PRS-3", "INV-5")
async def test_a_mode_whose_policy_hides_presence_lists_its_members_nowhere(
    world: World, mock_clock: trio.testing.MockClock
) -> None:
    """live_public's policies say `presence_visible: false` (mode-manifests.yaml): a member there
    is present (the set answers, heartbeats keep it) but in no list, count or diff."""
    people = await world.users("bob", "viewer")
    async with world.tab(people["viewer"]) as watcher:
        snapshot = await watcher.subscribe(ecosystem="live_public")
        assert (snapshot["page"]["members"], snapshot["page"]["total"]) == ([], 0)
        bob = await world.set(people["bob"], presence_mode="live_public")
        assert bob["presence_mode"] == "live_public"
        await world.advance(mock_clock, world.config.limits.presence.fanout_tick_ms / 1000)
        assert await watcher.settle() == []  # no diff
        for path in ("/presence/party", "/presence/grid"):
            status, page = await world.get(people["viewer"], path, ecosystem="live_public")
            assert (status, page["members"], page["total"]) == (200, [], 0)
        response = await world.client.post(
            "/presence/heartbeat", json={}, headers=people["bob"].headers
        )
        assert response.status_code == 200  # present all the same


async def test_a_hidden_member_appears_in_no_list_and_no_count(world: World) -> None:
    people = await world.users("ana", "bob", "viewer")
    await world.set(people["ana"], visibility="hidden", tags=["music"])
    await world.set(people["bob"])
    viewer = people["viewer"]
    for path in ("/presence/party", "/presence/grid"):
        _, page = await world.get(viewer, path)
        assert ([m["handle"] for m in page["members"]], page["total"]) == (["bob"], 1)
    assert await world.listed(viewer, "/presence/grid", tags="music") == []
    await world.set(people["ana"], visibility="visible")
    assert await world.listed(viewer) == ["ana", "bob"]


@pytest.mark.req("MOD-2")
async def test_a_block_hides_each_from_the_other_in_every_list_until_lifted(world: World) -> None:
    people = await world.users("ana", "bob", "cyd")
    for handle in people:
        await world.set(people[handle])
    ana, bob = people["ana"], people["bob"]
    blocked = await world.client.post(f"/blocks/{bob.id}", json={}, headers=ana.headers)
    assert blocked.status_code == 201
    for path in ("/presence/party", "/presence/grid"):
        assert await world.listed(ana, path) == ["cyd"]
        assert await world.listed(bob, path) == ["cyd"]  # blocked, not blocking: hidden too
        assert await world.listed(people["cyd"], path) == ["ana", "bob"]
    await world.client.delete(f"/blocks/{bob.id}", headers=ana.headers)
    assert await world.listed(bob) == ["ana", "cyd"]


@pytest.mark.req("MOD-4")
async def test_a_shadow_quarantined_member_is_seen_only_by_others_in_shadow_quarantine(
    world: World,
) -> None:
    people = await world.users("suspect", "accomplice", "bystander")
    mod = await world.moderator()
    for handle in ("suspect", "accomplice"):
        response = await world.client.post(
            f"/admin/users/{people[handle].id}/quarantine",
            json={"reason": "investigation"},
            headers=mod.headers,
        )
        assert response.status_code == 200
    for handle in people:
        await world.set(people[handle])
    assert await world.listed(people["bystander"]) == []
    assert await world.listed(people["accomplice"]) == ["suspect", "bystander"]
    # Nothing tells the suspect: they see everyone as before.
    assert await world.listed(people["suspect"]) == ["accomplice", "bystander"]


@pytest.mark.req("MOD-3")
async def test_a_ban_takes_the_users_presence_away_at_once(world: World) -> None:
    people = await world.users("ana", "viewer")
    mod = await world.moderator()
    await world.set(people["ana"])
    assert await world.listed(people["viewer"]) == ["ana"]
    response = await world.client.post(
        "/admin/bans", json={"user_id": people["ana"].id, "reason": "abuse"}, headers=mod.headers
    )
    assert response.status_code == 201
    assert await world.listed(people["viewer"]) == []


async def test_bad_input_is_a_400_naming_its_code_never_a_500(world: World) -> None:
    people = await world.users("ana")
    ana = people["ana"]
    limits = world.config.limits.presence
    too_many_tags = [f"t{n}" for n in range(limits.max_tags + 1)]
    posts = [
        ({"presence_mode": "nope"}, "unknown_mode", "presence_mode"),
        ({"presence_mode": "party", "tags": too_many_tags}, "invalid_presence_fields", "tags"),
        ({"presence_mode": "party", "visibility": "ghost"}, "invalid_field", "$.visibility"),
        ({"presence_mode": "party", "language": "portuguese"}, "invalid_field", "$.language"),
        ({}, "invalid_field", "$.presence_mode"),
    ]
    for body, code, path in posts:
        response = await world.client.post("/presence/set", json=body, headers=ana.headers)
        problem = await response.get_json()
        assert (response.status_code, problem["code"], problem.get("path")) == (400, code, path)
    gets = [
        ("/presence/party", {"ecosystem": "nowhere"}, "unknown_ecosystem"),
        ("/presence/party", {"limit": limits.page_size_max + 1}, "invalid_presence_query"),
        ("/presence/party", {"limit": 0}, "invalid_query"),
        ("/presence/party", {"cursor": "garbage"}, "invalid_presence_query"),
        ("/presence/grid", {"cursor": "p:1"}, "invalid_presence_query"),  # the party's cursor
        ("/presence/party", {"tags": "music"}, "invalid_query"),  # the party takes no filters
        ("/presence/grid", {"tags": ",".join(too_many_tags)}, "invalid_presence_query"),
        ("/presence/grid", {"tags": "Not A Tag"}, "invalid_query"),
        ("/presence/grid", {"camera_on": "maybe"}, "invalid_query"),
        ("/presence/grid", {"language": "portuguese"}, "invalid_query"),
        ("/presence/grid", {"modes": "nope"}, "invalid_presence_query"),
    ]
    for path, params, code in gets:
        status, problem = await world.get(ana, path, **params)
        assert (status, problem["code"]) == (400, code), (path, params, problem)
    response = await world.client.post("/presence/heartbeat", json={}, headers=ana.headers)
    assert (response.status_code, (await response.get_json())["code"]) == (404, "not_present")


async def test_anonymous_callers_get_401_on_every_presence_route(world: World) -> None:
    for method, path, body in (
        ("GET", "/presence/party", None),
        ("GET", "/presence/grid", None),
        ("POST", "/presence/set", {"presence_mode": "party"}),
        ("POST", "/presence/heartbeat", {}),
    ):
        response = await world.client.open(path, method=method, json=body)
        problem = await response.get_json()
        assert (response.status_code, problem["code"]) == (401, "unauthenticated"), path


async def test_the_published_schemas_carry_configs_presence_caps(world: World) -> None:
    """What the rooms enforce (config's presence section), not the wire's outer bounds: a client
    built from /openapi.json sends no more tags than a room takes, asks no bigger page."""
    caps = world.config.limits.presence
    document = await (await world.client.get("/openapi.json")).get_json()
    schemas = document["components"]["schemas"]

    def option(schema: dict[str, Any], kind: str) -> dict[str, Any]:
        found: dict[str, Any] = next(
            (o for o in schema.get("anyOf", [schema]) if o.get("type") == kind), {}
        )
        return found

    for name in ("PresenceSet", "PresenceFilters", "PresenceGridQuery", "PresenceMember"):
        assert option(schemas[name]["properties"]["tags"], "array")["maxItems"] == caps.max_tags
    for name in ("PresenceSet", "PresenceMember"):
        capabilities = option(schemas[name]["properties"]["capabilities"], "array")
        assert capabilities["maxItems"] == caps.max_capabilities
    for name in ("PresenceQuery", "PresencePartyQuery", "PresenceGridQuery"):
        limit = option(schemas[name]["properties"]["limit"], "integer")
        assert limit["maximum"] == caps.page_size_max
    devices = schemas["PresenceMember"]["properties"]["devices"]
    assert devices["maximum"] == caps.max_devices_per_user
    for path in ("/presence/party", "/presence/grid"):
        [limit] = [p for p in document["paths"][path]["get"]["parameters"] if p["name"] == "limit"]
        assert option(limit["schema"], "integer")["maximum"] == caps.page_size_max
