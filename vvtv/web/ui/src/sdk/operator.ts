// The operator's console (TEL-4/5, INV-7): what it shows and what it changes (the kill-switch
// pin, the incident flag, Shield Mode; each audited by the server). Everything is read once from
// the admin API when a console opens; then, instead of polling, the socket follows it (`operator.follow`):
// the server pushes `operator.update` after each cost sample and each move of the ladder, with
// the cost samples and audit entries new since. A new socket (a reconnect) follows again. The
// cost history is kept to the server's own capacity.
import { signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import type { EventSocket } from "./socket";
import type { EventOf } from "./types";

export type OperatorUpdate = EventOf<"operator.update">;
/** The figures each `operator.update` carries whole, as the admin API answers them one by one. */
type Figures = Pick<OperatorUpdate, "live" | "cost" | "ladder" | "funnel" | "lab" | "incident" | "shield">;
export type CostPoint = OperatorUpdate["samples"][number];
export type AuditEntry = OperatorUpdate["audit"][number];
export type KillSwitchStatus = Figures["ladder"];

/** Each figure null until first read. */
export type OperatorView = { [Name in keyof Figures]: Figures[Name] | null } & {
  /** Oldest first, at most the server's capacity. */
  history: CostPoint[];
  sampleIntervalS: number | null;
  audit: AuditEntry[];
  /** When the figures last changed (fetched or pushed, ms), and the last refusal's code. */
  refreshedAt: number | null;
  error: string | null;
};

export const EMPTY_VIEW: OperatorView = {
  live: null,
  cost: null,
  history: [],
  sampleIntervalS: null,
  ladder: null,
  funnel: null,
  lab: null,
  audit: [],
  incident: null,
  shield: null,
  refreshedAt: null,
  error: null,
};

/** Append `fresh` to `kept` (both oldest first), without repeats, keeping the newest `capacity`. */
export function mergeHistory(kept: CostPoint[], fresh: CostPoint[], capacity: number): CostPoint[] {
  const last = kept.length > 0 ? kept[kept.length - 1]!.seq : 0;
  const merged = [...kept, ...fresh.filter((point) => point.seq > last)];
  return merged.slice(Math.max(0, merged.length - capacity));
}

/** Newest first, without repeats, the newest `most`: what was pushed before what was kept. */
export function mergeAudit(kept: AuditEntry[], fresh: AuditEntry[], most: number): AuditEntry[] {
  const known = new Set(kept.map((entry) => entry.id));
  const merged = [...fresh.filter((entry) => !known.has(entry.id)), ...kept];
  return merged.sort((a, b) => b.id - a.id).slice(0, most);
}

export class OperatorConsole {
  readonly view = signal<OperatorView>(EMPTY_VIEW);
  /** A pin or a switch is on its way. */
  readonly busy = signal(false);
  private followers = 0;
  private capacity: number | null = null;

  constructor(
    private readonly http: Http,
    private readonly socket: EventSocket,
    /** The newest audit entries kept: a console open for days does not grow without end. */
    private readonly auditKept: number,
  ) {
    socket.on("operator.update", (update) => {
      if (this.followers > 0) this.apply(update);
    });
    socket.on("auth.ok", () => {
      if (this.followers > 0) this.socket.send({ type: "operator.follow", v: 1 });
    });
  }

  /** Read everything once, then keep it fresh from the socket while at least one console
   * shows it; returns the stop. */
  follow(): () => void {
    this.followers += 1;
    if (this.followers === 1) {
      void this.refresh();
      this.socket.send({ type: "operator.follow", v: 1 });
    }
    return () => {
      this.followers -= 1;
      if (this.followers === 0) this.socket.send({ type: "operator.unfollow", v: 1 });
    };
  }

  /** What the server pushed: the figures as of now, and the samples and entries new since. */
  apply(update: OperatorUpdate): void {
    const current = this.view.peek();
    const capacity = this.capacity ?? current.history.length + update.samples.length;
    this.view.value = {
      ...current,
      live: update.live,
      cost: update.cost,
      ladder: update.ladder,
      funnel: update.funnel,
      lab: update.lab,
      incident: update.incident,
      shield: update.shield,
      history: mergeHistory(current.history, update.samples, capacity),
      audit: mergeAudit(current.audit, update.audit, this.auditKept),
      refreshedAt: Date.now(),
      error: null,
    };
  }

  async refresh(): Promise<void> {
    const known = this.view.peek().history;
    const afterSeq = known.length > 0 ? known[known.length - 1]!.seq : undefined;
    try {
      const [live, cost, history, ladder, funnel, lab, audit, incident, shield] = await Promise.all([
        unwrap(this.http.GET("/admin/live")),
        unwrap(this.http.GET("/admin/cost")),
        unwrap(
          this.http.GET("/admin/cost/history", {
            params: { query: afterSeq === undefined ? {} : { after_seq: afterSeq } },
          }),
        ),
        unwrap(this.http.GET("/admin/kill-switch")),
        unwrap(this.http.GET("/admin/funnel")),
        unwrap(this.http.GET("/lab/status")),
        unwrap(this.http.GET("/admin/audit")),
        unwrap(this.http.GET("/admin/incident")),
        unwrap(this.http.GET("/admin/shield")),
      ]);
      const current = this.view.peek();
      this.capacity = history.capacity;
      this.view.value = {
        live,
        cost,
        history: mergeHistory(current.history, history.samples, history.capacity),
        sampleIntervalS: history.sample_interval_s,
        ladder,
        funnel,
        lab,
        audit: audit.entries,
        incident,
        shield,
        refreshedAt: Date.now(),
        error: null,
      };
    } catch (error) {
      const code = (error as { code?: string }).code ?? "network";
      this.view.value = { ...this.view.peek(), error: code };
    }
  }

  /** Pin the ladder at `level` (0: nothing taken), or give it back to the load (null). */
  async pin(level: number | null, reason: string): Promise<void> {
    await this.change(async () => {
      const ladder = await unwrap(
        this.http.POST("/admin/kill-switch", { body: { level, reason } }),
      );
      this.view.value = { ...this.view.peek(), ladder };
    });
  }

  /** Switch incident mode on (every call samples its QoS) or off. */
  async setIncident(active: boolean, reason: string): Promise<void> {
    await this.change(async () => {
      const incident = await unwrap(
        this.http.POST("/admin/incident", { body: { active, reason } }),
      );
      this.view.value = { ...this.view.peek(), incident };
    });
  }

  /** Switch Shield Mode on (config's preset at once, and its sweep) or off (all reverted). */
  async setShield(active: boolean, reason: string): Promise<void> {
    await this.change(async () => {
      const shield = await unwrap(this.http.POST("/admin/shield", { body: { active, reason } }));
      this.view.value = { ...this.view.peek(), shield };
    });
  }

  private async change(work: () => Promise<void>): Promise<void> {
    this.busy.value = true;
    try {
      await work();
      await this.refresh(); // the audit entry and the ladder's notice follow the change
    } finally {
      this.busy.value = false;
    }
  }
}
