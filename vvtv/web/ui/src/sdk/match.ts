// Random's matching (MAT-1, MAT-4, MAT-5, ABU-7) as this tab sees it: where you stand (idle,
// searching since when, cooling down until when, matched with whom in which call), the last
// refusal with its wait, and how your last match ended. Every tab of yours hears `match.*` on
// the one socket; a page that (re)loads, or a socket that reconnects, reads `GET /match/state`.
// A found match's session goes to the call client (`Calls.open`), in the tab that joined: that
// tab remembers it did (this tab's session storage), so a second tab never publishes twice.
import { signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import { ApiError } from "./problems";
import type { EventSocket } from "./socket";
import type { EventOf, Schemas } from "./types";

export type MatchState = Schemas["MatchState"];
export type MatchQuarantine = Schemas["MatchQuarantine"];
export type MatchStatus = MatchState["status"];
export type MatchEndReason = EventOf<"match.ended">["reason"];

const HERE_KEY = "vvtv.match.here";

/** The match you are in: its call once the server made it (`sessionId`). */
export interface FoundMatch {
  matchId: string;
  sessionId: string | null;
  peerId: string;
  peerHandle: string;
  /** A skip before this (ms, this device's clock) is refused `too_early` (ABU-2). */
  skipAllowedAt: number | null;
}

/** A request refused (or an idle search the server stopped): its code and, when waiting helps,
 * until when (ms, this device's clock). Codes are the server's (`cooldown`, `too_early`,
 * `hourly_cap`, `reconnect_budget`, `kill_switch`, `random_closed`, …) or `network`. */
export interface MatchRefusal {
  code: string;
  message: string;
  retryAt: number | null;
  /** What was refused: a join (you are idle) or a skip (the call goes on). */
  during: "join" | "skip" | "search";
}

/** How your last match (or search) ended, and with whom, to be told. */
export interface MatchEnd {
  reason: MatchEndReason;
  peerHandle: string | null;
}

export interface MatchView {
  /** `unknown` until the server has been asked (or an event came). */
  status: MatchStatus | "unknown";
  /** In the queue since (ms). */
  searchingSince: number | null;
  /** Searching again (or allowed to join) from (ms). */
  cooldownUntil: number | null;
  match: FoundMatch | null;
  refusal: MatchRefusal | null;
  lastEnd: MatchEnd | null;
  /** Your account is new (MOD-6): what limits you in Random, as the server says; else null. */
  quarantine: MatchQuarantine | null;
}

const UNKNOWN: MatchView = {
  status: "unknown",
  searchingSince: null,
  cooldownUntil: null,
  match: null,
  refusal: null,
  lastEnd: null,
  quarantine: null,
};

function when(iso: string | null | undefined): number | null {
  return iso ? Date.parse(iso) : null;
}

function readHere(): boolean {
  try {
    return sessionStorage.getItem(HERE_KEY) === "1";
  } catch {
    return false;
  }
}

export class MatchClient {
  readonly view = signal<MatchView>(UNKNOWN);
  /** A join, skip or leave is on its way. */
  readonly busy = signal(false);
  /** This tab joined: the call of a match is made here, not in your other tabs. */
  readonly here = signal(readHere());
  /** `match.*` events seen: a reply asked before the latest one is older than what it said. */
  private events = 0;
  private followers = 0;

  constructor(
    private readonly http: Http,
    socket: EventSocket,
  ) {
    socket.on("match.searching", (event) =>
      this.heard({
        status: "searching",
        searchingSince: when(event.since),
        cooldownUntil: null,
        match: null,
        refusal: null,
      }),
    );
    socket.on("match.found", (event) =>
      this.heard({
        status: "in_call",
        searchingSince: null,
        cooldownUntil: null,
        match: {
          matchId: event.match_id,
          sessionId: event.session_id,
          peerId: event.peer.user_id,
          peerHandle: event.peer.handle,
          skipAllowedAt: when(event.skip_allowed_at),
        },
        refusal: null,
        lastEnd: null,
      }),
    );
    socket.on("match.cooldown", (event) =>
      this.heard({
        status: "cooldown",
        searchingSince: null,
        cooldownUntil: when(event.until),
        match: null,
      }),
    );
    socket.on("match.refused", (event) =>
      this.heard({
        status: "idle",
        searchingSince: null,
        match: null,
        refusal: {
          code: event.code,
          message: event.message,
          retryAt: retryAt(event.retry_after_s ?? null),
          during: "search",
        },
      }),
    );
    socket.on("match.ended", (event) => {
      const current = this.view.peek();
      const peerHandle = current.match?.peerHandle ?? null;
      // Unless you left, `match.searching` or `match.cooldown` follows at once: until then you
      // are back in the queue, as far as this tab can tell.
      this.heard({
        status: event.reason === "left" ? "idle" : "searching",
        searchingSince: event.reason === "left" ? null : Date.now(),
        match: null,
        lastEnd: { reason: event.reason, peerHandle },
      });
    });
    // A new socket may have missed events: ask where you stand.
    socket.on("auth.ok", () => {
      if (this.followers > 0) void this.refresh();
    });
  }

  /** While a Random screen shows: read where you stand now (a reload resumes from it). */
  follow(): () => void {
    this.followers += 1;
    if (this.followers === 1) void this.refresh();
    return () => {
      this.followers -= 1;
    };
  }

  /** Search, in `language` (null: any) with `tags` (MAT-1, MAT-3). This tab makes the call. */
  async join(language: string | null, tags: string[]): Promise<boolean> {
    this.setHere(true);
    return this.request("join", () => this.http.POST("/match/join", { body: { language, tags } }));
  }

  /** End the call: you both search again (MAT-5), you after your cooldown (ABU-1). */
  async skip(): Promise<boolean> {
    return this.request("skip", () => this.http.POST("/match/skip", { body: {} }));
  }

  /** Stop: out of the queue, or out of the call (the other one searches again). */
  async leave(): Promise<boolean> {
    this.setHere(false);
    this.patch({ lastEnd: null, refusal: null });
    return this.request("leave", () => this.http.POST("/match/leave", { body: {} }));
  }

  /** Put the shown refusal away. */
  dismiss(): void {
    this.patch({ refusal: null });
  }

  async refresh(): Promise<void> {
    const seen = this.events;
    try {
      const state = await unwrap(this.http.GET("/match/state"));
      if (this.events === seen) this.adopt(state);
    } catch {
      // Offline, or the server is busy: the socket's next event (or reconnect) says.
      if (this.view.peek().status === "unknown") this.patch({ status: "idle" });
    }
  }

  private async request(
    during: "join" | "skip" | "leave",
    call: () => Promise<{ data?: MatchState; error?: unknown; response: Response }>,
  ): Promise<boolean> {
    const seen = this.events;
    this.busy.value = true;
    try {
      const state = await unwrap(call());
      if (this.events === seen) this.adopt(state);
      if (during !== "leave") this.patch({ refusal: null });
      return true;
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : null;
      if (during === "leave") return false; // the socket (or the next look) says where you are
      this.patch({
        refusal: {
          code: problem?.code ?? "network",
          message: problem?.message ?? "",
          retryAt: retryAt(problem?.retry_after_s ?? null),
          during,
        },
      });
      // A refused skip whose call already ended (`not_in_call`): where are you then?
      if (problem?.status === 409) void this.refresh();
      return false;
    } finally {
      this.busy.value = false;
    }
  }

  /** The server's word on where you stand (a reply, or a look). */
  private adopt(state: MatchState): void {
    const current = this.view.peek();
    const peer = state.peer;
    const match: FoundMatch | null =
      state.match_id && peer
        ? {
            matchId: state.match_id,
            sessionId: state.session_id ?? null,
            peerId: peer.user_id,
            peerHandle: peer.handle,
            skipAllowedAt: when(state.skip_allowed_at),
          }
        : null;
    this.view.value = {
      ...current,
      status: state.status,
      searchingSince: when(state.searching_since),
      cooldownUntil: when(state.cooldown_until),
      match,
      lastEnd: match ? null : current.lastEnd,
      quarantine: state.quarantine ?? null,
    };
  }

  private heard(change: Partial<MatchView>): void {
    this.events += 1;
    this.patch(change);
  }

  private patch(change: Partial<MatchView>): void {
    this.view.value = { ...this.view.peek(), ...change };
  }

  private setHere(here: boolean): void {
    this.here.value = here;
    try {
      if (here) sessionStorage.setItem(HERE_KEY, "1");
      else sessionStorage.removeItem(HERE_KEY);
    } catch {
      // Storage refused (private mode): this tab still knows for as long as it lives.
    }
  }
}

function retryAt(seconds: number | null): number | null {
  return seconds === null ? null : Date.now() + seconds * 1000;
}
