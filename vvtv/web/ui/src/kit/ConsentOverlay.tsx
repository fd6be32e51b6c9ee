// Private-call invites on screen (CNS-1..4): an invite to you asks on every tab of yours, with who
// asks and how long is left, until you accept (and go into the call), decline, or it ends; the
// invite this tab sent says "Calling …" with a way to withdraw it, then how it ended. The shell
// keeps this mounted in every mode; `on_accept_mode` is where an accepted invite leads.
import { signal, useComputed, useSignal, useSignalEffect } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { type CopyKey, t } from "../i18n";
import { ApiError, type CancelReason, type InviteState, type PresenceMember, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { Dismiss } from "./Dismiss";

interface Props {
  on_accept_mode?: string;
}

/** The mode an accepted invite leads to, as the mounted ConsentOverlay was told (null: none). */
const callMode = signal<string | null>(null);

/** Whole seconds left until `deadline` (ms on this device's clock), again every second. */
export function useSecondsLeft(deadline: number | null): number | null {
  const left = useSignal(secondsLeft(deadline));
  useEffect(() => {
    left.value = secondsLeft(deadline);
    if (deadline === null) return;
    let timer: ReturnType<typeof setTimeout>;
    const tick = () => {
      left.value = secondsLeft(deadline);
      const remaining = deadline - Date.now();
      if (remaining <= 0) return;
      // Wake when the shown number changes: the next whole second of what remains.
      timer = setTimeout(tick, remaining % 1000 || 1000);
    };
    tick();
    return () => clearTimeout(timer);
  }, [deadline]);
  return left.value;
}

function secondsLeft(deadline: number | null): number | null {
  return deadline === null ? null : Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
}

function who(state: InviteState): string {
  return state.peerHandle ?? t("consent.someone");
}

export function ConsentOverlay({ on_accept_mode }: Props): JSX.Element {
  const { consent } = useSdk();
  const shell = useShell();

  useEffect(() => {
    callMode.value = on_accept_mode ?? null;
  }, [on_accept_mode]);

  // An invite accepted here (by you, or by the person you called): into its call.
  useSignalEffect(() => {
    const joining = consent.joining.value;
    if (!joining || !on_accept_mode) return;
    consent.settle(joining.invite.id);
    shell.goToMode(on_accept_mode, { token: joining.invite.id });
  });

  const incoming = consent.incoming.value[0] ?? null;
  const outgoing = consent.outgoing.value;
  const missed = consent.missed.value[0] ?? null;
  return (
    <div class="consent-overlay">
      {incoming && <Incoming key={incoming.invite.id} state={incoming} />}
      {outgoing && <Outgoing state={outgoing} />}
      {missed && !incoming && (
        <Notice
          state={missed}
          text={
            missed.invite.status === "expired"
              ? t("consent.expired_in", { handle: who(missed) })
              : t("consent.cancelled_in", { handle: who(missed) })
          }
        />
      )}
    </div>
  );
}

/** An invite to you: a modal card above whatever is open, answered or ended, never dismissed. */
function Incoming({ state }: { state: InviteState }): JSX.Element {
  const { consent } = useSdk();
  const dialog = useRef<HTMLDialogElement>(null);
  const busy = useSignal(false);
  const failed = useSignal(false);
  const seconds = useSecondsLeft(state.expiresAt);
  const id = state.invite.id;

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const answer = async (accept: boolean) => {
    busy.value = true;
    failed.value = false;
    try {
      await (accept ? consent.accept(id) : consent.decline(id));
    } catch {
      failed.value = true; // answered elsewhere, expired, or withdrawn meanwhile: its event says
      busy.value = false;
    }
  };

  return (
    <dialog
      ref={dialog}
      class="sheet consent-incoming"
      role="alertdialog"
      aria-labelledby={`consent-title-${id}`}
      aria-describedby={`consent-body-${id}`}
      data-invite={id}
      onCancel={(event) => event.preventDefault()}
    >
      <div class="sheet-body">
        <h2 id={`consent-title-${id}`}>{t("consent.incoming_title", { handle: who(state) })}</h2>
        <p id={`consent-body-${id}`} class="sheet-lead">
          {t("consent.incoming_body")}
        </p>
        {seconds !== null && (
          <p class="consent-countdown" role="timer" data-seconds={seconds}>
            {t("consent.countdown", { seconds })}
          </p>
        )}
        {failed.value && (
          <p class="form-error" role="alert">
            {t("consent.answer_failed")}
          </p>
        )}
        <div class="consent-actions">
          {/* Accept, then Decline: the same button but for its answer. */}
          {[true, false].map((accept) => (
            <button
              key={String(accept)}
              type="button"
              class={accept ? "primary" : "secondary"}
              disabled={busy.value}
              onClick={() => void answer(accept)}
            >
              {accept ? t("consent.accept") : t("consent.decline")}
            </button>
          ))}
        </div>
      </div>
    </dialog>
  );
}

const CANCELLED: Record<CancelReason, CopyKey> = {
  inviter: "consent.cancelled_out",
  tab_closed: "consent.cancelled_out",
  call_failed: "consent.call_failed",
  unavailable: "consent.unavailable",
};

/** The invite this tab sent: calling (with Cancel), then how it ended (with OK). */
function Outgoing({ state }: { state: InviteState }): JSX.Element {
  const { consent } = useSdk();
  const seconds = useSecondsLeft(state.expiresAt);
  const busy = useSignal(false);
  const { status, reason } = state.invite;
  const handle = who(state);

  if (status === "pending" || status === "queued" || status === "accepted") {
    return (
      <div class="consent-card consent-outgoing" role="status" data-status={status}>
        <span class="spinner" aria-hidden="true" />
        <div class="consent-card-text">
          <p class="consent-card-title">{t("consent.calling", { handle })}</p>
          {seconds !== null && status === "pending" && (
            <p class="hint consent-countdown" data-seconds={seconds}>
              {t("consent.waiting", { seconds })}
            </p>
          )}
        </div>
        {status !== "accepted" && (
          <button
            type="button"
            class="secondary"
            disabled={busy.value}
            onClick={() => {
              busy.value = true;
              consent.cancel(state.invite.id).catch(() => {
                busy.value = false; // it ended meanwhile: its event says how
              });
            }}
          >
            {t("consent.cancel")}
          </button>
        )}
      </div>
    );
  }
  const text =
    status === "declined"
      ? t("consent.declined", { handle })
      : status === "expired"
        ? t("consent.expired_out", { handle })
        : t(CANCELLED[reason ?? "inviter"], { handle });
  return <Notice state={state} text={text} />;
}

function Notice({ state, text }: { state: InviteState; text: string }): JSX.Element {
  const { consent } = useSdk();
  return (
    <div
      class="consent-card consent-ended"
      role="alert"
      data-status={state.invite.status}
      data-invite={state.invite.id}
    >
      <p class="consent-card-title">{text}</p>
      <Dismiss onDismiss={() => consent.settle(state.invite.id)} />
    </div>
  );
}

// What the invite button may say under itself: why it is off, or why the server refused.
const INVITE_NOTES = {
  off: "invite.off",
  busy: "invite.busy",
  blocked: "invite.refused_blocked",
  pending: "invite.refused_pending",
  rate: "invite.refused_rate",
  network: "invite.refused_network",
  other: "invite.refused",
} as const satisfies Record<string, CopyKey>;
type InviteNote = keyof typeof INVITE_NOTES;

const REFUSED: Record<string, InviteNote> = {
  blocked: "blocked",
  invite_pending: "pending",
  rate_limited: "rate",
  network: "network",
};

/** "Invite to call" on someone's card: disabled, with the reason, where it cannot be done. */
export function InviteToCall({
  member,
  onInvited,
}: {
  member: PresenceMember;
  onInvited(): void;
}): JSX.Element {
  const { consent } = useSdk();
  const shell = useShell();
  const busy = useSignal(false);
  const refusal = useSignal<{ note: InviteNote; seconds: number } | null>(null);
  const off = useComputed<InviteNote | null>(() => {
    const mode = callMode.value;
    if (mode === null || shell.modeNamed(mode) === null) return "off";
    if (consent.outgoing.value) return "busy";
    return null;
  });

  const invite = async () => {
    busy.value = true;
    refusal.value = null;
    try {
      await consent.invite(member.user_id, member.handle);
      onInvited();
    } catch (error) {
      const problem = error instanceof ApiError ? error.problem : null;
      refusal.value = {
        note: REFUSED[problem?.code ?? ""] ?? "other",
        seconds: Math.ceil(problem?.retry_after_s ?? 0),
      };
    } finally {
      busy.value = false;
    }
  };

  const reason = off.value;
  const note = reason ?? refusal.value?.note ?? null;
  return (
    <>
      <button
        type="button"
        class="primary"
        disabled={reason !== null || busy.value}
        aria-describedby={note ? "invite-note" : undefined}
        onClick={() => void invite()}
      >
        {busy.value ? t("invite.sending") : t("profile.invite")}
      </button>
      {note && (
        <p id="invite-note" class="hint invite-note" role={reason ? undefined : "alert"}>
          {t(INVITE_NOTES[note], { handle: member.handle, seconds: refusal.value?.seconds ?? 0 })}
        </p>
      )}
    </>
  );
}
