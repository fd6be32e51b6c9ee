// The matching client over a socket and an HTTP stand-in (MAT-1, MAT-4, MAT-5, ABU-7): where a tab
// says you stand, from a (re)load's look and the `match.*` events, what a refusal leaves to show,
// and which tab makes the call.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { Http } from "../src/sdk/api";
import { MatchClient, type MatchState } from "../src/sdk/match";
import type { EventSocket } from "../src/sdk/socket";
import type { ServerEvent } from "../src/sdk/types";

class FakeSocket {
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {};
  }

  push(event: Record<string, unknown>): void {
    const typed = { v: 1, ...event } as ServerEvent;
    for (const handler of this.handlers.get(typed.type) ?? []) handler(typed);
  }
}

type Reply = { status: number; body: unknown };

/** Answers each `METHOD path` with the next reply queued for it; records calls and bodies. A
 * reply may be held back until `release` (to let events overtake it). */
class FakeHttp {
  calls: { call: string; body: unknown }[] = [];
  replies = new Map<string, Reply[]>();
  private held: (() => void)[] = [];
  hold = false;

  queue(call: string, status: number, body: unknown): void {
    this.replies.set(call, [...(this.replies.get(call) ?? []), { status, body }]);
  }

  release(): void {
    for (const go of this.held.splice(0)) go();
  }

  private reply(method: string, path: string, options?: { body?: unknown }) {
    const call = `${method} ${path}`;
    this.calls.push({ call, body: options?.body });
    const next = this.replies.get(call)?.shift() ?? { status: 404, body: { code: "not_found" } };
    const ok = next.status < 300;
    const result = {
      data: ok ? next.body : undefined,
      error: ok ? undefined : next.body,
      response: { ok, status: next.status },
    };
    if (!this.hold) return Promise.resolve(result);
    return new Promise((resolve) => this.held.push(() => resolve(result)));
  }

  GET = (path: string, options?: { body?: unknown }) => this.reply("GET", path, options);
  POST = (path: string, options?: { body?: unknown }) => this.reply("POST", path, options);
}

function state(change: Partial<MatchState> = {}): MatchState {
  return {
    status: "idle",
    language: null,
    tags: [],
    searching_since: null,
    cooldown_until: null,
    match_id: null,
    session_id: null,
    peer: null,
    skip_allowed_at: null,
    next_cooldown_s: 0,
    matches_left: 20,
    quarantine: null,
    ...change,
  };
}

function problem(status: number, code: string, retry: number | null = null) {
  return { status, code, message: code, path: null, retry_after_s: retry, trace_id: null };
}

function client() {
  const socket = new FakeSocket();
  const http = new FakeHttp();
  const match = new MatchClient(http as unknown as Http, socket as unknown as EventSocket);
  return { socket, http, match };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const storage = new Map<string, string>();

beforeEach(() => {
  storage.clear();
  vi.stubGlobal("sessionStorage", {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
    removeItem: (key: string) => storage.delete(key),
  });
});

describe("where you stand", () => {
  it("is read once when a screen follows it: a reload finds its call again", async () => {
    const { http, match } = client();
    http.queue(
      "GET /match/state",
      200,
      state({
        status: "in_call",
        match_id: "m1",
        session_id: "s1",
        peer: { user_id: "u-b", handle: "bruno" },
        skip_allowed_at: "2026-01-01T00:00:02Z",
      }),
    );
    expect(match.view.value.status).toBe("unknown");
    const stop = match.follow();
    const stopToo = match.follow(); // the overlay and the stage: one look
    await flush();
    expect(http.calls.map((c) => c.call)).toEqual(["GET /match/state"]);
    expect(match.view.value.status).toBe("in_call");
    expect(match.view.value.match).toEqual({
      matchId: "m1",
      sessionId: "s1",
      peerId: "u-b",
      peerHandle: "bruno",
      skipAllowedAt: Date.parse("2026-01-01T00:00:02Z"),
    });
    stop();
    stopToo();
  });

  it("says a new account is quarantined, and how, from the look (MOD-6)", async () => {
    const { http, match } = client();
    const limits = {
      account_age_days: 3,
      max_matches_per_hour: 20,
      max_video_bitrate_kbps: 300,
      max_fps: 15,
    };
    http.queue("GET /match/state", 200, state({ quarantine: limits }));
    const stop = match.follow();
    await flush();
    expect(match.view.value.quarantine).toEqual(limits);
    http.queue("POST /match/join", 200, state({ status: "searching", quarantine: null }));
    await match.join(null, []);
    expect(match.view.value.quarantine).toBeNull();
    stop();
  });

  it("follows searching, found, a skip by the peer and searching again, told who skipped", () => {
    const { socket, match } = client();
    socket.push({ type: "match.searching", since: "2026-01-01T00:00:00Z", language: null });
    expect(match.view.value.status).toBe("searching");
    expect(match.view.value.searchingSince).toBe(Date.parse("2026-01-01T00:00:00Z"));
    socket.push({
      type: "match.found",
      match_id: "m1",
      session_id: "s1",
      peer: { user_id: "u-a", handle: "alice" },
      skip_allowed_at: "2026-01-01T00:00:05Z",
    });
    expect(match.view.value.status).toBe("in_call");
    expect(match.view.value.match?.sessionId).toBe("s1");
    socket.push({ type: "match.ended", reason: "peer_skipped", match_id: "m1", session_id: "s1" });
    expect(match.view.value.match).toBeNull();
    expect(match.view.value.lastEnd).toEqual({ reason: "peer_skipped", peerHandle: "alice" });
    socket.push({ type: "match.searching", since: "2026-01-01T00:00:09Z", language: null });
    expect(match.view.value.status).toBe("searching");
    expect(match.view.value.lastEnd?.peerHandle).toBe("alice"); // still told on the new card
  });

  it("counts a cooldown down to the server's `until`", () => {
    const { socket, match } = client();
    socket.push({
      type: "match.cooldown",
      until: "2026-01-01T00:00:03Z",
      seconds: 3,
      skips_in_window: 4,
    });
    expect(match.view.value.status).toBe("cooldown");
    expect(match.view.value.cooldownUntil).toBe(Date.parse("2026-01-01T00:00:03Z"));
  });

  it("takes a search the server stopped (the hourly cap) as idle, with the wait", () => {
    const { socket, match } = client();
    const before = Date.now();
    socket.push({ type: "match.refused", code: "hourly_cap", message: "cap", retry_after_s: 120 });
    const { status, refusal } = match.view.value;
    expect(status).toBe("idle");
    expect(refusal?.code).toBe("hourly_cap");
    expect(refusal?.during).toBe("search");
    expect(refusal?.retryAt).toBeGreaterThanOrEqual(before + 120_000);
  });
});

describe("asking", () => {
  it("joins with the language and tags, and this tab is the one that makes the call", async () => {
    const { http, match } = client();
    http.queue("POST /match/join", 200, state({ status: "searching" }));
    expect(await match.join("pt", ["music"])).toBe(true);
    expect(http.calls[0]).toEqual({
      call: "POST /match/join",
      body: { language: "pt", tags: ["music"] },
    });
    expect(match.view.value.status).toBe("searching");
    expect(match.here.value).toBe(true);
    expect(storage.get("vvtv.match.here")).toBe("1");
    expect(client().match.here.value).toBe(true); // this tab, reloaded

    http.queue("POST /match/leave", 200, state());
    await match.leave();
    expect(match.here.value).toBe(false);
    expect(storage.has("vvtv.match.here")).toBe(false);
    expect(match.view.value.status).toBe("idle");
  });

  it("keeps a refusal's code and its wait (ABU-7)", async () => {
    const { http, match } = client();
    const before = Date.now();
    http.queue("POST /match/join", 429, problem(429, "reconnect_budget", 8));
    expect(await match.join(null, [])).toBe(false);
    const refusal = match.view.value.refusal;
    expect(refusal?.code).toBe("reconnect_budget");
    expect(refusal?.during).toBe("join");
    expect(refusal?.retryAt).toBeGreaterThanOrEqual(before + 8000);
    match.dismiss();
    expect(match.view.value.refusal).toBeNull();
  });

  it("a skip refused too early leaves the call on, and says so", async () => {
    const { http, socket, match } = client();
    socket.push({
      type: "match.found",
      match_id: "m1",
      session_id: "s1",
      peer: { user_id: "u-a", handle: "alice" },
      skip_allowed_at: "2026-01-01T00:00:05Z",
    });
    http.queue("POST /match/skip", 429, problem(429, "too_early", 1.5));
    expect(await match.skip()).toBe(false);
    expect(match.view.value.status).toBe("in_call");
    expect(match.view.value.refusal?.code).toBe("too_early");
    expect(match.view.value.refusal?.during).toBe("skip");
  });

  it("ignores a reply that events overtook: the events are newer", async () => {
    const { http, socket, match } = client();
    socket.push({
      type: "match.found",
      match_id: "m1",
      session_id: "s1",
      peer: { user_id: "u-b", handle: "bruno" },
      skip_allowed_at: "2026-01-01T00:00:05Z",
    });
    http.hold = true;
    http.queue("POST /match/skip", 200, state({ status: "searching" }));
    const skipping = match.skip();
    await flush();
    // Before the reply: the call ended, the skipper searched, and met someone else at once.
    socket.push({ type: "match.ended", reason: "skipped", match_id: "m1", session_id: "s1" });
    socket.push({ type: "match.searching", since: "2026-01-01T00:00:09Z", language: null });
    socket.push({
      type: "match.found",
      match_id: "m2",
      session_id: "s2",
      peer: { user_id: "u-c", handle: "carla" },
      skip_allowed_at: "2026-01-01T00:00:15Z",
    });
    http.release();
    expect(await skipping).toBe(true);
    expect(match.view.value.status).toBe("in_call");
    expect(match.view.value.match?.peerHandle).toBe("carla");
  });
});
