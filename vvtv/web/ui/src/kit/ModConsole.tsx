// The moderators' console (MOD-3..5, TEL-6), for mods and admins: the report queue, oldest first,
// filtered by status, reason and context; each report in its context (who reported whom, where,
// the reported messages, whether a still is kept; a frame check's report names no one, only its
// score); claim, then decide with a reason: dismiss, warn,
// quarantine, shadow quarantine, or ban for a while or for good. Several reports at once for a raid
// (each account acted on once). The reported account's history shows every audited decision.
import { type Signal, useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, locale, t, when } from "../i18n";
import {
  ApiError,
  type DecisionBody,
  type ModerationAction,
  type QueueFilters,
  type RaisedBy,
  type ReportContext,
  type ReportDetail,
  type ReportStatus,
  type ReportView,
  type UserHistory,
  useSdk,
} from "../sdk";
import { HeldQueue } from "./HeldQueue";
import { ReasonPicker, reasonText } from "./ReasonPicker";

const STATUSES = {
  open: "mod.status_open",
  claimed: "mod.status_claimed",
  decided: "mod.status_decided",
} as const satisfies Record<ReportStatus, CopyKey>;

const CONTEXTS = {
  profile_card: "mod.context_profile_card",
  chat: "mod.context_chat",
  random: "mod.context_random",
  private_call: "mod.context_private_call",
  live: "mod.context_live",
  tile: "mod.context_tile",
} as const satisfies Record<ReportContext, CopyKey>;

const RAISED_BY = {
  person: "mod.raised_by_person",
  frame_check: "mod.raised_by_frame_check",
} as const satisfies Record<RaisedBy, CopyKey>;

const ACTIONS = {
  dismiss: "mod.action_dismiss",
  warn: "mod.action_warn",
  quarantine: "mod.action_quarantine",
  shadow_quarantine: "mod.action_shadow_quarantine",
  ban: "mod.action_ban",
} as const satisfies Record<ModerationAction, CopyKey>;

// The audit log's actions about an account, in moderators' words; any other shows as it is.
const HISTORY = {
  "report.filed": "mod.history_report",
  "moderation.dismiss": "mod.action_dismiss",
  "moderation.warn": "mod.action_warn",
  "moderation.quarantine": "mod.action_quarantine",
  "moderation.shadow_quarantine": "mod.action_shadow_quarantine",
  "moderation.ban": "mod.action_ban",
  ban: "mod.history_ban",
  unban: "mod.history_unban",
  "quarantine.shadow": "mod.history_shadow",
  "quarantine.lift": "mod.history_lift",
  "quarantine.visible": "mod.history_quarantine",
  "quarantine.visible.lift": "mod.history_lift",
  "chat.held": "mod.history_held",
  "chat.held_approved": "mod.history_held_approved",
  "chat.held_rejected": "mod.history_held_rejected",
  "chat.timeout": "mod.history_timeout",
} as const satisfies Record<string, CopyKey>;

// Refusals a moderator can act on, said plainly; anything else is the general failure.
const REFUSALS = {
  claimed_by_other: "mod.claimed_by_other",
  already_decided: "mod.already_decided",
  outranked: "mod.outranked",
} as const satisfies Record<string, CopyKey>;

function refusal(cause: unknown): string {
  const code = cause instanceof ApiError ? cause.code : "";
  return code in REFUSALS ? t(REFUSALS[code as keyof typeof REFUSALS]) : t("mod.failed");
}

/** An audited action in moderators' words; any other shows as it is. */
function actionText(action: string): string {
  return action in HISTORY ? t(HISTORY[action as keyof typeof HISTORY]) : action;
}

/** Who raised the report: its reporter, or the frame check and the score it gave the still. */
function raisedBy(report: ReportView): string {
  if (report.reporter) return report.reporter.handle ?? report.reporter.user_id;
  const score = (report.score ?? 0).toLocaleString(locale.value, {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return t("mod.frame_check_score", { score });
}

export function ModConsole(): JSX.Element {
  const { moderation } = useSdk();
  const filters = useSignal<QueueFilters>({ status: "open" });
  const reports = useSignal<ReportView[]>([]);
  const next = useSignal<number | null>(null);
  const error = useSignal<string | null>(null);
  const chosen = useSignal<number | null>(null);
  const picked = useSignal<ReadonlySet<number>>(new Set());
  const notice = useSignal<string | null>(null);

  const load = async (more = false) => {
    try {
      const page = await moderation.queue(filters.peek(), more ? next.peek() : null);
      reports.value = more ? [...reports.peek(), ...page.reports] : page.reports;
      next.value = page.next_after_id ?? null;
      error.value = null;
    } catch (cause) {
      error.value = refusal(cause);
    }
  };

  useEffect(() => {
    void load();
  }, []);

  const filter = (key: keyof QueueFilters, value: string | null) => {
    filters.value = { ...filters.peek(), [key]: value === "" || value === null ? undefined : value };
    picked.value = new Set();
    void load();
  };

  return (
    <section class="mod-console" aria-labelledby="mod-title">
      <header class="mod-head">
        <h1 id="mod-title">{t("mod.title")}</h1>
        <button type="button" class="secondary" onClick={() => void load()}>
          {t("mod.refresh")}
        </button>
      </header>
      <div class="mod-filters" role="group" aria-label={t("mod.filters")}>
        <Choice
          label={t("mod.filter_status")}
          value={filters.value.status ?? ""}
          options={(Object.keys(STATUSES) as ReportStatus[]).map((code) => [code, t(STATUSES[code])])}
          onChange={(value) => filter("status", value)}
        />
        <ReasonPicker
          kind="select"
          label={t("mod.filter_reason")}
          value={filters.value.reason_code ?? null}
          onChange={(code) => filter("reason_code", code)}
        />
        <Choice
          label={t("mod.filter_context")}
          value={filters.value.context ?? ""}
          options={(Object.keys(CONTEXTS) as ReportContext[]).map((code) => [
            code,
            t(CONTEXTS[code]),
          ])}
          onChange={(value) => filter("context", value)}
        />
        <Choice
          label={t("mod.filter_raised_by")}
          value={filters.value.raised_by ?? ""}
          options={(Object.keys(RAISED_BY) as RaisedBy[]).map((code) => [code, t(RAISED_BY[code])])}
          onChange={(value) => filter("raised_by", value)}
        />
      </div>
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      {notice.value && (
        <p class="sheet-lead" role="status">
          {notice.value}
        </p>
      )}
      <div class="mod-layout">
        <div class="mod-queue">
          {picked.value.size > 0 && (
            <Bulk
              ids={[...picked.value]}
              onDone={(said) => {
                notice.value = said;
                picked.value = new Set();
                void load();
              }}
            />
          )}
          {reports.value.length === 0 ? (
            <p class="hint">{t("mod.empty")}</p>
          ) : (
            <ul class="mod-reports">
              {reports.value.map((report) => (
                <QueueRow
                  key={report.id}
                  report={report}
                  current={chosen.value === report.id}
                  picked={picked}
                  onOpen={() => {
                    chosen.value = report.id;
                  }}
                />
              ))}
            </ul>
          )}
          {next.value !== null && (
            <button type="button" class="secondary load-more" onClick={() => void load(true)}>
              {t("mod.more")}
            </button>
          )}
        </div>
        {chosen.value !== null && (
          <Detail key={chosen.value} reportId={chosen.value} onChanged={() => void load()} />
        )}
      </div>
      <HeldQueue />
    </section>
  );
}

function Choice({
  label,
  value,
  options,
  onChange,
}: {
  label: string;
  value: string;
  options: [string, string][];
  onChange(value: string): void;
}): JSX.Element {
  return (
    <label class="field mod-choice">
      <span>{label}</span>
      <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{t("mod.any")}</option>
        {options.map(([code, text]) => (
          <option key={code} value={code}>
            {text}
          </option>
        ))}
      </select>
    </label>
  );
}

function QueueRow({
  report,
  current,
  picked,
  onOpen,
}: {
  report: ReportView;
  current: boolean;
  picked: Signal<ReadonlySet<number>>;
  onOpen(): void;
}): JSX.Element {
  const target = report.target.handle ?? report.target.user_id;
  return (
    <li
      class="mod-report"
      data-report={report.id}
      data-status={report.status}
      data-current={current ? "true" : undefined}
    >
      <input
        type="checkbox"
        aria-label={t("mod.pick", { id: report.id, handle: target })}
        checked={picked.value.has(report.id)}
        onChange={(event) => {
          const next = new Set(picked.peek());
          if (event.currentTarget.checked) next.add(report.id);
          else next.delete(report.id);
          picked.value = next;
        }}
      />
      <button type="button" class="mod-report-open" onClick={onOpen}>
        <span class="mod-report-target">{target}</span>
        <span>{reasonText(report.reason_code)}</span>
        <span>{t(CONTEXTS[report.context])}</span>
        {report.raised_by === "frame_check" && (
          <span class="mod-report-source">{t("mod.raised_by_frame_check")}</span>
        )}
        <span class="mod-report-status">{t(STATUSES[report.status])}</span>
        <time dateTime={report.created_at}>{when(report.created_at)}</time>
      </button>
    </li>
  );
}

function Detail({ reportId, onChanged }: { reportId: number; onChanged(): void }): JSX.Element {
  const { moderation } = useSdk();
  const detail = useSignal<ReportDetail | null>(null);
  const history = useSignal<UserHistory | null>(null);
  const error = useSignal<string | null>(null);
  const done = useSignal<string | null>(null);

  const load = async () => {
    try {
      const found = await moderation.detail(reportId);
      detail.value = found;
      history.value = await moderation.history(found.report.target.user_id);
    } catch (cause) {
      error.value = refusal(cause);
    }
  };
  useEffect(() => {
    void load();
  }, [reportId]);

  const found = detail.value;
  if (!found) {
    return <div class="mod-detail">{error.value ?? t("mod.loading")}</div>;
  }
  const report = found.report;
  const target = report.target.handle ?? report.target.user_id;
  const act = async (work: () => Promise<unknown>, said: string) => {
    error.value = null;
    try {
      await work();
      await load();
      // Said once the report shows what was done (its status, who holds it), not before.
      done.value = said;
      onChanged();
    } catch (cause) {
      error.value = refusal(cause);
    }
  };
  return (
    <article class="mod-detail" aria-labelledby="mod-detail-title" data-report={report.id}>
      <h2 id="mod-detail-title">{t("mod.detail_title", { id: report.id, handle: target })}</h2>
      <dl class="mod-facts">
        <dt>{t("mod.reported")}</dt>
        <dd data-fact="target">
          {target} · {t("mod.open_reports", { count: found.open_reports_of_target })}
        </dd>
        <dt>{t("mod.reporter")}</dt>
        <dd data-fact="reporter" data-raised-by={report.raised_by}>
          {raisedBy(report)}
        </dd>
        <dt>{t("mod.reason")}</dt>
        <dd data-fact="reason">
          {reasonText(report.reason_code)}
        </dd>
        <dt>{t("mod.where")}</dt>
        <dd data-fact="context">
          {t(CONTEXTS[report.context])}
          {report.mode_id ? ` · ${report.mode_id}` : ""}
        </dd>
        <dt>{t("mod.when")}</dt>
        <dd>{when(report.created_at)}</dd>
        <dt>{t("mod.status")}</dt>
        <dd data-fact="status">
          {t(STATUSES[report.status])}
          {report.claimed_by && ` · ${t("mod.claimed_by", { handle: report.claimed_by.handle ?? "" })}`}
          {report.decision && ` · ${t(ACTIONS[report.decision])}`}
        </dd>
        {report.session_id && (
          <>
            <dt>{t("mod.session")}</dt>
            <dd>{report.session_id}</dd>
          </>
        )}
      </dl>
      {report.still_id && <p class="hint">{t("mod.still_kept", { time: when(report.still_expires_at ?? "") })}</p>}
      {found.messages.length > 0 && (
        <section aria-label={t("mod.messages")}>
          <h3>{t("mod.messages")}</h3>
          <ol class="mod-messages">
            {found.messages.map((message) => (
              <li key={message.message_id}>
                <span class="chat-author">{message.author_handle ?? message.author_id}</span>{" "}
                <span class="chat-body">{message.body}</span>
              </li>
            ))}
          </ol>
        </section>
      )}
      {done.value && (
        <p class="sheet-lead" role="status">
          {done.value}
        </p>
      )}
      {error.value && (
        <p class="form-error" role="alert">
          {error.value}
        </p>
      )}
      {report.status === "open" && (
        <button
          type="button"
          class="secondary"
          onClick={() => void act(() => moderation.claim(report.id), t("mod.claimed"))}
        >
          {t("mod.claim")}
        </button>
      )}
      {report.status !== "decided" && (
        <DecisionForm
          onDecide={(decision) =>
            act(() => moderation.decide(report.id, decision), t("mod.decided"))
          }
        />
      )}
      <History history={history.value} />
    </article>
  );
}

// The actions that last for a while or until undone (a ban for good, a quarantine until lifted).
const TIMED: readonly ModerationAction[] = ["ban", "quarantine"];

/** Pick an action, a ban's or a quarantine's length, and say why; `onDecide` sends it. */
function DecisionForm({
  onDecide,
  submitLabel = t("mod.decide"),
}: {
  onDecide(decision: DecisionBody): Promise<unknown>;
  submitLabel?: string;
}): JSX.Element {
  const action = useSignal<ModerationAction>("dismiss");
  const forGood = useSignal(true);
  const hours = useSignal("");
  const reason = useSignal("");
  const busy = useSignal(false);

  const submit = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const timed = TIMED.includes(action.value) && !forGood.value;
    busy.value = true;
    await onDecide({
      action: action.value,
      reason: reason.value.trim(),
      duration_s: timed ? Math.round(Number(hours.value) * 3600) : null,
    });
    busy.value = false;
  };
  const lasting = TIMED.includes(action.value);
  const timed = lasting && !forGood.value;
  return (
    <form class="form mod-decision" onSubmit={(event) => void submit(event)}>
      <fieldset>
        <legend>{t("mod.action")}</legend>
        {(Object.keys(ACTIONS) as ModerationAction[]).map((code) => (
          <label key={code} class="check">
            <input
              type="radio"
              name="action"
              value={code}
              checked={action.value === code}
              onChange={() => {
                action.value = code;
              }}
            />
            <span>{t(ACTIONS[code])}</span>
          </label>
        ))}
      </fieldset>
      {lasting && (
        <fieldset>
          <legend>{t("mod.ban_length")}</legend>
          <label class="check">
            <input
              type="radio"
              name="ban-length"
              checked={forGood.value}
              onChange={() => {
                forGood.value = true;
              }}
            />
            <span>
              {t(action.value === "ban" ? "mod.ban_for_good" : "mod.quarantine_until_lifted")}
            </span>
          </label>
          <label class="check">
            <input
              type="radio"
              name="ban-length"
              checked={!forGood.value}
              onChange={() => {
                forGood.value = false;
              }}
            />
            <span>{t("mod.ban_timed")}</span>
          </label>
          {timed && (
            <label class="field">
              <span>{t("mod.ban_hours")}</span>
              <input
                type="number"
                min="1"
                required
                value={hours.value}
                onInput={(event) => {
                  hours.value = event.currentTarget.value;
                }}
              />
            </label>
          )}
        </fieldset>
      )}
      <label class="field">
        <span>{t("mod.decision_reason")}</span>
        <textarea
          required
          value={reason.value}
          onInput={(event) => {
            reason.value = event.currentTarget.value;
          }}
        />
      </label>
      <button type="submit" class="primary" disabled={busy.value || reason.value.trim() === ""}>
        {submitLabel}
      </button>
    </form>
  );
}

/** One decision over the picked reports (a raid); `onDone` says what it did. */
function Bulk({ ids, onDone }: { ids: number[]; onDone(said: string): void }): JSX.Element {
  const { moderation } = useSdk();
  const failed = useSignal<string | null>(null);
  return (
    <section class="mod-bulk" aria-label={t("mod.bulk")}>
      <h2>{t("mod.bulk_title", { count: ids.length })}</h2>
      {failed.value && (
        <p class="form-error" role="alert">
          {failed.value}
        </p>
      )}
      <DecisionForm
        submitLabel={t("mod.bulk_decide", { count: ids.length })}
        onDecide={async (decision) => {
          try {
            const done = await moderation.decideAll(ids, decision);
            onDone(
              t("mod.bulk_done", {
                decided: done.decided.length,
                accounts: done.target_user_ids.length,
                skipped: done.skipped?.length ?? 0,
              }),
            );
          } catch (cause) {
            failed.value = refusal(cause);
          }
        }}
      />
    </section>
  );
}

function History({ history }: { history: UserHistory | null }): JSX.Element | null {
  if (!history) return null;
  return (
    <section class="mod-history" aria-labelledby="mod-history-title">
      <h3 id="mod-history-title">{t("mod.history", { handle: history.user.handle })}</h3>
      {history.entries.length === 0 ? (
        <p class="hint">{t("mod.history_empty")}</p>
      ) : (
        <ol>
          {history.entries.map((entry) => (
            <li key={entry.id} data-action={entry.action}>
              <time dateTime={entry.at}>{when(entry.at)}</time>{" "}
              <strong>{actionText(entry.action)}</strong>
              {entry.reason && <span class="mod-history-reason"> · {entry.reason}</span>}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
