// A call's signalling and upkeep over stand-ins (SES-3, SES-8, CNS-2): one complete offer per
// role, heartbeats at the configured pace (the socket, else HTTP), the end sent on hang-up and
// when the page goes away, and who ended it told from the session's `ended_by`.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Http } from "../src/sdk/api";
import { Call } from "../src/sdk/call";
import type { EventSocket } from "../src/sdk/socket";
import type { ClientMessage, ServerEvent } from "../src/sdk/types";

const HEARTBEAT_S = 5;
const ME = "u-me";
const PEER = "u-peer";

class FakeSocket {
  sent: ClientMessage[] = [];
  open = true;
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {
      this.handlers.set(
        type,
        (this.handlers.get(type) ?? []).filter((known) => known !== handler),
      );
    };
  }

  send(message: ClientMessage): boolean {
    if (this.open) this.sent.push(message);
    return this.open;
  }

  push(event: ServerEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }
}

interface Sent {
  method: string;
  path: string;
  body?: unknown;
  keepalive?: boolean;
}

class FakeHttp {
  sent: Sent[] = [];
  state = "active";
  endedBy: string | null = null;

  private reply(method: string, path: string, init: { body?: unknown; keepalive?: boolean }) {
    this.sent.push({ method, path, body: init.body, keepalive: init.keepalive });
    let data: unknown = {};
    if (path === "/sessions/{session_id}") {
      data = {
        state: this.state,
        participants: [ME, PEER],
        end_reason: this.state === "active" ? null : "user",
        ended_by: this.endedBy,
      };
    } else if (path === "/sessions/{session_id}/offer") {
      data = { role: (init.body as { role: string }).role, sdp: "answer" };
    }
    return Promise.resolve({ data, response: { ok: true, status: 200 } });
  }

  GET = (path: string, init = {}) => this.reply("GET", path, init);
  POST = (path: string, init = {}) => this.reply("POST", path, init);

  paths(method: string): string[] {
    return this.sent.filter((sent) => sent.method === method).map((sent) => sent.path);
  }
}

/** Enough of RTCPeerConnection for signalling: gathering is complete at once. */
class FakePeer {
  static made: FakePeer[] = [];
  transceivers: unknown[] = [];
  remote: string | null = null;
  closed = false;
  iceGatheringState = "complete";
  connectionState = "new";
  localDescription = { sdp: "offer" };

  constructor() {
    FakePeer.made.push(this);
  }
  addTransceiver(what: unknown) {
    this.transceivers.push(what);
  }
  async createOffer() {
    return { type: "offer", sdp: "offer" };
  }
  async setLocalDescription() {}
  async setRemoteDescription(description: { sdp: string }) {
    this.remote = description.sdp;
  }
  addEventListener() {}
  removeEventListener() {}
  close() {
    this.closed = true;
  }
}

function call() {
  const socket = new FakeSocket();
  const http = new FakeHttp();
  const made = new Call(
    http as unknown as Http,
    socket as unknown as EventSocket,
    "s1",
    HEARTBEAT_S,
    ME,
  );
  return { socket, http, call: made };
}

function stateEvent(state: string, endedBy: string | null, reason = "user"): ServerEvent {
  return {
    type: "session.state",
    v: 1,
    session_id: "s1",
    state,
    reason,
    ended_by: endedBy,
  } as ServerEvent;
}

let page: EventTarget;
beforeEach(() => {
  vi.useFakeTimers();
  FakePeer.made = [];
  page = new EventTarget();
  vi.stubGlobal("window", page);
  vi.stubGlobal("RTCPeerConnection", FakePeer);
  vi.stubGlobal("MediaStream", class {});
  // No camera here: the call goes on receiving only (what a denied camera does too).
  vi.stubGlobal("navigator", {
    mediaDevices: {
      getUserMedia: () => Promise.reject(new DOMException("no", "NotAllowedError")),
    },
  });
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("a call", () => {
  it("subscribes with one complete offer and says why it cannot publish", async () => {
    const { http, call: live } = call();
    await live.start();
    expect(http.sent.filter((sent) => sent.path.endsWith("/offer")).map((s) => s.body)).toEqual([
      { role: "subscribe", sdp: "offer" },
    ]);
    expect(FakePeer.made).toHaveLength(1);
    expect(FakePeer.made[0]?.remote).toBe("answer");
    expect(live.mediaProblem.value).toBe("denied");
    expect(live.participants.value).toEqual([ME, PEER]);
  });

  it("heartbeats at the configured pace, on the socket, else over HTTP", async () => {
    const { socket, http, call: live } = call();
    await live.start();
    vi.advanceTimersByTime(HEARTBEAT_S * 1000 * 2);
    expect(socket.sent).toEqual([
      { type: "heartbeat", v: 1, session_id: "s1" },
      { type: "heartbeat", v: 1, session_id: "s1" },
    ]);
    socket.open = false;
    vi.advanceTimersByTime(HEARTBEAT_S * 1000);
    expect(http.paths("POST")).toContain("/sessions/{session_id}/heartbeat");
  });

  it("the other hanging up ends it here, named as theirs; heartbeats stop", async () => {
    const { socket, call: live } = call();
    await live.start();
    socket.push(stateEvent("ending", PEER));
    expect(live.ended.value).toEqual({ by: "peer", reason: "user" });
    expect(live.status.value).toBe("ended");
    expect(FakePeer.made.every((pc) => pc.closed)).toBe(true);
    const beats = socket.sent.length;
    vi.advanceTimersByTime(HEARTBEAT_S * 1000 * 3);
    expect(socket.sent).toHaveLength(beats);
  });

  it("one that ended before this page opened it is over at once, with who ended it", async () => {
    const { http, call: live } = call();
    http.state = "ended";
    http.endedBy = PEER;
    await live.start();
    expect(live.ended.value).toEqual({ by: "peer", reason: "user" });
    expect(FakePeer.made).toEqual([]); // no media for a call that is over
  });

  it("hanging up asks the server to end it for both", async () => {
    const { socket, http, call: live } = call();
    await live.start();
    await live.hangUp();
    expect(http.sent.at(-1)).toMatchObject({
      method: "POST",
      path: "/sessions/{session_id}/end",
      body: { reason: "user" },
    });
    expect(live.ended.value?.by).toBe("you");
    socket.push(stateEvent("ended", ME));
    expect(live.ended.value?.by).toBe("you");
  });

  it("the page going away sends the end as a request that outlives it", async () => {
    const { http, call: live } = call();
    await live.start();
    page.dispatchEvent(new Event("pagehide"));
    expect(http.sent.at(-1)).toMatchObject({
      path: "/sessions/{session_id}/end",
      keepalive: true,
    });
    expect(live.ended.value?.by).toBe("you");
  });

  it("the server ending it alone (no participant named) is the server's", async () => {
    const { socket, call: live } = call();
    await live.start();
    socket.push(stateEvent("ended", null, "moderation"));
    expect(live.ended.value).toEqual({ by: "server", reason: "moderation" });
  });
});
