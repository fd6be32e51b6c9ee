// The operator's console client (TEL-4/5, INV-7), the calm notice every signed-in tab shows when
// the product steps down, and a call's QoS sampling (TEL-1, TEL-2), over stand-ins for the socket,
// the HTTP client and a peer connection.
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Http } from "../src/sdk/api";
import { ServiceNotices } from "../src/sdk/notice";
import {
  type CostPoint,
  mergeAudit,
  mergeHistory,
  OperatorConsole,
  type OperatorUpdate,
} from "../src/sdk/operator";
import { CallQuality, qosFigures } from "../src/sdk/qos";
import type { EventSocket } from "../src/sdk/socket";
import type { Telemetry } from "../src/sdk/telemetry";
import type { ServerEvent } from "../src/sdk/types";

class FakeSocket {
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();
  sent: string[] = [];

  send(message: { type: string }): boolean {
    this.sent.push(message.type);
    return true;
  }

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {};
  }

  push(event: ServerEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }
}

/** Answers `METHOD path` from `replies` (404 otherwise); records each call with its options. */
class FakeHttp {
  calls: { method: string; path: string; options: unknown }[] = [];
  replies = new Map<string, unknown>();

  private reply(method: string, path: string, options: unknown) {
    this.calls.push({ method, path, options });
    const data = this.replies.get(`${method} ${path}`);
    const ok = data !== undefined;
    const error = ok ? undefined : { status: 404, code: "not_found", message: "no" };
    return Promise.resolve({ data, error, response: { ok, status: ok ? 200 : 404 } });
  }

  GET = (path: string, options?: unknown) => this.reply("GET", path, options);
  POST = (path: string, options?: unknown) => this.reply("POST", path, options);
}

function point(seq: number, usd = 0.01): CostPoint {
  return {
    seq,
    at: new Date(Date.UTC(2026, 0, 1, 0, 0, seq * 5)).toISOString(),
    estimated_gb_per_hour: { party: seq },
    measured_gb_per_hour: { party: seq },
    estimated_usd_per_hour: usd,
    measured_usd_per_hour: usd,
  };
}

function adminApi(http: FakeHttp, history: CostPoint[]): void {
  http.replies.set("GET /admin/live", { channel_viewers: 1, party_members: 2, alerts: [] });
  http.replies.set("GET /admin/cost", { lines: [] });
  http.replies.set("GET /admin/cost/history", {
    sample_interval_s: 5,
    capacity: 3,
    samples: history,
  });
  http.replies.set("GET /admin/kill-switch", { level: 0, steps: ["stills"] });
  http.replies.set("GET /admin/funnel", { chains: [] });
  http.replies.set("GET /lab/status", { on_air: "plan" });
  http.replies.set("GET /admin/audit", { entries: [{ id: 1, action: "kill_switch.step" }] });
  http.replies.set("GET /admin/incident", { active: false });
  http.replies.set("GET /admin/shield", { active: false, preset: {}, sweep_enabled: true });
}

afterEach(() => {
  vi.useRealTimers();
});

describe("the operator's console", () => {
  it("keeps the cost history in order, without repeats, to the server's capacity", () => {
    const kept = mergeHistory([point(1), point(2)], [point(2), point(3), point(4)], 3);
    expect(kept.map((p) => p.seq)).toEqual([2, 3, 4]);
    expect(mergeHistory([], [point(7)], 3).map((p) => p.seq)).toEqual([7]);
  });

  it("asks for the whole history once, then only what came after the last sample", async () => {
    const http = new FakeHttp();
    adminApi(http, [point(1), point(2)]);
    const console_ = new OperatorConsole(http as unknown as Http, new FakeSocket() as unknown as EventSocket, 50);
    await console_.refresh();
    adminApi(http, [point(3)]);
    await console_.refresh();
    const asked = http.calls.filter((call) => call.path === "/admin/cost/history");
    expect(asked.map((call) => call.options)).toEqual([
      { params: { query: {} } },
      { params: { query: { after_seq: 2 } } },
    ]);
    const view = console_.view.value;
    expect(view.history.map((p) => p.seq)).toEqual([1, 2, 3]);
    expect([view.live?.party_members, view.audit.length, view.error]).toEqual([2, 1, null]);
  });

  it("reads once, then follows on the socket: pushed updates apply, a new socket follows again", async () => {
    const http = new FakeHttp();
    adminApi(http, [point(1), point(2)]);
    const socket = new FakeSocket();
    const console_ = new OperatorConsole(http as unknown as Http, socket as unknown as EventSocket, 50);
    const stop = console_.follow();
    await vi.waitFor(() => expect(console_.view.value.history.length).toBe(2));
    expect(socket.sent).toEqual(["operator.follow"]);
    const update = {
      type: "operator.update",
      v: 1,
      live: { channel_viewers: 1, party_members: 5, random_queue: 0, calls: 0, alerts: [] },
      cost: { lines: [] },
      ladder: { level: 2, steps: ["stills"] },
      funnel: { chains: [] },
      lab: { pipeline: "running" },
      incident: { active: true },
      shield: { active: true },
      samples: [point(2), point(3)],
      audit: [{ id: 2, action: "kill_switch.step" }],
    } as unknown as OperatorUpdate;
    socket.push(update as unknown as ServerEvent);
    const view = console_.view.value;
    expect(view.live?.party_members).toBe(5);
    expect(view.ladder?.level).toBe(2);
    // A switch another admin made, and the channel's state, arrive with the update.
    expect([view.lab, view.incident?.active, view.shield?.active]).toEqual([
      { pipeline: "running" },
      true,
      true,
    ]);
    expect(view.history.map((p) => p.seq)).toEqual([1, 2, 3]); // capacity 3, no repeat
    expect(view.audit.map((entry) => entry.id)).toEqual([2, 1]);
    const asked = http.calls.length;
    socket.push({ type: "auth.ok", v: 1 } as unknown as ServerEvent);
    expect(socket.sent).toEqual(["operator.follow", "operator.follow"]);
    stop();
    expect(socket.sent.at(-1)).toBe("operator.unfollow");
    socket.push({ ...update, live: { ...update.live, party_members: 9 } } as unknown as ServerEvent);
    expect(console_.view.value.live?.party_members).toBe(5); // not followed: ignored
    expect(http.calls.length).toBe(asked); // never polled
  });

  it("merges audit entries newest first without repeats, keeping the newest `most`", () => {
    const entry = (id: number) => ({ id }) as unknown as Parameters<typeof mergeAudit>[0][number];
    const kept = [entry(2), entry(1)];
    expect(mergeAudit(kept, [entry(3), entry(2)], 5).map((e) => e.id)).toEqual([3, 2, 1]);
    expect(mergeAudit(kept, [entry(4), entry(3)], 3).map((e) => e.id)).toEqual([4, 3, 2]);
  });

  it("switches Shield Mode with a reason and shows what the server says", async () => {
    const http = new FakeHttp();
    adminApi(http, []);
    http.replies.set("POST /admin/shield", { active: true, preset: {}, sweep_enabled: true, last_swept: 2 });
    const console_ = new OperatorConsole(http as unknown as Http, new FakeSocket() as unknown as EventSocket, 50);
    await console_.setShield(true, "raid");
    const posted = http.calls.find((call) => call.method === "POST");
    expect([posted?.path, posted?.options]).toEqual(["/admin/shield", { body: { active: true, reason: "raid" } }]);
    await console_.refresh();
    expect(console_.view.value.shield?.active).toBe(false); // what the server says now
  });

  it("pins the ladder with a reason, then reads everything again; a refusal says its code", async () => {
    const http = new FakeHttp();
    adminApi(http, []);
    http.replies.set("POST /admin/kill-switch", { level: 1, override_level: 1, steps: ["stills"] });
    const console_ = new OperatorConsole(http as unknown as Http, new FakeSocket() as unknown as EventSocket, 50);
    await console_.pin(1, "drill");
    const posted = http.calls.find((call) => call.method === "POST");
    expect(posted?.options).toEqual({ body: { level: 1, reason: "drill" } });
    expect(http.calls.at(-1)?.path).not.toBe("/admin/kill-switch");
    http.replies.delete("GET /admin/live");
    await console_.refresh();
    expect(console_.view.value.error).toBe("not_found");
  });
});

describe("the calm notice", () => {
  function notices() {
    const socket = new FakeSocket();
    const http = new FakeHttp();
    const shown = new ServiceNotices(http as unknown as Http, socket as unknown as EventSocket);
    return { socket, http, shown };
  }

  it("a new socket asks where the product stands; a step is shown, level 0 is not", async () => {
    const { socket, http, shown } = notices();
    http.replies.set("GET /service/notice", { level: 2, step: "stills" });
    socket.push({ type: "auth.ok", v: 1 } as unknown as ServerEvent);
    await vi.waitFor(() => expect(shown.current.value).toEqual({ level: 2, step: "stills", shield: null }));
    socket.push({ type: "service.notice", v: 1, level: 0, step: null } as ServerEvent);
    expect(shown.current.value).toBeNull();
  });

  it("dismissed, it stays away until the level changes", () => {
    const { socket, shown } = notices();
    socket.push({ type: "service.notice", v: 1, level: 1, step: "degraded_thumbs" } as ServerEvent);
    shown.dismiss();
    expect(shown.current.value).toBeNull();
    socket.push({ type: "service.notice", v: 1, level: 1, step: "degraded_thumbs" } as ServerEvent);
    expect(shown.current.value).toBeNull();
    socket.push({ type: "service.notice", v: 1, level: 2, step: "stills" } as ServerEvent);
    expect(shown.current.value?.level).toBe(2);
  });

  it("Shield Mode's line shows while it is on, put away on its own, and says what tiles blur", () => {
    const { socket, shown } = notices();
    const shield = { blur_new_tiles: true };
    socket.push({ type: "service.notice", v: 1, level: 0, step: null, shield } as ServerEvent);
    expect([shown.current.value, shown.shieldShown.value, shown.shield.value]).toEqual([null, true, shield]);
    shown.dismissShield();
    socket.push({ type: "service.notice", v: 1, level: 1, step: "stills", shield } as ServerEvent);
    expect([shown.shieldShown.value, shown.shield.value?.blur_new_tiles]).toEqual([false, true]);
    socket.push({ type: "service.notice", v: 1, level: 1, step: "stills", shield: null } as ServerEvent);
    expect([shown.shieldShown.value, shown.shield.value]).toEqual([false, null]);
    socket.push({ type: "service.notice", v: 1, level: 1, step: "stills", shield } as ServerEvent);
    expect(shown.shieldShown.value).toBe(true); // on again: told again
  });

  it("a reply that an event overtook is ignored", async () => {
    const { socket, http, shown } = notices();
    http.replies.set("GET /service/notice", { level: 0, step: null });
    const asking = shown.resync();
    socket.push({ type: "service.notice", v: 1, level: 3, step: "party_tiles_off" } as ServerEvent);
    await asking;
    expect(shown.current.value?.level).toBe(3);
  });
});

class FakePeer extends EventTarget {
  connectionState: RTCPeerConnectionState = "new";
  reads = 0;

  getStats(): Promise<RTCStatsReport> {
    this.reads += 1;
    const n = this.reads;
    return Promise.resolve(
      new Map<string, Record<string, unknown>>([
        ["v", { type: "inbound-rtp", kind: "video", bytesReceived: n * 100_000, packetsReceived: n * 90, packetsLost: n * 10, jitter: 0.012, framesPerSecond: 24 }],
        ["p", { type: "candidate-pair", state: "succeeded", nominated: true, currentRoundTripTime: 0.04 }],
      ]) as unknown as RTCStatsReport,
    );
  }

  set(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.dispatchEvent(new Event("connectionstatechange"));
  }
}

describe("a call's quality", () => {
  it("reads bitrate, loss, jitter, frame rate and round trip between two reads", async () => {
    const peer = new FakePeer();
    const first = qosFigures(await peer.getStats(), null, 0);
    const { figures } = qosFigures(await peer.getStats(), first.counters, 10_000);
    expect(figures).toEqual({
      bitrate_kbps: 80, // 100 kB in 10 s
      fps: 24,
      packet_loss_pct: 10,
      jitter_ms: 12,
      rtt_ms: 40,
    });
  });

  function quality(draw: number, rate: number) {
    const socket = new FakeSocket();
    const http = new FakeHttp();
    http.replies.set("GET /telemetry/qos", { rate, incident: false, interval_s: 10 });
    const tracked: [string, Record<string, unknown>][] = [];
    const telemetry = { track: (name: string, props: Record<string, unknown>) => tracked.push([name, props]) };
    const measure = new CallQuality(
      http as unknown as Http,
      socket as unknown as EventSocket,
      telemetry as unknown as Telemetry,
      () => draw,
    );
    return { socket, measure, tracked };
  }

  it("says when media flows, and a call drawn under the rate sends a sample every interval", async () => {
    vi.useFakeTimers();
    const { measure, tracked } = quality(0.05, 0.1);
    const peer = new FakePeer();
    measure.follow(peer as unknown as RTCPeerConnection, "s1", () => "call_private");
    await vi.advanceTimersByTimeAsync(1_500);
    peer.set("connected");
    expect(tracked[0]).toEqual(["webrtc_connected", { session_id: "s1", connect_ms: 1_500 }]);
    await vi.advanceTimersByTimeAsync(30_000);
    const samples = tracked.filter(([name]) => name === "qos_sample");
    expect(samples.length).toBe(2); // the first read only starts the rates
    expect(samples[0]?.[1]).toMatchObject({ profile: "call_private", fps: 24, rtt_ms: 40 });
    peer.set("closed");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tracked.filter(([name]) => name === "qos_sample").length).toBe(2);
  });

  it("a call drawn above the rate sends none, until incident mode takes every call", async () => {
    vi.useFakeTimers();
    const { socket, measure, tracked } = quality(0.5, 0.1);
    const peer = new FakePeer();
    measure.follow(peer as unknown as RTCPeerConnection, "s2", () => "call_random_fast");
    peer.set("connected");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tracked.filter(([name]) => name === "qos_sample")).toEqual([]);
    socket.push({ type: "telemetry.sampling", v: 1, rate: 1, incident: true } as ServerEvent);
    await vi.advanceTimersByTimeAsync(30_000);
    expect(tracked.filter(([name]) => name === "qos_sample").length).toBe(2);
  });
});
