// Live tiles (THB-1..6): while a presence reader is mounted, a session in its mode carries your
// tiles. Its one subscribe connection has as many video slots as this device's budget (THB-5,
// declared with `tile.open` and held by the server); each tile reports when it comes into view or
// leaves it, and the server points a slot at that member (`tile.granted`), refuses it
// (`tile.refused`, `tile_budget` past the budget) or lets it go (`tile.released`, out of view for a
// while: INV-4). Scrolling never renegotiates: the server re-points slots. With your camera on, the
// same session publishes it once, at a thumbnail's size (the SFU renders everyone's tiles from it).
// A member whose camera the server's automated frame checks flagged is shown blurred while the
// server says so (`tile.blurred`, issue 16).
import { type ReadonlySignal, type Signal, signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import { ApiError } from "./problems";
import { gathered } from "./call";
import { RoomOpener } from "./opener";
import type { EventSocket } from "./socket";
import type { Telemetry } from "./telemetry";
import type { Schemas } from "./types";

export type TileState = "off" | "waiting" | "live" | "budget" | "unavailable";
export interface TileView {
  state: TileState;
  stream: MediaStream | null;
}
type Device = Schemas["TileOpen"]["device"];
type Budget = Schemas["TileBudget"];

const OFF: TileView = { state: "off", stream: null };
const VP8 = /^video\/(vp8|rtx)$/i;
// The layout's narrow breakpoint (styles.css): a phone, with the mobile budget.
const PHONE = "(max-width: 720px)";
// What a tile camera sends: the thumbnail box and rate (media-profiles.yaml thumb_low), so the
// SFU forwards it as it comes; it holds every tile to its profile's caps whatever arrives.
const TILE_CAMERA: MediaTrackConstraints = { width: 320, height: 180, frameRate: 8 };

export function deviceClass(): Device {
  return window.matchMedia(PHONE).matches ? "mobile" : "desktop";
}

export class TileRoom {
  private readonly views = new Map<string, Signal<TileView>>();
  private readonly blurs = new Map<string, Signal<boolean>>();
  private readonly inView = new Set<string>();
  private readonly shown = new Map<string, number>(); // publisher -> slot
  private slots: MediaStream[] = [];
  private pool: RTCPeerConnection | null = null;
  private publisher: RTCPeerConnection | null = null;
  private camera: MediaStream | null = null;
  private sessionId: string | null = null;
  private report: { visible: Set<string>; hidden: Set<string> } | null = null;
  private readonly cleanups: (() => void)[] = [];
  /** Why the server gave this tab no tiles (its refusal's code: e.g. `too_many_sessions` when
   * your other tabs hold every session you may have), or null. */
  readonly refused = signal<string | null>(null);
  private beat: ReturnType<typeof setInterval> | undefined;
  private closed = false;
  private wantCamera = false;

  constructor(
    private readonly http: Http,
    private readonly socket: EventSocket,
    private readonly mode: string,
    private readonly heartbeatS: number,
    readonly budget: number,
    private readonly device: Device,
    /** Says when a tile starts and stops receiving (TEL-1: tile_connected / tile_disconnected). */
    private readonly telemetry: Telemetry | null = null,
  ) {}

  private profile = ""; // the pool's rendition, as `tile.opened` said

  /** The tile of `publisherId`, as a signal: off, waiting for a slot, live (its stream), or
   * refused (the budget, or not available to you). */
  tile(publisherId: string): ReadonlySignal<TileView> {
    return kept(this.views, publisherId, OFF);
  }

  /** Whether `publisherId`'s tile shows blurred (the server's frame checks flagged it). */
  blurred(publisherId: string): ReadonlySignal<boolean> {
    return kept(this.blurs, publisherId, false);
  }

  /** A tile came into view (it shows a camera that is on). */
  visible(publisherId: string): void {
    this.inView.add(publisherId);
    const view = this.tile(publisherId) as Signal<TileView>;
    if (view.peek().state === "off") view.value = { state: "waiting", stream: null };
    this.queue(publisherId, true);
  }

  /** A tile left the view (or its camera went off, or it is gone). */
  hidden(publisherId: string): void {
    if (!this.inView.delete(publisherId)) return;
    this.queue(publisherId, false);
  }

  async start(): Promise<void> {
    // Leaving the page (a reload, another address) ends this tab's tile session at once, rather
    // than leaving it to count against sessions.max_concurrent_per_user until its heartbeat
    // times out: the next page's tiles would be refused meanwhile.
    const leaving = () => this.close();
    window.addEventListener("pagehide", leaving);
    this.cleanups.push(
      () => window.removeEventListener("pagehide", leaving),
      this.socket.on("tile.opened", (event) => {
        if (event.session_id !== this.sessionId) return;
        this.profile = event.profile;
        void this.connect(event.slots);
      }),
      this.socket.on("tile.granted", (event) => this.granted(event.publisher_id, event.slot)),
      this.socket.on("tile.refused", (event) => {
        this.shown.delete(event.publisher_id);
        const state = event.code === "tile_budget" ? "budget" : "unavailable";
        this.set(event.publisher_id, { state, stream: null });
      }),
      this.socket.on("tile.released", (event) => {
        if (this.shown.delete(event.publisher_id)) {
          // Out of view, or your tiles closed (you left the mode): the viewer's doing either way;
          // the kill-switch ladder's pause is the service's cost budget.
          const reason =
            event.reason === "unavailable"
              ? "publisher_left"
              : event.reason === "tiles_paused"
                ? "budget"
                : "out_of_view";
          this.telemetry?.track("tile_disconnected", { reason, tiles_connected: this.shown.size });
        }
        const waiting = this.inView.has(event.publisher_id);
        this.set(event.publisher_id, waiting ? { state: "waiting", stream: null } : OFF);
      }),
      this.socket.on("tile.blurred", (event) => {
        (this.blurred(event.publisher_id) as Signal<boolean>).value = event.blurred;
      }),
      // A new socket (a reconnect) holds no tiles: open them again and say what is in view.
      this.socket.on("auth.ok", () => this.open()),
    );
    let session: Schemas["SessionView"];
    try {
      session = await unwrap(
        this.http.POST("/sessions", {
          body: {
            mode: this.mode,
            audience_type: "group",
            stream_transport: "webrtc",
            intent_label: "party_tiles",
            media_profile: null,
          },
        }),
      );
    } catch (error) {
      if (error instanceof ApiError && error.code !== "network") this.refused.value = error.code;
      throw error;
    }
    if (this.closed) return this.end(session.id);
    this.sessionId = session.id;
    this.beat = setInterval(() => this.heartbeat(), this.heartbeatS * 1000);
    this.open();
    if (this.wantCamera) void this.publish();
  }

  /** Publish your camera in this session while `on` (your presence says it is on). */
  setCamera(on: boolean): void {
    this.wantCamera = on;
    if (on && !this.publisher && this.sessionId) void this.publish();
    if (!on) this.unpublish();
  }

  close(): void {
    this.closed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    clearInterval(this.beat);
    this.socket.send({ type: "tile.close", v: 1 });
    this.pool?.close();
    this.unpublish();
    if (this.sessionId) this.end(this.sessionId);
  }

  private open(): void {
    if (!this.sessionId || this.closed) return;
    this.shown.clear();
    const opened = this.socket.send({
      type: "tile.open",
      v: 1,
      session_id: this.sessionId,
      device: this.device,
    });
    if (opened && this.inView.size > 0) {
      this.socket.send({ type: "tile.visible", v: 1, publisher_ids: [...this.inView] });
    }
  }

  private async connect(slots: number): Promise<void> {
    if (this.pool || !this.sessionId) return; // the pool outlives a reconnected socket
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.pool = pc;
    // VP8 only (what the SFU's encoders make): a dozen m-lines listing every codec a browser
    // knows would not fit an offer's bound (contracts: Sdp).
    const vp8 = (RTCRtpReceiver.getCapabilities("video")?.codecs ?? []).filter((codec) =>
      VP8.test(codec.mimeType),
    );
    for (let slot = 0; slot < slots; slot += 1) {
      const transceiver = pc.addTransceiver("video", { direction: "recvonly" });
      if (vp8.length > 0) transceiver.setCodecPreferences(vp8);
    }
    // Slot i is the i-th video line: its track exists now, and plays once the server points it.
    this.slots = pc.getTransceivers().map((t) => new MediaStream([t.receiver.track]));
    for (const [publisherId, slot] of this.shown) this.granted(publisherId, slot);
    await this.negotiate(pc, "subscribe");
  }

  private granted(publisherId: string, slot: number): void {
    this.shown.set(publisherId, slot);
    // Another tile that had this slot lets go of it: its picture is no longer its own.
    for (const [other, held] of this.shown) {
      if (held === slot && other !== publisherId) {
        this.shown.delete(other);
        this.set(other, OFF);
      }
    }
    const stream = this.slots[slot] ?? null;
    this.set(publisherId, stream ? { state: "live", stream } : { state: "waiting", stream: null });
    const tiles = this.shown.size;
    this.telemetry?.track("tile_connected", { profile: this.profile, tiles_connected: tiles });
  }

  private set(publisherId: string, view: TileView): void {
    (this.tile(publisherId) as Signal<TileView>).value = view;
  }

  private queue(publisherId: string, visible: boolean): void {
    if (!this.report) {
      this.report = { visible: new Set(), hidden: new Set() };
      // One message of each kind per task, however many tiles an observer reported at once.
      queueMicrotask(() => this.flush());
    }
    const [into, from] = visible
      ? [this.report.visible, this.report.hidden]
      : [this.report.hidden, this.report.visible];
    from.delete(publisherId);
    into.add(publisherId);
  }

  private flush(): void {
    const report = this.report;
    this.report = null;
    if (!report || !this.sessionId || this.closed) return;
    if (report.hidden.size > 0) {
      this.socket.send({ type: "tile.hidden", v: 1, publisher_ids: [...report.hidden] });
    }
    if (report.visible.size > 0) {
      this.socket.send({ type: "tile.visible", v: 1, publisher_ids: [...report.visible] });
    }
  }

  private async publish(): Promise<void> {
    if (this.publisher || !this.sessionId) return;
    const pc = new RTCPeerConnection({ iceServers: [] });
    this.publisher = pc;
    try {
      this.camera = await navigator.mediaDevices.getUserMedia({ video: TILE_CAMERA, audio: false });
    } catch {
      this.unpublish(); // no camera here: the others see your placeholder
      return;
    }
    if (this.publisher !== pc) {
      for (const track of this.camera.getTracks()) track.stop();
      return;
    }
    for (const track of this.camera.getTracks()) pc.addTransceiver(track, { direction: "sendonly" });
    await this.negotiate(pc, "publish");
  }

  private unpublish(): void {
    this.publisher?.close();
    this.publisher = null;
    for (const track of this.camera?.getTracks() ?? []) track.stop();
    this.camera = null;
  }

  private async negotiate(pc: RTCPeerConnection, role: "publish" | "subscribe"): Promise<void> {
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    if (!this.sessionId || this.closed) return;
    const answer = await unwrap(
      this.http.POST("/sessions/{session_id}/offer", {
        params: { path: { session_id: this.sessionId } },
        body: { role, sdp: pc.localDescription?.sdp ?? "" },
      }),
    );
    if (pc.signalingState !== "closed") {
      await pc.setRemoteDescription({ type: "answer", sdp: answer.sdp });
    }
  }

  private heartbeat(): void {
    if (this.sessionId) this.socket.send({ type: "heartbeat", v: 1, session_id: this.sessionId });
  }

  private end(sessionId: string): void {
    void this.http
      .POST("/sessions/{session_id}/end", {
        params: { path: { session_id: sessionId } },
        body: { reason: "user" },
        keepalive: true,
      })
      .catch(() => {});
  }
}

/** Open tile rooms: what VideoTile needs of the server. Each says when its tiles start and stop
 * receiving (TEL-1). */
export class Tiles extends RoomOpener<Telemetry> {
  constructor(http: Http, socket: EventSocket, heartbeatS: number, private readonly budget: Budget) {
    super(http, socket, heartbeatS);
  }

  /** The tiles of a presence reader mounted in `mode` (not started: `start` it). */
  open(mode: string): TileRoom {
    const device = deviceClass();
    const budget = this.budget[device];
    return new TileRoom(this.http, this.socket, mode, this.heartbeatS, budget, device, this.measuring);
  }
}

/** The signal `map` keeps for `key`, made at `initial` the first time it is asked for. */
function kept<T>(map: Map<string, Signal<T>>, key: string, initial: T): Signal<T> {
  let held = map.get(key);
  if (!held) {
    held = signal(initial);
    map.set(key, held);
  }
  return held;
}
