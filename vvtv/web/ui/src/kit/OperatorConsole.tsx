// The operator's console (TEL-4/5, INV-7; admins only, the shell says no to anyone else): cost
// per mode and money per hour, with charts over the hours the server keeps; the kill-switch
// ladder and its override; live counts; the funnel; the channel's queue; alerts; incident mode;
// Shield Mode; the audit log. Pushed by the server over the socket as it changes while it is on
// screen.
import { type Signal, useSignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useMemo } from "preact/hooks";
import { type CopyKey, locale, modeLabel, t } from "../i18n";
import { type CostPoint, type KillSwitchStatus, type OperatorView, useSdk } from "../sdk";
import { type ChartSeries, CostChart } from "./CostChart";

const MS_PER_S = 1000;
const S_PER_MIN = 60;
const PERCENT = 100;
const CHART_HEIGHT = 180;

type Alert = NonNullable<OperatorView["live"]>["alerts"][number];

function number(value: number, digits: number): string {
  return new Intl.NumberFormat(locale.value, {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

function money(value: number): string {
  return new Intl.NumberFormat(locale.value, {
    style: "currency",
    currency: "USD",
    minimumFractionDigits: 2,
    maximumFractionDigits: 4,
  }).format(value);
}

function clock(iso: string | number): string {
  return new Date(iso).toLocaleTimeString(locale.value);
}

/** A chart of the cost history: its name, words and unit, and its series. */
interface Chart {
  name: string;
  label: string;
  unit: string;
  series: ChartSeries[];
}

/** The total money per hour, estimated and measured, and each mode's estimated GB/h over time. */
function chartsOf(history: CostPoint[]): { times: number[]; charts: Chart[] } {
  const times = history.map((point) => Date.parse(point.at) / MS_PER_S);
  const names = [...new Set(history.flatMap((point) => Object.keys(point.estimated_gb_per_hour)))].sort();
  const money = [
    { label: t("operator.estimated"), values: history.map((point) => point.estimated_usd_per_hour) },
    { label: t("operator.measured"), values: history.map((point) => point.measured_usd_per_hour) },
  ];
  const modes = names.map((name) => ({
    label: modeLabel(name),
    values: history.map((point) => point.estimated_gb_per_hour[name] ?? null),
  }));
  return {
    times,
    charts: [
      { name: "money", label: t("operator.chart_money"), unit: t("operator.usd_h"), series: money },
      { name: "modes", label: t("operator.chart_modes"), unit: t("operator.estimated_gb_h"), series: modes },
    ],
  };
}

export function OperatorConsole(): JSX.Element {
  const { operator } = useSdk();
  useEffect(() => operator.follow(), []);
  const view = operator.view.value;
  const charts = useMemo(() => chartsOf(view.history), [view.history, locale.value]);

  return (
    <section class="operator-console" aria-labelledby="operator-title">
      <header class="operator-head">
        <h1 id="operator-title">{t("operator.title")}</h1>
        <p class="operator-updated" role="status">
          {view.refreshedAt ? t("operator.updated", { time: clock(view.refreshedAt) }) : t("operator.loading")}
        </p>
        {view.error && (
          <p class="form-error" role="alert" data-code={view.error}>
            {t("operator.refresh_failed")}
          </p>
        )}
      </header>
      <div class="operator-grid">
        <Cost cost={view.cost} charts={charts} />
        <Live live={view.live} />
        <Ladder ladder={view.ladder} />
        <Funnel funnel={view.funnel} />
        <Channel lab={view.lab} />
        <Alerts alerts={view.live?.alerts ?? []} />
        <Incident incident={view.incident} />
        <Shield shield={view.shield} />
        <Audit audit={view.audit} />
      </div>
    </section>
  );
}

function Card({ id, title, children }: { id: string; title: string; children?: ComponentChildren }) {
  return (
    <section class="operator-card" data-card={id} aria-labelledby={`operator-${id}`}>
      <h2 id={`operator-${id}`}>{title}</h2>
      {children}
    </section>
  );
}

interface FigureProps {
  name?: string;
  label: string;
  value: ComponentChildren | undefined;
  health?: string;
}

function Figure({ name, label, value, health }: FigureProps) {
  return (
    <div class="operator-figure" data-live={name} data-health={health}>
      <dt>{label}</dt>
      <dd>{value ?? "–"}</dd>
    </div>
  );
}

/** An operator's action that is audited with a reason: the reason typed, the refusal if any. */
interface ReasonedAction {
  reason: Signal<string>;
  refused: Signal<string | null>;
  /** No reason yet, or another action still in flight. */
  blocked: boolean;
  run: (act: (reason: string) => Promise<unknown>) => Promise<void>;
}

function useReasonedAction(): ReasonedAction {
  const { operator } = useSdk();
  const reason = useSignal("");
  const refused = useSignal<string | null>(null);
  return {
    reason,
    refused,
    blocked: operator.busy.value || !reason.value.trim(),
    run: async (act) => {
      refused.value = null;
      try {
        await act(reason.value.trim());
        reason.value = "";
      } catch (error) {
        refused.value = (error as { message?: string }).message ?? t("operator.refresh_failed");
      }
    },
  };
}

/** The form of a reasoned action: its own fields first, the reason, its buttons, its refusal. */
function ReasonForm({
  action,
  onSubmit,
  before,
  children,
}: {
  action: ReasonedAction;
  onSubmit: () => void;
  before?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <form
      class="operator-form"
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
    >
      {before}
      <label>
        {t("operator.reason")}
        <input
          type="text"
          required
          value={action.reason.value}
          onInput={(event) => {
            action.reason.value = (event.target as HTMLInputElement).value;
          }}
        />
      </label>
      {children}
      {action.refused.value && (
        <p class="form-error" role="alert">
          {action.refused.value}
        </p>
      )}
    </form>
  );
}

function Live({ live }: { live: OperatorView["live"] }) {
  return (
    <Card id="live" title={t("operator.live")}>
      <dl class="operator-figures">
        <Figure name="channel_viewers" label={t("operator.channel_viewers")} value={live?.channel_viewers} />
        <Figure name="party_members" label={t("operator.party_members")} value={live?.party_members} />
        <Figure name="random_queue" label={t("operator.random_queue")} value={live?.random_queue} />
        <Figure name="calls" label={t("operator.calls")} value={live?.calls} />
      </dl>
    </Card>
  );
}

function Cost({ cost, charts }: { cost: OperatorView["cost"]; charts: ReturnType<typeof chartsOf> }) {
  return (
    <Card id="cost" title={t("operator.cost")}>
      {cost && (
        <>
          <p class="operator-total" data-total-usd={cost.total_estimated_usd_per_hour}>
            {t("operator.total", {
              estimated: money(cost.total_estimated_usd_per_hour),
              measured: money(cost.total_measured_usd_per_hour),
              gb: number(cost.total_estimated_gb_per_hour, 2),
              ceiling: number(cost.ceiling_gb_per_hour, 0),
            })}
          </p>
          <table class="operator-table">
            <thead>
              <tr>
                <th scope="col">{t("operator.mode")}</th>
                <th scope="col">{t("operator.sessions")}</th>
                <th scope="col">{t("operator.estimated_gb_h")}</th>
                <th scope="col">{t("operator.measured_gb_h")}</th>
                <th scope="col">{t("operator.usd_h")}</th>
              </tr>
            </thead>
            <tbody>
              {cost.lines.length === 0 && (
                <tr>
                  <td colSpan={5}>{t("operator.no_cost")}</td>
                </tr>
              )}
              {cost.lines.map((line) => (
                <tr key={line.mode} data-mode-line={line.mode}>
                  <th scope="row">{modeLabel(line.mode)}</th>
                  <td>{line.viewers}</td>
                  <td>{number(line.estimated_gb_per_hour, 3)}</td>
                  <td>{number(line.measured_gb_per_hour, 3)}</td>
                  <td>{money(line.estimated_usd_per_hour)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
      {charts.times.length > 1 ? (
        <div class="operator-charts">
          {charts.charts.map((chart) => (
            <CostChart
              key={chart.name}
              times={charts.times}
              series={chart.series}
              unit={chart.unit}
              label={chart.label}
              height={CHART_HEIGHT}
            />
          ))}
        </div>
      ) : (
        <p class="operator-muted">{t("operator.chart_waiting")}</p>
      )}
    </Card>
  );
}

function Ladder({ ladder }: { ladder: KillSwitchStatus | null }) {
  const { operator } = useSdk();
  const level = useSignal<number | null>(null);
  const action = useReasonedAction();
  if (!ladder) return <Card id="ladder" title={t("operator.ladder")} />;
  const pinned = ladder.override_level !== null && ladder.override_level !== undefined;
  const chosen = level.value ?? ladder.level;
  const act = (pin: number | null) =>
    action.run(async (reason) => {
      await operator.pin(pin, reason);
      level.value = null;
    });
  return (
    <Card id="ladder" title={t("operator.ladder")}>
      <p class="operator-level" data-level={ladder.level} data-pinned={pinned ? "true" : "false"}>
        {pinned
          ? t("operator.level_pinned", { level: ladder.level, steps: ladder.steps.length })
          : t("operator.level_load", { level: ladder.level, steps: ladder.steps.length })}
      </p>
      <p class="operator-muted">
        {t("operator.load", {
          load: number(ladder.load_gb_per_hour, 2),
          ceiling: number(ladder.ceiling_gb_per_hour, 0),
          below: number(ladder.step_up_below_gb_per_hour, 0),
          automatic: ladder.automatic_level,
        })}
      </p>
      <ol class="operator-steps">
        {ladder.steps.map((step, index) => (
          <li key={step} data-step={step} data-engaged={index < ladder.level ? "true" : "false"}>
            {step}
          </li>
        ))}
      </ol>
      <ReasonForm
        action={action}
        onSubmit={() => void act(chosen)}
        before={
          <label>
            {t("operator.pin_level")}
            <select
              value={String(chosen)}
              onChange={(event) => {
                level.value = Number((event.target as HTMLSelectElement).value);
              }}
            >
              {[...Array(ladder.steps.length + 1).keys()].map((option) => (
                <option key={option} value={String(option)}>
                  {option === 0 ? t("operator.level_none") : `${option} · ${ladder.steps[option - 1]}`}
                </option>
              ))}
            </select>
          </label>
        }
      >
        <div class="operator-actions">
          <button type="submit" class="primary" disabled={action.blocked}>
            {t("operator.pin")}
          </button>
          {pinned && (
            <button type="button" class="secondary" disabled={action.blocked} onClick={() => void act(null)}>
              {t("operator.unpin")}
            </button>
          )}
        </div>
      </ReasonForm>
    </Card>
  );
}

function Funnel({ funnel }: { funnel: OperatorView["funnel"] }) {
  const chains = funnel?.chains ?? [];
  return (
    <Card id="funnel" title={t("operator.funnel")}>
      {chains.map((chain) => {
        const top = Math.max(1, ...chain.steps.map((step) => step.count));
        return (
          <div key={chain.name} class="operator-chain" data-chain={chain.name}>
            <h3>{chain.name}</h3>
            <ol>
              {chain.steps.map((step) => (
                <li key={step.event} data-event={step.event} data-count={step.count}>
                  <span class="operator-step-name">{step.event}</span>
                  <meter min={0} max={top} value={step.count} />
                  <span class="operator-step-count">{step.count}</span>
                </li>
              ))}
            </ol>
          </div>
        );
      })}
    </Card>
  );
}

function Channel({ lab }: { lab: OperatorView["lab"] }) {
  return (
    <Card id="channel" title={t("operator.channel")}>
      {lab && (
        <dl class="operator-figures">
          <Figure name="on_air" label={t("operator.on_air")} value={lab.on_air} />
          <Figure
            name="queue_slack"
            label={t("operator.queue_slack")}
            value={t("operator.minutes", { minutes: number(lab.queue_slack_s / S_PER_MIN, 0) })}
          />
          <Figure
            name="queue_health"
            label={t("operator.queue_health")}
            value={lab.queue_health}
            health={lab.queue_health}
          />
          <Figure label={t("operator.pipeline")} value={lab.pipeline} />
        </dl>
      )}
    </Card>
  );
}

function Alerts({ alerts }: { alerts: Alert[] }) {
  return (
    <Card id="alerts" title={t("operator.alerts")}>
      {alerts.length === 0 ? (
        <p class="operator-muted">{t("operator.all_ok")}</p>
      ) : (
        <ul class="operator-alerts">
          {alerts.map((alert) => (
            <li key={alert.service} data-service={alert.service} data-state={alert.state}>
              <strong>{alert.service}</strong> {alert.state}
              {alert.detail ? ` · ${alert.detail}` : ""}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

// Each switch's words: its card's title, what it says on and off, its button's to switch it on and off.
const SWITCH_WORDS = {
  incident: {
    title: "operator.incident",
    on: "operator.incident_on",
    off: "operator.incident_off",
    start: "operator.incident_start",
    stop: "operator.incident_stop",
  },
  shield: {
    title: "operator.shield",
    on: "operator.shield_on",
    off: "operator.shield_off",
    start: "operator.shield_start",
    stop: "operator.shield_stop",
  },
} as const satisfies Record<string, Record<"title" | "on" | "off" | "start" | "stop", CopyKey>>;

/** A switch as the server reports it: on now; when that can be forced (incident mode, by the
 * ladder's tier), also whether the operator's own switch is on, and whether it is forced. */
interface SwitchStatus {
  active: boolean;
  switched_on?: boolean;
  forced_by_tier?: boolean;
}

/** A switch the operator flips with a reason (incident mode, Shield Mode): whether it is on now
 * (its words' `data-<id>`, said with `vars`, then `more`), what else it shows (`children`), and
 * the button that flips the operator's own switch; an empty card until the figures are read. */
function SwitchCard({
  id,
  status,
  vars,
  more,
  set,
  children,
}: {
  id: keyof typeof SWITCH_WORDS;
  status: SwitchStatus | null;
  vars?: Record<string, string | number>;
  more?: string;
  set: (on: boolean, reason: string) => Promise<void>;
  children?: ComponentChildren;
}) {
  const action = useReasonedAction();
  const title = t(SWITCH_WORDS[id].title);
  if (!status) return <Card id={id} title={title} />;
  const switchedOn = status.switched_on ?? status.active;
  return (
    <Card id={id} title={title}>
      <p {...{ [`data-${id}`]: status.active ? "on" : "off" }}>
        {t(status.active ? SWITCH_WORDS[id].on : SWITCH_WORDS[id].off, vars)}
        {more}
      </p>
      {children}
      <ReasonForm action={action} onSubmit={() => void action.run((reason) => set(!switchedOn, reason))}>
        <button type="submit" class="secondary" disabled={action.blocked || status.forced_by_tier === true}>
          {t(switchedOn ? SWITCH_WORDS[id].stop : SWITCH_WORDS[id].start)}
        </button>
      </ReasonForm>
    </Card>
  );
}

function Incident({ incident }: { incident: OperatorView["incident"] }) {
  const { operator } = useSdk();
  const rate = number((incident?.qos_rate ?? 0) * PERCENT, 0);
  const set = (on: boolean, reason: string) => operator.setIncident(on, reason);
  return <SwitchCard id="incident" status={incident} vars={{ rate }} set={set} />;
}

/** Shield Mode (issue 16): config's preset at once during a raid, and back exactly. */
function Shield({ shield }: { shield: OperatorView["shield"] }) {
  const { operator } = useSdk();
  const set = (on: boolean, reason: string) => operator.setShield(on, reason);
  const swept = shield?.active && typeof shield.last_swept === "number";
  const more = swept ? ` ${t("operator.shield_swept", { count: shield.last_swept ?? 0 })}` : "";
  return (
    <SwitchCard id="shield" status={shield} more={more} set={set}>
      {shield && <Preset shield={shield} />}
    </SwitchCard>
  );
}

/** What Shield Mode's preset changes, as config has it. */
function Preset({ shield }: { shield: NonNullable<OperatorView["shield"]> }) {
  const preset = shield.preset;
  return (
    <ul class="operator-preset">
      {!preset.new_accounts_chat && <li>{t("operator.shield_no_new_chat")}</li>}
      {!preset.new_accounts_invite && <li>{t("operator.shield_no_new_invites")}</li>}
      {preset.random_min_account_age_days > 0 && (
        <li>{t("operator.shield_random_age", { days: preset.random_min_account_age_days })}</li>
      )}
      {preset.slow_mode_s > 0 && <li>{t("operator.shield_slow", { seconds: preset.slow_mode_s })}</li>}
      {preset.live_room_min_account_age_days > 0 && (
        <li>{t("operator.shield_live_gate", { days: preset.live_room_min_account_age_days })}</li>
      )}
      {preset.blur_new_tiles && <li>{t("operator.shield_blur")}</li>}
      {shield.sweep_enabled && <li>{t("operator.shield_sweep")}</li>}
    </ul>
  );
}

function Audit({ audit }: { audit: OperatorView["audit"] }) {
  return (
    <Card id="audit" title={t("operator.audit")}>
      <ol class="operator-audit">
        {audit.map((entry) => (
          <li key={entry.id} data-action={entry.action}>
            <time dateTime={entry.at}>{clock(entry.at)}</time> <strong>{entry.action}</strong>
            {entry.reason ? ` · ${entry.reason}` : ""}
          </li>
        ))}
      </ol>
    </Card>
  );
}
