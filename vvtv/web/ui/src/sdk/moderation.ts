// Reports, warnings and the moderators' console (MOD-1, MOD-3..5, TEL-6). Anyone signed in reports
// someone from where they met them (the reasons offered come from config) and is told of a
// moderator's warning: at once on the socket, and at each load until they say they have seen it.
// Mods and admins read the queue, claim, decide (one report or a raid's many) and read histories.
import { signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import type { ChatScope } from "./chat";
import type { EventSocket } from "./socket";
import type { Schemas } from "./types";

export type ReportContext = Schemas["ReportFiling"]["context"];
export type ReportReason = Schemas["ReportFiling"]["reason_code"];
export type ReportStatus = Schemas["ReportView"]["status"];
/** Who raised a report: a person, or the SFU's automated frame checks (no reporter, a score). */
export type RaisedBy = NonNullable<Schemas["ReportView"]["raised_by"]>;
export type ReportView = Schemas["ReportView"];
export type ReportPage = Schemas["ReportPage"];
export type ReportDetail = Schemas["ReportDetail"];
export type ModerationAction = Schemas["Decision"]["action"];
export type DecisionView = Schemas["DecisionView"];
export type UserHistory = Schemas["UserHistory"];
export type WarningView = Schemas["WarningView"];
export type HeldMessage = Schemas["HeldMessageView"];
export type HeldAction = Schemas["HeldDecision"]["action"];

/** Who is reported, and where from (MOD-1's metadata): what the report carries besides a reason. */
export interface Subject {
  userId: string;
  handle: string;
  context: ReportContext;
  sessionId?: string | null;
  threadId?: string | null;
  modeId?: string | null;
  messageIds?: string[];
  /** What is reported, shown in the sheet (a message's text); never sent back. */
  quote?: string;
}

/** Where a report from a call was made: an invited call is private, any other is Random's. */
export function callReportContext(invited: boolean): ReportContext {
  return invited ? "private_call" : "random";
}

/** Where a report of a chat message was made: a live room's chat is the live room (MOD-5). */
export function chatReportContext(scope: ChatScope): ReportContext {
  return scope === "live_public" ? "live" : "chat";
}

export interface QueueFilters {
  status?: ReportStatus;
  reason_code?: ReportReason;
  context?: ReportContext;
  raised_by?: RaisedBy;
  target_user_id?: string;
}

export type DecisionBody = Schemas["Decision"];

export class Moderation {
  /** The caller's warnings not yet acknowledged, oldest first. */
  readonly warnings = signal<WarningView[]>([]);
  private reasonCodes: Promise<ReportReason[]> | null = null;

  /** `account` renews the sign-in, whose answer carries the account as it is now (GET /me's). */
  constructor(
    private readonly http: Http,
    socket: EventSocket,
    account: { renew(): Promise<unknown> },
  ) {
    socket.on("auth.ok", () => void this.resync());
    socket.on("moderation.warning", (event) => {
      if (this.warnings.peek().some((known) => known.id === event.id)) return;
      this.warnings.value = [
        ...this.warnings.peek(),
        { id: event.id, reason: event.reason, at: event.at },
      ];
      // A warning may come with a quarantine the account is to see at once (MOD-6): its terms
      // are in the account's flags. Offline, the next renewal brings them.
      account.renew().catch(() => undefined);
    });
  }

  /** The reasons to offer, in config's order (asked once). */
  reasons(): Promise<ReportReason[]> {
    this.reasonCodes ??= unwrap(this.http.GET("/reports/reasons"))
      .then((answer) => answer.reason_codes)
      .catch((cause: unknown) => {
        this.reasonCodes = null; // ask again next time
        throw cause;
      });
    return this.reasonCodes;
  }

  report(subject: Subject, reason: ReportReason) {
    return unwrap(
      this.http.POST("/reports", {
        body: {
          target_user_id: subject.userId,
          reason_code: reason,
          context: subject.context,
          session_id: subject.sessionId ?? null,
          thread_id: subject.threadId ?? null,
          mode_id: subject.modeId ?? null,
          message_ids: subject.messageIds ?? [],
        },
      }),
    );
  }

  async seen(warningId: number): Promise<void> {
    const left = await unwrap(
      this.http.POST("/moderation/warnings/{warning_id}/seen", {
        params: { path: { warning_id: warningId } },
        body: {},
      }),
    );
    this.warnings.value = left.warnings;
  }

  /** Ask for the warnings a socket may have missed (a tab opened after one was given). */
  async resync(): Promise<void> {
    try {
      const found = await unwrap(this.http.GET("/moderation/warnings"));
      this.warnings.value = found.warnings;
    } catch {
      // asked again at the next socket; the warning waits on the server meanwhile
    }
  }

  // -- the console (mods and admins) ----------------------------------------------------------

  queue(filters: QueueFilters, afterId: number | null = null): Promise<ReportPage> {
    return unwrap(
      this.http.GET("/admin/reports", {
        params: { query: { ...filters, after_id: afterId ?? undefined } },
      }),
    );
  }

  detail(reportId: number): Promise<ReportDetail> {
    return unwrap(
      this.http.GET("/admin/reports/{report_id}", { params: { path: { report_id: reportId } } }),
    );
  }

  claim(reportId: number): Promise<ReportView> {
    return unwrap(
      this.http.POST("/admin/reports/{report_id}/claim", {
        params: { path: { report_id: reportId } },
        body: {},
      }),
    );
  }

  decide(reportId: number, decision: DecisionBody): Promise<DecisionView> {
    return unwrap(
      this.http.POST("/admin/reports/{report_id}/decision", {
        params: { path: { report_id: reportId } },
        body: decision,
      }),
    );
  }

  decideAll(reportIds: number[], decision: DecisionBody): Promise<DecisionView> {
    return unwrap(
      this.http.POST("/admin/reports/bulk", { body: { report_ids: reportIds, ...decision } }),
    );
  }

  /** What chat auto-moderation holds for review, newest first. */
  async held(): Promise<HeldMessage[]> {
    return (await unwrap(this.http.GET("/mod/held", { params: { query: {} } }))).messages;
  }

  /** Approve a held message (delivered into its thread as its author's) or reject it (never). */
  decideHeld(heldId: number, action: HeldAction): Promise<HeldMessage> {
    return unwrap(
      this.http.POST("/mod/held/{held_id}/decision", {
        params: { path: { held_id: heldId } },
        body: { action, reason: null },
      }),
    );
  }

  history(userId: string): Promise<UserHistory> {
    return unwrap(
      this.http.GET("/admin/users/{user_id}/history", { params: { path: { user_id: userId } } }),
    );
  }
}
