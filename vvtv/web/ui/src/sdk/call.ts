// A call's media (CallUI): your camera and microphone published to the SFU once, the other person
// received from it, each over its own peer connection and one complete offer to
// POST /sessions/{id}/offer (the SFU does not trickle ICE, so an offer goes once gathering is
// complete). Media is relayed by the SFU only: the other person's address never reaches this page.
// The session is kept alive at the pace config gives (`session_heartbeat_s`), ended on hang-up, on
// leaving the page and on going away, and its end, by either side or the server, is followed over
// the socket (a reconnected socket may have missed it: the session is read again then).
import { signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import { ApiError } from "./problems";
import { RoomOpener } from "./opener";
import type { CallQuality } from "./qos";
import type { Session } from "./session";
import type { EventSocket } from "./socket";
import type { Schemas } from "./types";

export type CallStatus = "starting" | "connecting" | "connected" | "interrupted" | "ended";
/** Who ended the call: you, the other person (hung up or went silent), or the server alone. */
export type EndedBy = "you" | "peer" | "server";
export interface CallEnd {
  by: EndedBy;
  /** The session's end reason (`user` hung up, `timeout` went silent, `moderation`, …). */
  reason: string | null;
}
/** Why your own camera or microphone could not be opened (the call goes on without them). */
export type MediaProblem = "denied" | "missing" | "failed";
type SessionState = Schemas["SessionView"]["state"];

const OVER: ReadonlySet<SessionState> = new Set(["ending", "ended", "failed"]);

function mediaProblem(error: unknown): MediaProblem {
  const name = error instanceof DOMException ? error.name : "";
  if (name === "NotAllowedError" || name === "SecurityError") return "denied";
  if (name === "NotFoundError" || name === "OverconstrainedError") return "missing";
  return "failed";
}

/** Resolves once the connection has gathered every candidate it will (no trickle). */
export function gathered(pc: RTCPeerConnection): Promise<void> {
  return new Promise((done) => {
    if (pc.iceGatheringState === "complete") return done();
    const check = () => {
      if (pc.iceGatheringState !== "complete") return;
      pc.removeEventListener("icegatheringstatechange", check);
      done();
    };
    pc.addEventListener("icegatheringstatechange", check);
  });
}

export class Call {
  readonly status = signal<CallStatus>("starting");
  readonly ended = signal<CallEnd | null>(null);
  readonly local = signal<MediaStream | null>(null);
  readonly remote = signal<MediaStream | null>(null);
  readonly micOn = signal(true);
  readonly cameraOn = signal(true);
  readonly mediaProblem = signal<MediaProblem | null>(null);
  /** The session's participants, once read (the other person is the one who is not you). */
  readonly participants = signal<string[]>([]);
  private readonly peers: RTCPeerConnection[] = [];
  private readonly cleanups: (() => void)[] = [];
  private beat: ReturnType<typeof setInterval> | undefined;
  private hangingUp = false;
  /** The session's media profile, once read (its QoS samples name it). */
  private profile: string | null = null;

  constructor(
    private readonly http: Http,
    private readonly socket: EventSocket,
    readonly sessionId: string,
    private readonly heartbeatS: number,
    /** Who you are: the session names who ended it by participant. */
    private readonly me: string | null,
    /** Reports its media flowing and, if this call is drawn, its QoS (TEL-1, TEL-2). */
    private readonly quality: CallQuality | null = null,
  ) {}

  /** Read the session, then publish and subscribe; heartbeats until it ends. */
  async start(): Promise<void> {
    this.cleanups.push(
      this.socket.on("session.state", (event) => {
        if (event.session_id !== this.sessionId) return;
        this.changed(event.state, event.reason ?? null, event.ended_by ?? null);
      }),
      this.socket.on("auth.ok", () => void this.check()),
    );
    const leaving = () => this.leave();
    window.addEventListener("pagehide", leaving);
    this.cleanups.push(() => window.removeEventListener("pagehide", leaving));

    if (!(await this.check()) || this.ended.peek()) return;
    this.beat = setInterval(() => void this.heartbeat(), this.heartbeatS * 1000);
    this.status.value = "connecting";
    await Promise.all([this.publish(), this.subscribe()]);
  }

  setMic(on: boolean): void {
    for (const track of this.local.peek()?.getAudioTracks() ?? []) track.enabled = on;
    this.micOn.value = on;
  }

  /** Off sends black frames: the other person's picture stops, the connection stays. */
  setCamera(on: boolean): void {
    for (const track of this.local.peek()?.getVideoTracks() ?? []) track.enabled = on;
    this.cameraOn.value = on;
  }

  /** End the call for both. */
  async hangUp(): Promise<void> {
    if (this.ended.peek()) return;
    this.hangingUp = true;
    try {
      await unwrap(
        this.http.POST("/sessions/{session_id}/end", {
          params: { path: { session_id: this.sessionId } },
          body: { reason: "user" },
        }),
      );
    } catch {
      // Already over, or unreachable: its heartbeats stop with this page, and it times out.
    }
    this.finish({ by: "you", reason: "user" });
  }

  /** Done with this call here (the page moves on): hang up if it is still on, let go of all.
   * `hangUp` false: someone else ends it (matching, on a skip or a stop), only let go here. */
  close(hangUp = true): void {
    if (hangUp) void this.hangUp();
    else this.finish({ by: "you", reason: null });
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  /** The page is going away: the end must leave before it does (a request kept alive). */
  private leave(): void {
    if (this.ended.peek()) return;
    this.hangingUp = true;
    void this.http
      .POST("/sessions/{session_id}/end", {
        params: { path: { session_id: this.sessionId } },
        body: { reason: "user" },
        keepalive: true,
      })
      .catch(() => {});
    this.finish({ by: "you", reason: "user" });
  }

  /** The session as the server has it now; an unknown one is over. */
  private async check(): Promise<boolean> {
    try {
      const view = await unwrap(
        this.http.GET("/sessions/{session_id}", {
          params: { path: { session_id: this.sessionId } },
        }),
      );
      this.participants.value = view.participants;
      this.profile = view.media_profile ?? null;
      this.changed(view.state, view.end_reason ?? null, view.ended_by ?? null);
      return !OVER.has(view.state);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        this.finish({ by: "server", reason: null });
      }
      return false;
    }
  }

  private changed(state: SessionState, reason: string | null, endedBy: string | null): void {
    if (!OVER.has(state)) return;
    let by: EndedBy = "server";
    if (this.hangingUp || (endedBy !== null && endedBy === this.me)) by = "you";
    else if (endedBy !== null) by = "peer";
    this.finish({ by, reason });
  }

  private async heartbeat(): Promise<void> {
    const message = { type: "heartbeat", v: 1, session_id: this.sessionId } as const;
    if (this.socket.send(message)) return;
    try {
      await unwrap(
        this.http.POST("/sessions/{session_id}/heartbeat", {
          params: { path: { session_id: this.sessionId } },
          body: {},
        }),
      );
    } catch (error) {
      if (error instanceof ApiError && error.status !== 0) await this.check();
    }
  }

  private async publish(): Promise<void> {
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: true });
    } catch (error) {
      this.mediaProblem.value = mediaProblem(error); // they can still be seen and heard
      return;
    }
    if (this.ended.peek()) {
      for (const track of stream.getTracks()) track.stop();
      return;
    }
    this.local.value = stream;
    this.setMic(this.micOn.peek());
    this.setCamera(this.cameraOn.peek());
    const pc = this.connection();
    for (const track of stream.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    await this.negotiate(pc, "publish");
  }

  private async subscribe(): Promise<void> {
    const pc = this.connection();
    // One video and one audio line: the SFU sends the other person's picture and voice on them.
    pc.addTransceiver("video", { direction: "recvonly" });
    pc.addTransceiver("audio", { direction: "recvonly" });
    if (this.quality) this.cleanups.push(this.quality.follow(pc, this.sessionId, () => this.profile));
    pc.addEventListener("track", (event) => {
      const tracks = [...(this.remote.peek()?.getTracks() ?? []), event.track];
      this.remote.value = new MediaStream(tracks);
    });
    pc.addEventListener("connectionstatechange", () => {
      if (this.ended.peek()) return;
      const state = pc.connectionState;
      if (state === "connected") this.status.value = "connected";
      else if (state === "disconnected" || state === "failed") this.status.value = "interrupted";
    });
    await this.negotiate(pc, "subscribe");
  }

  private connection(): RTCPeerConnection {
    // No STUN: the only peer is the SFU, whose answer lists its own addresses.
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.peers.push(pc);
    return pc;
  }

  private async negotiate(pc: RTCPeerConnection, role: "publish" | "subscribe"): Promise<void> {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    if (this.ended.peek()) return;
    const sdp = pc.localDescription?.sdp ?? "";
    let answer: { sdp: string };
    try {
      answer = await unwrap(
        this.http.POST("/sessions/{session_id}/offer", {
          params: { path: { session_id: this.sessionId } },
          body: { role, sdp },
        }),
      );
    } catch {
      await this.check(); // refused because it ended meanwhile, most likely
      if (!this.ended.peek()) this.status.value = "interrupted";
      return;
    }
    if (this.ended.peek()) return;
    await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
  }

  private finish(end: CallEnd): void {
    if (this.ended.peek()) return;
    this.ended.value = end;
    this.status.value = "ended";
    clearInterval(this.beat);
    for (const pc of this.peers.splice(0)) pc.close();
    for (const track of this.local.peek()?.getTracks() ?? []) track.stop();
  }
}

/** Start calls: what CallUI needs of the server. Each reports its media flowing and, if drawn,
 * its QoS (TEL-1, TEL-2). */
export class Calls extends RoomOpener<CallQuality> {
  constructor(http: Http, socket: EventSocket, heartbeatS: number, private readonly session: Session) {
    super(http, socket, heartbeatS);
  }

  /** The call of session `sessionId` (not started: `start` it). */
  open(sessionId: string): Call {
    const me = this.session.user.peek()?.id ?? null;
    return new Call(this.http, this.socket, sessionId, this.heartbeatS, me, this.measuring);
  }
}
