// The operator's console (TEL-4/5, INV-7): what it shows, asked of the admin API every
// `ui.operator_refresh_s` while a console follows it, and what it changes (the kill-switch pin,
// the incident flag; both audited by the server). The cost history is fetched whole once, then
// only the samples after the last one seen, and kept to the server's own capacity.
import { signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import type { Schemas } from "./types";

export type LiveStatus = Schemas["LiveStatus"];
export type CostReport = Schemas["CostReport"];
export type CostPoint = Schemas["CostPoint"];
export type CostHistory = Schemas["CostHistory"];
export type KillSwitchStatus = Schemas["KillSwitchStatus"];
export type FunnelReport = Schemas["FunnelReport"];
export type LabStatus = Schemas["LabStatus"];
export type AuditEntry = Schemas["AuditEntry"];
export type IncidentStatus = Schemas["IncidentStatus"];

export interface OperatorView {
  live: LiveStatus | null;
  cost: CostReport | null;
  /** Oldest first, at most the server's capacity. */
  history: CostPoint[];
  sampleIntervalS: number | null;
  ladder: KillSwitchStatus | null;
  funnel: FunnelReport | null;
  lab: LabStatus | null;
  audit: AuditEntry[];
  incident: IncidentStatus | null;
  /** When the figures were last all fetched (ms), and the last refusal's code, if any. */
  refreshedAt: number | null;
  error: string | null;
}

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
  refreshedAt: null,
  error: null,
};

/** Append `fresh` to `kept` (both oldest first), without repeats, keeping the newest `capacity`. */
export function mergeHistory(kept: CostPoint[], fresh: CostPoint[], capacity: number): CostPoint[] {
  const last = kept.length > 0 ? kept[kept.length - 1]!.seq : 0;
  const merged = [...kept, ...fresh.filter((point) => point.seq > last)];
  return merged.slice(Math.max(0, merged.length - capacity));
}

export class OperatorConsole {
  readonly view = signal<OperatorView>(EMPTY_VIEW);
  /** A pin or a switch is on its way. */
  readonly busy = signal(false);
  private followers = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly http: Http,
    private readonly refreshS: number,
  ) {}

  /** Keep the figures fresh while at least one console shows them; returns the stop. */
  follow(): () => void {
    this.followers += 1;
    if (this.followers === 1) {
      void this.refresh();
      this.timer = setInterval(() => void this.refresh(), this.refreshS * 1000);
    }
    return () => {
      this.followers -= 1;
      if (this.followers === 0) clearInterval(this.timer);
    };
  }

  async refresh(): Promise<void> {
    const known = this.view.peek().history;
    const afterSeq = known.length > 0 ? known[known.length - 1]!.seq : undefined;
    try {
      const [live, cost, history, ladder, funnel, lab, audit, incident] = await Promise.all([
        unwrap<LiveStatus>(this.http.GET("/admin/live")),
        unwrap<CostReport>(this.http.GET("/admin/cost")),
        unwrap<CostHistory>(
          this.http.GET("/admin/cost/history", {
            params: { query: afterSeq === undefined ? {} : { after_seq: afterSeq } },
          }),
        ),
        unwrap<KillSwitchStatus>(this.http.GET("/admin/kill-switch")),
        unwrap<FunnelReport>(this.http.GET("/admin/funnel")),
        unwrap<LabStatus>(this.http.GET("/lab/status")),
        unwrap<Schemas["AuditPage"]>(this.http.GET("/admin/audit")),
        unwrap<IncidentStatus>(this.http.GET("/admin/incident")),
      ]);
      const current = this.view.peek();
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
      const ladder = await unwrap<KillSwitchStatus>(
        this.http.POST("/admin/kill-switch", { body: { level, reason } }),
      );
      this.view.value = { ...this.view.peek(), ladder };
    });
  }

  /** Switch incident mode on (every call samples its QoS) or off. */
  async setIncident(active: boolean, reason: string): Promise<void> {
    await this.change(async () => {
      const incident = await unwrap<IncidentStatus>(
        this.http.POST("/admin/incident", { body: { active, reason } }),
      );
      this.view.value = { ...this.view.peek(), incident };
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
