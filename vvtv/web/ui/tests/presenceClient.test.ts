// The presence client over a socket stand-in (PRS-1, PRS-5): what it sends and when, and how it
// says everything again on a new socket or when the server lost it.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { NO_FILTERS, PresenceClient } from "../src/sdk/presence";
import type { EventSocket } from "../src/sdk/socket";
import type { ClientMessage, ModeCatalog, ServerEvent } from "../src/sdk/types";

const HEARTBEAT_S = 5;

class FakeSocket {
  sent: ClientMessage[] = [];
  open = true;
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {};
  }

  send(message: ClientMessage): boolean {
    if (this.open) this.sent.push(message);
    return this.open;
  }

  push(event: ServerEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }

  types(): string[] {
    return this.sent.map((message) => message.type);
  }
}

const catalog = {
  modes: [
    { name: "lobby", ecosystem: "hall" },
    { name: "finder", ecosystem: "hall" },
    { name: "home", ecosystem: "tv" },
  ],
} as unknown as ModeCatalog;

function client(): { socket: FakeSocket; presence: PresenceClient } {
  const socket = new FakeSocket();
  const presence = new PresenceClient(socket as unknown as EventSocket, catalog, HEARTBEAT_S);
  return { socket, presence };
}

const listQuery = {
  ecosystem: "hall",
  policy: "party" as const,
  filters: NO_FILTERS,
  cursor: null,
  limit: null,
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe("your own presence", () => {
  it("sets the given fields only: the others keep their value on the server", () => {
    const { socket, presence } = client();
    presence.set("lobby", { is_camera_on: true });
    expect(socket.sent).toEqual([
      {
        type: "presence.set",
        v: 1,
        fields: {
          presence_mode: "lobby",
          is_camera_on: true,
          visibility: null,
          capabilities: null,
          tags: null,
          language: null,
        },
      },
    ]);
    expect(presence.cameraOn("hall")).toBe(true);
  });

  it("entering a mode already joined with its camera on changes nothing", () => {
    const { socket, presence } = client();
    presence.set("lobby", { is_camera_on: true });
    presence.enter("lobby", { language: "en" });
    expect(socket.types()).toEqual(["presence.set"]);
    presence.enter("finder", { language: "en" }); // same ecosystem, another mode
    const last = socket.sent.at(-1);
    expect(last).toMatchObject({ type: "presence.set", fields: { presence_mode: "finder" } });
    expect(presence.cameraOn("hall")).toBe(true);
  });

  it("leaves every ecosystem but the mounted mode's, and starts afresh after", () => {
    const { socket, presence } = client();
    presence.set("lobby", { is_camera_on: true });
    presence.stayIn("hall");
    expect(socket.types()).toEqual(["presence.set"]);
    presence.stayIn("tv");
    expect(socket.sent.at(-1)).toEqual({ type: "presence.leave", v: 1, ecosystem: "hall" });
    expect(presence.cameraOn("hall")).toBe(false);
    presence.stayIn("tv");
    expect(socket.types().filter((type) => type === "presence.leave")).toHaveLength(1);
  });

  it("ignores a mode the catalog does not offer", () => {
    const { socket, presence } = client();
    presence.set("gone", { is_camera_on: true });
    expect(socket.sent).toEqual([]);
  });
});

describe("heartbeats", () => {
  it("beat at the configured interval while present or watching, and stop after", () => {
    const { socket, presence } = client();
    vi.advanceTimersByTime(HEARTBEAT_S * 1000 * 3);
    expect(socket.types()).toEqual([]); // nowhere: nothing to keep alive
    presence.set("lobby");
    const watch = presence.watch(listQuery);
    vi.advanceTimersByTime(HEARTBEAT_S * 1000 * 2);
    expect(socket.types().filter((type) => type === "presence.heartbeat")).toHaveLength(2);
    presence.stayIn("tv");
    vi.advanceTimersByTime(HEARTBEAT_S * 1000);
    expect(socket.types().filter((type) => type === "presence.heartbeat")).toHaveLength(3);
    watch.close();
    vi.advanceTimersByTime(HEARTBEAT_S * 1000 * 3);
    expect(socket.types().filter((type) => type === "presence.heartbeat")).toHaveLength(3);
  });
});

describe("watching", () => {
  it("subscribes, applies the room's events and unsubscribes on close", () => {
    const { socket, presence } = client();
    const watch = presence.watch(listQuery);
    expect(socket.sent[0]).toEqual({ type: "presence.subscribe", v: 1, query: listQuery });
    expect(watch.view.value.status).toBe("connecting");
    const member = {
      presence_id: "p1", user_id: "u1", handle: "ana", presence_mode: "lobby",
      is_camera_on: false, last_seen_at: "", joined_at: "", visibility: "visible" as const,
      capabilities: [], tags: [], language: null, devices: 1, quarantined_new: false,
    };
    const page = { ecosystem: "hall", members: [member], total: 1, next_cursor: null };
    socket.push({ type: "presence.snapshot", v: 1, room: "tv", page, paged: false });
    expect(watch.view.value.status).toBe("connecting"); // another room's
    socket.push({ type: "presence.snapshot", v: 1, room: "hall", page, paged: false });
    expect(watch.view.value.members.map((m) => m.handle)).toEqual(["ana"]);
    presence.forget("u1");
    expect(watch.view.value.members).toEqual([]);
    watch.close();
    expect(socket.sent.at(-1)).toEqual({ type: "presence.unsubscribe", v: 1, ecosystem: "hall" });
  });

  it("a newer watch of the same room is not ended by the older one closing", () => {
    const { socket, presence } = client();
    const older = presence.watch(listQuery);
    const newer = presence.watch({ ...listQuery, policy: "grid" });
    older.close();
    expect(socket.types()).not.toContain("presence.unsubscribe");
    newer.close();
    expect(socket.types()).toContain("presence.unsubscribe");
  });

  it("loads the next page with the cursor of the last one", () => {
    const { socket, presence } = client();
    const watch = presence.watch(listQuery);
    watch.loadMore(); // nothing more to load yet
    expect(socket.types()).toEqual(["presence.subscribe"]);
    const page = { ecosystem: "hall", members: [], total: 300, next_cursor: "c1" };
    socket.push({ type: "presence.snapshot", v: 1, room: "hall", page, paged: true });
    watch.loadMore();
    expect(socket.sent.at(-1)).toMatchObject({ query: { cursor: "c1" } });
  });

  it("a refused query says so", () => {
    const { socket, presence } = client();
    const watch = presence.watch(listQuery);
    socket.push({ type: "error", v: 1, status: 400, code: "invalid_query", message: "no", path: null, ref: null });
    expect(watch.view.value.status).toBe("refused");
  });
});

describe("saying everything again", () => {
  it("on a new socket: the fields set so far, and every query from its first page", () => {
    const { socket, presence } = client();
    socket.open = false;
    presence.set("lobby", { language: "en" });
    presence.set("lobby", { is_camera_on: true });
    const watch = presence.watch(listQuery);
    expect(socket.sent).toEqual([]);
    socket.open = true;
    socket.push({ type: "auth.ok", v: 1, user_id: "u0", access_expires_at: "" });
    expect(socket.sent).toEqual([
      {
        type: "presence.set",
        v: 1,
        fields: {
          presence_mode: "lobby",
          is_camera_on: true,
          visibility: null,
          capabilities: null,
          tags: null,
          language: "en",
        },
      },
      { type: "presence.subscribe", v: 1, query: listQuery },
    ]);
    watch.close();
  });

  it("when the server no longer knows this presence (`not_present`)", () => {
    const { socket, presence } = client();
    presence.set("lobby", { is_camera_on: true });
    socket.sent = [];
    socket.push({ type: "error", v: 1, status: 404, code: "not_present", message: "", path: null, ref: null });
    expect(socket.sent).toMatchObject([
      { type: "presence.set", fields: { presence_mode: "lobby", is_camera_on: true } },
    ]);
  });
});
