// The moderators' console (MOD-3..5, TEL-6), for mods and admins: the report queue, oldest first,
// filtered by status, reason and context; each report in its context (who reported whom, where,
// the reported messages, whether a still is kept; a frame check's report names no one, only its
// score); claim, then decide with a reason: dismiss, warn,
// quarantine, shadow quarantine, or ban for a while or for good. Several reports at once for a raid
// (each account acted on once). The reported account's history shows every audited decision.
import { type Signal, useSignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, locale, t, when } from "../i18n";
import {
  ApiError,
  type DecisionBody,
  type ModerationAction,
  type QueueFilters,
  type ReportDetail,
  type ReportView,
  type UserHistory,
  useSdk,
} from "../sdk";
import { HeldQueue } from "./HeldQueue";
import { ModHead, Said } from "./ModParts";
import { MOD_WORDS } from "./modWords";
import { ReasonPicker, reasonText } from "./ReasonPicker";

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
      <ModHead id="mod-title" level="h1" title={t("mod.title")} onRefresh={() => void load()} />
      <div class="mod-filters" role="group" aria-label={t("mod.filters")}>
        <Choice field="status" filters={filters.value} onChange={filter} />
        <ReasonPicker
          kind="select"
          label={t("mod.filter_reason")}
          value={filters.value.reason_code ?? null}
          onChange={(code) => filter("reason_code", code)}
        />
        <Choice field="context" filters={filters.value} onChange={filter} />
        <Choice field="raised_by" filters={filters.value} onChange={filter} />
      </div>
      <Said text={error.value} alert />
      <Said text={notice.value} />
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

// The report fields the queue filters by with a Choice, by name.
const FILTERED_BY = {
  status: "mod.filter_status",
  context: "mod.filter_context",
  raised_by: "mod.filter_raised_by",
} as const satisfies Partial<Record<keyof QueueFilters, CopyKey>>;

/** A report field the queue filters by: a select of its values in moderators' words, or any. */
function Choice({
  field,
  filters,
  onChange,
}: {
  field: keyof typeof FILTERED_BY;
  filters: QueueFilters;
  onChange(field: keyof QueueFilters, value: string): void;
}): JSX.Element {
  const fieldWords: Record<string, CopyKey> = MOD_WORDS[field];
  return (
    <label class="field mod-choice">
      <span>{t(FILTERED_BY[field])}</span>
      <select
        value={filters[field] ?? ""}
        onChange={(event) => onChange(field, event.currentTarget.value)}
      >
        <option value="">{t("mod.any")}</option>
        {Object.keys(fieldWords).map((code) => (
          <option key={code} value={code}>
            {t(fieldWords[code]!)}
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
        <span>{t(MOD_WORDS.context[report.context])}</span>
        {report.raised_by === "frame_check" && (
          <span class="mod-report-source">{t("mod.raised_by_frame_check")}</span>
        )}
        <span class="mod-report-status">{t(MOD_WORDS.status[report.status])}</span>
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
          {t(MOD_WORDS.context[report.context])}
          {report.mode_id ? ` · ${report.mode_id}` : ""}
        </dd>
        <dt>{t("mod.when")}</dt>
        <dd>{when(report.created_at)}</dd>
        <dt>{t("mod.status")}</dt>
        <dd data-fact="status">
          {t(MOD_WORDS.status[report.status])}
          {report.claimed_by && ` · ${t("mod.claimed_by", { handle: report.claimed_by.handle ?? "" })}`}
          {report.decision && ` · ${t(MOD_WORDS.decision[report.decision])}`}
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
      <Said text={done.value} />
      <Said text={error.value} alert />
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

/** One choice of a radio group, with its words. */
function Radio({
  name,
  value,
  checked,
  onPick,
  children,
}: {
  name: string;
  value?: string;
  checked: boolean;
  onPick(): void;
  children: ComponentChildren;
}): JSX.Element {
  return (
    <label class="check">
      <input type="radio" name={name} value={value} checked={checked} onChange={onPick} />
      <span>{children}</span>
    </label>
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
        {(Object.keys(MOD_WORDS.decision) as ModerationAction[]).map((code) => (
          <Radio
            key={code}
            name="action"
            value={code}
            checked={action.value === code}
            onPick={() => (action.value = code)}
          >
            {t(MOD_WORDS.decision[code])}
          </Radio>
        ))}
      </fieldset>
      {lasting && (
        <fieldset>
          <legend>{t("mod.ban_length")}</legend>
          <Radio name="ban-length" checked={forGood.value} onPick={() => (forGood.value = true)}>
            {t(action.value === "ban" ? "mod.ban_for_good" : "mod.quarantine_until_lifted")}
          </Radio>
          <Radio name="ban-length" checked={!forGood.value} onPick={() => (forGood.value = false)}>
            {t("mod.ban_timed")}
          </Radio>
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
      <Said text={failed.value} alert />
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
