// The consent client over a socket and an HTTP stand-in (CNS-1..4, OPS-5): which invites a tab
// shows, which accepted one leads it into a call, and what a `/call/:token` address stands for.
import { signal } from "@preact/signals";
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Http } from "../src/sdk/api";
import { type ConsentInvite, ConsentClient } from "../src/sdk/consent";
import type { Session } from "../src/sdk/session";
import type { EventSocket } from "../src/sdk/socket";
import type { ServerEvent } from "../src/sdk/types";

const ME = "u-me";
const PEER = "u-peer";

class FakeSocket {
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {};
  }

  push(event: ServerEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }
}

/** Answers each `METHOD path` with what `replies` holds for it (404 otherwise); records calls. */
class FakeHttp {
  calls: string[] = [];
  replies = new Map<string, unknown>();

  private reply(method: string, path: string) {
    this.calls.push(`${method} ${path}`);
    const data = this.replies.get(`${method} ${path}`);
    const ok = data !== undefined;
    const error = ok ? undefined : { status: 404, code: "not_found", message: "no" };
    return Promise.resolve({ data, error, response: { ok, status: ok ? 200 : 404 } });
  }

  GET = (path: string) => this.reply("GET", path);
  POST = (path: string) => this.reply("POST", path);
  DELETE = (path: string) => this.reply("DELETE", path);
}

function invite(change: Partial<ConsentInvite> = {}): ConsentInvite {
  return {
    id: "inv1",
    inviter_id: PEER,
    invitee_id: ME,
    status: "pending",
    created_at: "2026-01-01T00:00:00Z",
    expires_at: "2026-01-01T00:00:20Z",
    session_id: null,
    reason: null,
    inviter_handle: "peer",
    invitee_handle: "me",
    ...change,
  };
}

function request(of: ConsentInvite = invite()): ServerEvent {
  return {
    type: "consent.request",
    v: 1,
    invite: of,
    inviter_handle: "peer",
    expires_at: of.expires_at ?? "",
  } as ServerEvent;
}

function client() {
  const socket = new FakeSocket();
  const http = new FakeHttp();
  const session = { user: signal({ id: ME }) } as unknown as Session;
  const consent = new ConsentClient(
    http as unknown as Http,
    session,
    socket as unknown as EventSocket,
  );
  return { socket, http, consent };
}

const storage = new Map<string, string>();
beforeEach(() => {
  storage.clear();
  vi.stubGlobal("sessionStorage", {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
  });
});

describe("an invite to you", () => {
  it("asks with who invites and until when, then says it expired", () => {
    const { socket, consent } = client();
    socket.push(request());
    const [shown] = consent.incoming.value;
    expect(shown?.peerHandle).toBe("peer");
    expect(shown?.expiresAt).toBe(Date.parse("2026-01-01T00:00:20Z"));
    socket.push({ type: "consent.expired", v: 1, invite_id: "inv1" } as ServerEvent);
    expect(consent.incoming.value).toEqual([]);
    expect(consent.missed.value.map((state) => state.invite.status)).toEqual(["expired"]);
    consent.settle("inv1");
    expect(consent.missed.value).toEqual([]);
    expect(consent.joining.value).toBeNull(); // expiry leads nowhere (CNS-4)
  });

  it("accepted here leads this tab into the call, even when the event beats the reply", async () => {
    const { socket, http, consent } = client();
    socket.push(request());
    http.replies.set(
      "POST /consent/invites/{invite_id}/accept",
      invite({ status: "accepted", session_id: "s1" }),
    );
    const accepting = consent.accept("inv1");
    socket.push({
      type: "consent.accepted",
      v: 1,
      invite_id: "inv1",
      session_id: "s1",
    } as ServerEvent);
    expect(consent.joining.value?.invite.session_id).toBe("s1");
    await accepting;
    expect(consent.view("inv1")).toEqual({
      kind: "call",
      call: { sessionId: "s1", peerId: PEER, peerHandle: "peer" },
    });
  });

  it("answered on another device of yours: gone here, nothing to tell, nowhere to go", () => {
    const { socket, consent } = client();
    socket.push(request());
    socket.push({
      type: "consent.accepted",
      v: 1,
      invite_id: "inv1",
      session_id: "s1",
    } as ServerEvent);
    expect(consent.incoming.value).toEqual([]);
    expect(consent.missed.value).toEqual([]);
    expect(consent.joining.value).toBeNull();
  });
});

describe("a new socket", () => {
  it("asks here what waits for you, and ends what ended while it was away", async () => {
    const { socket, http, consent } = client();
    socket.push(request(invite({ id: "gone" })));
    http.replies.set("GET /consent/invites", {
      invites: [invite({ id: "gone", status: "expired" }), invite({ id: "waiting" })],
    });
    socket.push({ type: "auth.ok", v: 1 } as ServerEvent);
    await vi.waitFor(() =>
      expect(consent.incoming.value.map((state) => state.invite.id)).toEqual(["waiting"]),
    );
    expect(consent.missed.value.map((state) => state.invite.id)).toEqual(["gone"]);
    expect(consent.incoming.value[0]?.peerHandle).toBe("peer"); // the list names both ends
  });

  it("an invite from an account that is gone names no one, and still shows", async () => {
    const { socket, http, consent } = client();
    http.replies.set("GET /consent/invites", { invites: [invite({ inviter_handle: null })] });
    socket.push({ type: "auth.ok", v: 1 } as ServerEvent);
    await vi.waitFor(() => expect(consent.incoming.value.length).toBe(1));
    expect(consent.incoming.value[0]?.peerHandle).toBeNull();
  });
});

describe("the invite this tab sent", () => {
  it("calls, then says it was declined until put away; no call (CNS-3)", async () => {
    const { socket, http, consent } = client();
    http.replies.set(
      "POST /consent/invites",
      invite({ inviter_id: ME, invitee_id: PEER }),
    );
    await consent.invite(PEER, "peer");
    expect(consent.outgoing.value?.role).toBe("inviter");
    expect(consent.outgoing.value?.peerHandle).toBe("peer");
    socket.push({ type: "consent.declined", v: 1, invite_id: "inv1" } as ServerEvent);
    expect(consent.outgoing.value?.invite.status).toBe("declined");
    expect(consent.joining.value).toBeNull();
    consent.settle("inv1");
    expect(consent.outgoing.value).toBeNull();
  });

  it("another tab's invite is none of this tab's business", () => {
    const { socket, consent } = client();
    socket.push({ type: "consent.declined", v: 1, invite_id: "other" } as ServerEvent);
    expect(consent.outgoing.value).toBeNull();
    expect(consent.missed.value).toEqual([]);
  });
});

describe("a /call/:token address", () => {
  it("asks the server once about a token this tab never heard of", async () => {
    const { http, consent } = client();
    http.replies.set("GET /consent/invites", { invites: [] });
    expect(consent.view("nope")).toEqual({ kind: "looking" });
    consent.follow("nope");
    consent.follow("nope");
    await vi.waitFor(() => expect(consent.view("nope")).toEqual({ kind: "unknown" }));
    expect(http.calls).toEqual(["GET /consent/invites"]);
  });

  it("names the other end of an invite it never heard of (the invite names them)", async () => {
    const { http, consent } = client();
    http.replies.set("GET /consent/invites", {
      invites: [
        invite({ inviter_id: ME, invitee_id: PEER, inviter_handle: "me", invitee_handle: "peer" }),
      ],
    });
    consent.follow("inv1");
    await vi.waitFor(() => expect(consent.view("inv1").kind).toBe("invite"));
    const view = consent.view("inv1");
    expect(view.kind === "invite" && view.state.peerHandle).toBe("peer");
  });

  it("finds a call this tab joined again after a reload", async () => {
    const first = client();
    first.http.replies.set("GET /consent/invites", {
      invites: [invite({ status: "accepted", session_id: "s1" })],
    });
    first.consent.follow("inv1");
    await vi.waitFor(() => expect(first.consent.view("inv1").kind).toBe("call"));
    const reloaded = client(); // the server may have forgotten the invite by now
    expect(reloaded.consent.view("inv1")).toEqual({
      kind: "call",
      call: { sessionId: "s1", peerId: PEER, peerHandle: "peer" },
    });
  });
});
