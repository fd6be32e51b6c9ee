// Where you stand in Random (UI-3, MAT-4, ABU-1..7), over its stage: searching (for how long),
// matched (with whom), cooling down (until when: a countdown), and anything refused, in plain
// words with when to try again. How your last match ended (you skipped, they skipped, they left,
// you blocked them) is said on the card that follows it. A new account is told, outside a call,
// that it is limited and how (MOD-6).
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, t } from "../i18n";
import { type MatchEnd, type MatchQuarantine, type MatchRefusal, useSdk } from "../sdk";
import { useSecondsLeft } from "./ConsentOverlay";
import { Dismiss } from "./Dismiss";

// Every refusal the server has (vvtv/matching/errors.py, MatchRefusalCode), and the two that never
// reached it: what happened, in plain words. The wait, when there is one, is said after it.
const REFUSED = {
  cooldown: "match.refused_cooldown",
  too_early: "match.refused_too_early",
  hourly_cap: "match.refused_hourly_cap",
  reconnect_budget: "match.refused_reconnect_budget",
  kill_switch: "match.refused_kill_switch",
  random_closed: "match.refused_random_closed",
  shield_account_age: "match.refused_shield_account_age",
  in_match: "match.refused_in_match",
  not_in_call: "match.refused_not_in_call",
  too_many_tags: "match.refused_too_many_tags",
  network: "match.refused_network",
  other: "match.refused",
} as const satisfies Record<string, CopyKey>;

const ENDED = {
  skipped: "match.ended_skipped",
  peer_skipped: "match.ended_peer_skipped",
  left: "match.ended_left",
  peer_left: "match.ended_peer_left",
  blocked: "match.ended_blocked",
  session_ended: "match.ended_session",
  call_failed: "match.ended_call_failed",
} as const satisfies Record<MatchEnd["reason"], CopyKey>;

const SECONDS_IN_MINUTE = 60;

/** A wait as people say it: seconds under a minute, else whole minutes (rounded up). */
function duration(seconds: number): string {
  if (seconds < SECONDS_IN_MINUTE) return t("match.seconds", { seconds });
  return t("match.minutes", { minutes: Math.ceil(seconds / SECONDS_IN_MINUTE) });
}

/** Whole seconds since `start` (ms on this device's clock), again every second. */
function useSecondsSince(start: number | null): number {
  const since = () => (start === null ? 0 : Math.max(0, Math.floor((Date.now() - start) / 1000)));
  const seconds = useSignal(since());
  useEffect(() => {
    seconds.value = since();
    if (start === null) return;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      seconds.value = since();
      timer = setTimeout(tick, 1000 - ((Date.now() - start) % 1000));
    };
    tick();
    return () => clearTimeout(timer);
  }, [start]);
  return seconds.value;
}

/** m:ss, as a stopwatch shows it. */
function clock(seconds: number): string {
  const minutes = Math.floor(seconds / SECONDS_IN_MINUTE);
  return `${minutes}:${String(seconds % SECONDS_IN_MINUTE).padStart(2, "0")}`;
}

function endedText(end: MatchEnd): string {
  return t(ENDED[end.reason], { handle: end.peerHandle ?? t("consent.someone") });
}

export function MatchOverlay(): JSX.Element {
  const { match } = useSdk();
  useEffect(() => match.follow(), []);
  const view = match.view.value;
  const notice = view.lastEnd && view.lastEnd.reason !== "left" ? view.lastEnd : null;
  const inMatch = view.status === "connecting" || view.status === "in_call";
  return (
    <div class="match-overlay">
      {view.quarantine && !inMatch && <Quarantined limits={view.quarantine} />}
      {view.status === "searching" && (
        <Searching since={view.searchingSince} notice={notice} />
      )}
      {view.status === "cooldown" && <Cooldown until={view.cooldownUntil} notice={notice} />}
      {inMatch && view.match && (
        <div class="match-card" data-status="found" role="status">
          <p class="match-card-title">
            {t("match.found", { handle: view.match.peerHandle })}
          </p>
        </div>
      )}
      {view.refusal && <Refused refusal={view.refusal} />}
    </div>
  );
}

function Quarantined({ limits }: { limits: MatchQuarantine }): JSX.Element {
  // Whose quarantine it is (a new account's days, or a moderator's decision) is the account's.
  const { session } = useSdk();
  const byModerator = session.user.value?.flags.quarantine?.cause === "moderator";
  const vars = { days: limits.account_age_days, matches: limits.max_matches_per_hour };
  return (
    <div class="match-card match-quarantine" role="note">
      <p class="match-notice">
        {t(byModerator ? "match.quarantine_moderator" : "match.quarantine", vars)}
      </p>
    </div>
  );
}

function Notice({ end }: { end: MatchEnd | null }): JSX.Element | null {
  if (!end) return null;
  return (
    <p class="match-notice" data-reason={end.reason}>
      {endedText(end)}
    </p>
  );
}

function StopButton(): JSX.Element {
  const { match } = useSdk();
  return (
    <button
      type="button"
      class="secondary"
      disabled={match.busy.value}
      onClick={() => void match.leave()}
    >
      {t("match.stop")}
    </button>
  );
}

function Searching({ since, notice }: { since: number | null; notice: MatchEnd | null }) {
  const elapsed = useSecondsSince(since);
  return (
    <Waiting
      status="searching"
      notice={notice}
      title={t("match.searching")}
      clockClass="hint match-elapsed"
      seconds={elapsed}
      time={t("match.searching_for", { time: clock(elapsed) })}
    />
  );
}

function Cooldown({ until, notice }: { until: number | null; notice: MatchEnd | null }) {
  const left = useSecondsLeft(until) ?? 0;
  // A call that could not start pauses you too: that is no penalty, and is said so.
  const failed = notice?.reason === "call_failed";
  return (
    <Waiting
      status="cooldown"
      notice={notice}
      title={failed ? t("match.retrying_title") : t("match.cooldown_title")}
      clockClass="match-countdown"
      seconds={left}
      time={t("match.cooldown_left", { time: duration(left) })}
    />
  );
}

/** A stage of Random you wait through (searching spins): how your last match ended, what the
 * stage is, its clock (the `seconds` it counts, said as `time`), and Stop. */
function Waiting({
  status,
  notice,
  title,
  clockClass,
  seconds,
  time,
}: {
  status: "searching" | "cooldown";
  notice: MatchEnd | null;
  title: string;
  clockClass: string;
  seconds: number;
  time: string;
}): JSX.Element {
  return (
    <div class="match-card" data-status={status}>
      {status === "searching" && <span class="spinner" aria-hidden="true" />}
      <div class="match-card-text">
        <div role="status">
          <Notice end={notice} />
          <p class="match-card-title">{title}</p>
        </div>
        <p class={clockClass} role="timer" data-seconds={seconds}>
          {time}
        </p>
      </div>
      <StopButton />
    </div>
  );
}

function Refused({ refusal }: { refusal: MatchRefusal }): JSX.Element {
  const { match } = useSdk();
  const left = useSecondsLeft(refusal.retryAt);
  const code = refusal.code in REFUSED ? (refusal.code as keyof typeof REFUSED) : "other";
  const waiting = left !== null && left > 0;
  return (
    <div
      class="match-card match-refusal"
      role="alert"
      data-code={refusal.code}
      data-during={refusal.during}
    >
      <div class="match-card-text">
        <p class="match-card-title">{t(REFUSED[code])}</p>
        {waiting && (
          <p class="match-countdown" role="timer" data-seconds={left}>
            {refusal.during === "skip"
              ? t("match.skip_retry_in", { time: duration(left) })
              : t("match.retry_in", { time: duration(left) })}
          </p>
        )}
      </div>
      <Dismiss onDismiss={() => match.dismiss()} />
    </div>
  );
}
