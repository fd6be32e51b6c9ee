// Presence over the event socket (PRS-1..5): your own presence in an ecosystem (set, leave) and
// the rooms you watch through a query, each a signal of who is there. The server forgets a
// presence only when its heartbeats stop for the TTL, not when a socket drops, so this client
// heartbeats while it is present or watching, and says everything again on a new socket or when
// the server no longer knows it (`not_present`, e.g. after a restart).
import { type ReadonlySignal, type Signal, signal } from "@preact/signals";
import {
  applySnapshot,
  applyUpdate,
  EMPTY_VIEW,
  type PresenceView,
  refused,
  withoutUser,
} from "./presenceView";
import type { EventSocket } from "./socket";
import type { ClientMessage, ModeCatalog, Schemas } from "./types";

export type { PresenceMember, PresenceStatus, PresenceView } from "./presenceView";
export type PresenceQuery = Schemas["PresenceQuery"];
export type PresenceFilters = Schemas["PresenceFilters"];
export type PresencePolicy = PresenceQuery["policy"];
type PresenceSet = Schemas["PresenceSet"];
/** Your own fields; those left out keep the value they had (a join starts from camera off). */
export type PresenceFields = Partial<Omit<PresenceSet, "presence_mode">>;

const KEEP: Omit<PresenceSet, "presence_mode"> = {
  is_camera_on: null,
  visibility: null,
  capabilities: null,
  tags: null,
  language: null,
};

export const NO_FILTERS: PresenceFilters = {
  tags: [],
  language: null,
  camera_on: null,
  new: false,
  modes: [],
};

const POLICIES: readonly PresencePolicy[] = ["party", "grid"];

/** A manifest's `query` prop as a policy of the one presence query (the list's by default). */
export function presencePolicy(name: string | undefined): PresencePolicy {
  return POLICIES.find((policy) => policy === name) ?? "party";
}

// The server's refusals of a query (vvtv/presence/errors.py, vvtv/domain/presence/query.py).
const QUERY_REFUSALS = new Set(["invalid_query", "invalid_presence_query", "wrong_ecosystem"]);

export interface PresenceWatch {
  readonly view: ReadonlySignal<PresenceView>;
  /** The page after those shown (a large room pages; a small one shows everyone at once). */
  loadMore(): void;
  close(): void;
}

interface Watch {
  query: PresenceQuery;
  view: Signal<PresenceView>;
}

export class PresenceClient {
  /** Every field sent so far, by ecosystem: what a new socket says again. */
  private readonly joined = new Map<string, PresenceSet>();
  /** Bumped whenever `joined` changes, so what reads it (`cameraOn`) re-renders. */
  private readonly joinedVersion = signal(0);
  /** One query per ecosystem, as on the server (subscribing again replaces it). */
  private readonly watches = new Map<string, Watch>();
  private beat: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly socket: EventSocket,
    private readonly catalog: ModeCatalog,
    private readonly heartbeatS: number,
  ) {
    socket.on("auth.ok", () => this.sayEverything());
    socket.on("presence.snapshot", (event) => {
      const watch = this.watches.get(event.room);
      if (watch) watch.view.value = applySnapshot(watch.view.peek(), event, watch.query.cursor);
    });
    socket.on("presence.update", (event) => {
      const watch = this.watches.get(event.room);
      if (watch) watch.view.value = applyUpdate(watch.view.peek(), event);
    });
    socket.on("error", (event) => {
      if (event.code === "not_present") this.sayEverything();
      else if (QUERY_REFUSALS.has(event.code)) {
        // The socket does not say which subscription it refuses: the ones still waiting.
        for (const watch of this.watches.values()) {
          if (watch.view.peek().status === "connecting") {
            watch.view.value = refused(watch.view.peek(), event.code);
          }
        }
      }
    });
  }

  /** The ecosystem a mode lives in (the catalog's), or null for a mode not on offer. */
  ecosystemOf(mode: string): string | null {
    return this.catalog.modes.find((candidate) => candidate.name === mode)?.ecosystem ?? null;
  }

  /** Set your own fields in `mode`'s ecosystem (the first set there joins it). */
  set(mode: string, fields: PresenceFields = {}): void {
    const ecosystem = this.ecosystemOf(mode);
    if (ecosystem === null) return;
    const given = Object.fromEntries(
      Object.entries(fields).filter(([, value]) => value !== undefined && value !== null),
    ) as PresenceFields;
    const current = this.joined.get(ecosystem) ?? { ...KEEP, presence_mode: mode };
    this.joined.set(ecosystem, { ...current, ...given, presence_mode: mode });
    this.joinedVersion.value += 1;
    this.send({ type: "presence.set", v: 1, fields: { ...KEEP, ...given, presence_mode: mode } });
    this.pace();
  }

  /** Be present in `mode` (its ecosystem) without changing anything already set there. */
  enter(mode: string, fields: PresenceFields = {}): void {
    const ecosystem = this.ecosystemOf(mode);
    if (ecosystem === null || this.joined.get(ecosystem)?.presence_mode === mode) return;
    this.set(mode, this.joined.has(ecosystem) ? {} : fields);
  }

  leave(ecosystem: string): void {
    if (!this.joined.delete(ecosystem)) return;
    this.joinedVersion.value += 1;
    this.send({ type: "presence.leave", v: 1, ecosystem });
    this.pace();
  }

  /** The mounted mode lives in `ecosystem`: leave every other one (a new join starts afresh). */
  stayIn(ecosystem: string): void {
    for (const other of [...this.joined.keys()]) if (other !== ecosystem) this.leave(other);
  }

  /** Whether your camera is on in `ecosystem`, as last set from this tab (a signal read). */
  cameraOn(ecosystem: string): boolean {
    void this.joinedVersion.value;
    return this.joined.get(ecosystem)?.is_camera_on === true;
  }

  /** Watch an ecosystem through `query`: a snapshot, then the updates, in a signal. */
  watch(query: PresenceQuery): PresenceWatch {
    const entry: Watch = { query: { ...query, cursor: null }, view: signal(EMPTY_VIEW) };
    this.watches.set(query.ecosystem, entry);
    this.subscribe(entry);
    this.pace();
    return {
      view: entry.view,
      loadMore: () => {
        const cursor = entry.view.peek().nextCursor;
        if (cursor === null || this.watches.get(query.ecosystem) !== entry) return;
        entry.query = { ...entry.query, cursor };
        this.subscribe(entry);
      },
      close: () => {
        // A newer watch of the same ecosystem (the next mode mounting first) is not ours to end.
        if (this.watches.get(query.ecosystem) !== entry) return;
        this.watches.delete(query.ecosystem);
        this.send({ type: "presence.unsubscribe", v: 1, ecosystem: query.ecosystem });
        this.pace();
      },
    };
  }

  /** Someone this viewer blocked: out of every list now, before the room confirms it. */
  forget(userId: string): void {
    for (const watch of this.watches.values()) {
      watch.view.value = withoutUser(watch.view.peek(), userId);
    }
  }

  private subscribe(watch: Watch): void {
    this.send({ type: "presence.subscribe", v: 1, query: watch.query });
  }

  /** A new socket, or a server that lost us: every presence and query again, from page one. */
  private sayEverything(): void {
    for (const fields of this.joined.values()) {
      this.send({ type: "presence.set", v: 1, fields });
    }
    for (const watch of this.watches.values()) {
      watch.query = { ...watch.query, cursor: null };
      this.subscribe(watch);
    }
  }

  /** A closed socket drops the message; the next `auth.ok` says everything again. */
  private send(message: ClientMessage): void {
    this.socket.send(message);
  }

  /** Heartbeats while present or watching anywhere, none otherwise. */
  private pace(): void {
    const needed = this.joined.size > 0 || this.watches.size > 0;
    if (needed && this.beat === undefined) {
      this.beat = setInterval(
        () => this.send({ type: "presence.heartbeat", v: 1 }),
        this.heartbeatS * 1000,
      );
    } else if (!needed && this.beat !== undefined) {
      clearInterval(this.beat);
      this.beat = undefined;
    }
  }
}
