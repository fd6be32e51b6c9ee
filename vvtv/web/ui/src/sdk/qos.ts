// A call's media quality (TEL-1, TEL-2): `webrtc_connected` once its media flows, and, for the
// share of calls the server names (`GET /telemetry/qos`: 10 % by default, all of them while an
// admin's incident flag is on, told as `telemetry.sampling`), a `qos_sample` of its WebRTC stats
// every `interval_s`: bitrate, frame rate, loss, jitter, round trip. Each call draws once when
// it starts, so a sampled call is sampled whole; a flag switched on mid-call reaches it too.
// Numbers only: never an address, a candidate or media (TEL-3).
import { type Http, unwrap } from "./api";
import type { EventSocket } from "./socket";
import type { Telemetry } from "./telemetry";
import type { Schemas } from "./types";

type QosSampling = Schemas["QosSampling"];

/** What two reads of a receiver's stats say about the time between them. */
export interface QosFigures {
  bitrate_kbps: number;
  fps: number;
  packet_loss_pct: number;
  jitter_ms: number;
  rtt_ms: number;
}

interface Counters {
  at: number; // ms
  bytes: number;
  received: number;
  lost: number;
}

const MS_PER_S = 1000;
const BITS_PER_BYTE = 8;
const PERCENT = 100;

/** The figures between `before` (null: the first read) and this `report` of getStats(). */
export function qosFigures(
  report: RTCStatsReport,
  before: Counters | null,
  at: number,
): { figures: QosFigures; counters: Counters } {
  let bytes = 0;
  let received = 0;
  let lost = 0;
  let fps = 0;
  let jitterS = 0;
  let rttS = 0;
  report.forEach((stat: Record<string, unknown>) => {
    if (stat.type === "inbound-rtp") {
      bytes += Number(stat.bytesReceived ?? 0);
      received += Number(stat.packetsReceived ?? 0);
      lost += Number(stat.packetsLost ?? 0);
      jitterS = Math.max(jitterS, Number(stat.jitter ?? 0));
      if (stat.kind === "video") fps = Number(stat.framesPerSecond ?? 0);
    } else if (stat.type === "candidate-pair" && stat.state === "succeeded" && stat.nominated) {
      rttS = Number(stat.currentRoundTripTime ?? rttS);
    }
  });
  const counters = { at, bytes, received, lost };
  const elapsedS = before ? (at - before.at) / MS_PER_S : 0;
  const gotPackets = received - (before?.received ?? 0);
  const lostPackets = Math.max(0, lost - (before?.lost ?? 0));
  const expected = gotPackets + lostPackets;
  return {
    figures: {
      bitrate_kbps:
        elapsedS > 0 ? ((bytes - (before?.bytes ?? 0)) * BITS_PER_BYTE) / MS_PER_S / elapsedS : 0,
      fps,
      packet_loss_pct: expected > 0 ? (lostPackets / expected) * PERCENT : 0,
      jitter_ms: jitterS * MS_PER_S,
      rtt_ms: rttS * MS_PER_S,
    },
    counters,
  };
}

export class CallQuality {
  private sampling: QosSampling | null = null;

  constructor(
    private readonly http: Http,
    socket: EventSocket,
    private readonly telemetry: Telemetry,
    private readonly draw: () => number = Math.random,
  ) {
    socket.on("telemetry.sampling", (event) => {
      if (this.sampling) this.sampling = { ...this.sampling, rate: event.rate };
    });
  }

  /** Follow the connection that receives a call's media until it closes; `profile` names the
   * session's media profile once the call has read it. Returns the stop. */
  follow(pc: RTCPeerConnection, sessionId: string, profile: () => string | null): () => void {
    const startedAt = Date.now();
    const drawn = this.draw();
    let connected = false;
    let timer: ReturnType<typeof setInterval> | undefined;
    let before: Counters | null = null;
    const sample = async () => {
      if (!this.sampling || drawn >= this.sampling.rate || pc.connectionState !== "connected") {
        return;
      }
      const read = qosFigures(await pc.getStats(), before, Date.now());
      const first = before === null;
      before = read.counters;
      if (first) return; // a rate needs two reads
      this.telemetry.track("qos_sample", { profile: profile() ?? "", ...read.figures });
    };
    const changed = () => {
      const state = pc.connectionState;
      if (state === "connected" && !connected) {
        connected = true;
        this.telemetry.track("webrtc_connected", {
          session_id: sessionId,
          connect_ms: Date.now() - startedAt,
        });
      } else if (state === "closed" || state === "failed") {
        stop();
      }
    };
    const stop = () => {
      clearInterval(timer);
      pc.removeEventListener("connectionstatechange", changed);
    };
    pc.addEventListener("connectionstatechange", changed);
    void this.rate().then((sampling) => {
      if (sampling && pc.connectionState !== "closed") {
        timer = setInterval(() => void sample(), sampling.interval_s * MS_PER_S);
      }
    });
    return stop;
  }

  private async rate(): Promise<QosSampling | null> {
    try {
      this.sampling = await unwrap<QosSampling>(this.http.GET("/telemetry/qos"));
    } catch {
      // unknown: this call is not sampled (its other telemetry still goes)
    }
    return this.sampling;
  }
}
