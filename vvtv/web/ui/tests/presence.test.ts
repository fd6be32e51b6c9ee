// A presence subscription's view (PRS-3, PRS-4): the snapshot, then the updates in the order they
// arrive, over event shapes from contracts/ (a small room's diffs, a large room's pages).
import { describe, expect, it } from "vitest";
import {
  applySnapshot,
  applyUpdate,
  EMPTY_VIEW,
  type PresenceMember,
  type PresenceView,
  refused,
  withoutUser,
} from "../src/sdk/presenceView";
import type { EventOf } from "../src/sdk/types";

function member(handle: string, fields: Partial<PresenceMember> = {}): PresenceMember {
  return {
    presence_id: `p-${handle}`,
    user_id: `u-${handle}`,
    handle,
    presence_mode: "lobby",
    is_camera_on: false,
    last_seen_at: "2026-01-01T00:00:00Z",
    joined_at: "2026-01-01T00:00:00Z",
    visibility: "visible",
    capabilities: [],
    tags: [],
    language: null,
    devices: 1,
    quarantined_new: false,
    ...fields,
  };
}

function snapshot(
  members: PresenceMember[],
  { paged = false, total = members.length, next = null as string | null } = {},
): EventOf<"presence.snapshot"> {
  return {
    type: "presence.snapshot",
    v: 1,
    room: "room",
    paged,
    page: { ecosystem: "room", members, total, next_cursor: next },
  };
}

function update(
  fields: Partial<Pick<EventOf<"presence.update">, "joined" | "changed" | "left" | "page">>,
  total: number,
): EventOf<"presence.update"> {
  return {
    type: "presence.update",
    v: 1,
    room: "room",
    total,
    joined: [],
    changed: [],
    left: [],
    page: null,
    ...fields,
  };
}

const handles = (view: PresenceView) => view.members.map((m) => m.handle);
const [ana, bia, caio, duda] = ["ana", "bia", "caio", "duda"].map((h) => member(h)) as [
  PresenceMember,
  PresenceMember,
  PresenceMember,
  PresenceMember,
];

describe("a small room: the whole list, then diffs", () => {
  it("starts from the snapshot, in the room's order", () => {
    const view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia]), null);
    expect(view.status).toBe("ready");
    expect(handles(view)).toEqual(["ana", "bia"]);
    expect(view.total).toBe(2);
    expect(view.nextCursor).toBeNull();
  });

  it("drops updates that come before any snapshot", () => {
    const view = applyUpdate(EMPTY_VIEW, update({ joined: [ana] }, 1));
    expect(view).toBe(EMPTY_VIEW);
  });

  it("appends who joined, replaces who changed in place, removes who left", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia]), null);
    view = applyUpdate(view, update({ joined: [caio] }, 3));
    view = applyUpdate(
      view,
      update({ changed: [member("ana", { is_camera_on: true })], left: ["p-bia"] }, 2),
    );
    expect(handles(view)).toEqual(["ana", "caio"]);
    expect(view.members[0]?.is_camera_on).toBe(true);
    expect(view.total).toBe(2);
  });

  it("applies updates in arrival order: a leave then a rejoin shows them again", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia]), null);
    view = applyUpdate(view, update({ left: ["p-ana"] }, 1));
    view = applyUpdate(view, update({ joined: [ana] }, 2));
    expect(handles(view)).toEqual(["bia", "ana"]);
  });

  it("in one update, who left goes before who joined (back under a new presence id)", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia]), null);
    const back = member("ana", { presence_id: "p-ana-2" });
    view = applyUpdate(view, update({ left: ["p-ana"], joined: [back] }, 2));
    expect(view.members.map((m) => m.presence_id)).toEqual(["p-bia", "p-ana-2"]);
  });

  it("a join it already shows is a change, never a duplicate", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana]), null);
    view = applyUpdate(view, update({ joined: [member("ana", { is_camera_on: true })] }, 1));
    expect(handles(view)).toEqual(["ana"]);
    expect(view.members[0]?.is_camera_on).toBe(true);
  });

  it("a new snapshot (the room changed size, or a new socket) starts over", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia]), null);
    view = applySnapshot(view, snapshot([caio]), null);
    expect(handles(view)).toEqual(["caio"]);
  });
});

describe("a large room: pages", () => {
  it("a page's update replaces that page and the total, not a diff", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia], { paged: true, total: 300, next: "c1" }), null);
    expect(view.paged).toBe(true);
    expect(view.nextCursor).toBe("c1");
    const page = { ecosystem: "room", members: [bia, caio], total: 301, next_cursor: "c1" };
    view = applyUpdate(view, update({ page }, 301));
    expect(handles(view)).toEqual(["bia", "caio"]);
    expect(view.total).toBe(301);
  });

  it("loading more keeps the pages before and only the last one stays live", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia], { paged: true, total: 300, next: "c1" }), null);
    view = applySnapshot(view, snapshot([caio, duda], { paged: true, total: 300, next: "c2" }), "c1");
    expect(handles(view)).toEqual(["ana", "bia", "caio", "duda"]);
    expect(view.nextCursor).toBe("c2");
    // The live page (after c1) moves on; the first page stays as it was.
    const page = { ecosystem: "room", members: [duda], total: 299, next_cursor: null };
    view = applyUpdate(view, update({ page }, 299));
    expect(handles(view)).toEqual(["ana", "bia", "duda"]);
    expect(view.nextCursor).toBeNull();
  });

  it("the same page again replaces the live one instead of appending it twice", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana], { paged: true, next: "c1" }), null);
    view = applySnapshot(view, snapshot([bia], { paged: true, next: "c2" }), "c1");
    view = applySnapshot(view, snapshot([bia, caio], { paged: true, next: "c2" }), "c1");
    expect(handles(view)).toEqual(["ana", "bia", "caio"]);
  });

  it("someone who moved into the live page is shown once, where it has them", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia], { paged: true, next: "c1" }), null);
    view = applySnapshot(view, snapshot([caio, ana], { paged: true, next: null }), "c1");
    expect(handles(view)).toEqual(["bia", "caio", "ana"]);
  });

  it("falling back under the threshold, the whole list replaces the pages", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana], { paged: true, next: "c1" }), null);
    view = applySnapshot(view, snapshot([bia], { paged: true, next: null }), "c1");
    view = applySnapshot(view, snapshot([ana, bia, caio]), "c1");
    expect(view.paged).toBe(false);
    expect(handles(view)).toEqual(["ana", "bia", "caio"]);
    view = applyUpdate(view, update({ left: ["p-bia"] }, 2));
    expect(handles(view)).toEqual(["ana", "caio"]);
  });
});

describe("blocks and refusals", () => {
  it("a blocked user leaves every page at once, and the total with them", () => {
    let view = applySnapshot(EMPTY_VIEW, snapshot([ana, bia], { paged: true, total: 4, next: "c1" }), null);
    view = applySnapshot(view, snapshot([caio, bia], { paged: true, total: 4, next: null }), "c1");
    view = withoutUser(view, "u-bia");
    expect(handles(view)).toEqual(["ana", "caio"]);
    expect(view.total).toBe(3);
    const page = { ecosystem: "room", members: [caio], total: 3, next_cursor: null };
    expect(handles(applyUpdate(view, update({ page }, 3)))).toEqual(["ana", "caio"]);
  });

  it("a refused query says why until a snapshot comes", () => {
    const view = refused(EMPTY_VIEW, "invalid_query");
    expect(view.status).toBe("refused");
    expect(view.refusal).toBe("invalid_query");
    const ready = applySnapshot(view, snapshot([ana]), null);
    expect(ready.status).toBe("ready");
    expect(ready.refusal).toBeNull();
  });
});
