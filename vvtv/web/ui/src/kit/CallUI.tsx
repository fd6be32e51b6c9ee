// The call surface (UI-3, UI-6 `/call/:token`): the other person's video, your own preview
// (muted), mute, camera off, hang up and report, and a line that says where the call is. The token
// is the invite's id: while the invite waits, the ConsentOverlay asks over this stage; an accepted
// one opens its call here; a token that leads nowhere, or an invite that ended, says so with a
// way back. A call ends for both on hang-up, on leaving this page, or when the other side ends it.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { type CopyKey, modeLabel, t } from "../i18n";
import {
  type Call,
  callReportContext,
  type InviteState,
  type KnownCall,
  type ReportContext,
  useSdk,
} from "../sdk";
import { useShell } from "../shell/context";
import { DeadEnd } from "./DeadEnd";
import { MatchCall } from "./MatchCall";
import { moderate } from "./ModerationSheet";

interface Props {
  profile?: string;
  show_skip?: boolean;
  show_report?: boolean;
}

export function CallUI({ profile, show_skip = false, show_report = false }: Props): JSX.Element {
  const shell = useShell();
  const token = shell.params.value.token;
  // Without an invite's token, the call is a match's (Random): MatchCall finds it, this kit's
  // LiveCall shows it.
  if (!token) {
    return (
      <MatchCall profile={profile} showSkip={show_skip} showReport={show_report} live={LiveCall} />
    );
  }
  return <InviteCall key={token} token={token} profile={profile} showReport={show_report} />;
}

function InviteCall({
  token,
  profile,
  showReport,
}: {
  token: string;
  profile: string | undefined;
  showReport: boolean;
}): JSX.Element {
  const { consent } = useSdk();
  useEffect(() => consent.follow(token), [token]);
  const view = consent.view(token);
  switch (view.kind) {
    case "looking":
      return (
        <section class="call-ui call-message" data-state="looking" aria-busy="true">
          <span class="spinner" role="status" aria-label={t("app.loading")} />
        </section>
      );
    case "unknown":
      return <CallGone state="unknown" text={t("call.gone_unknown")} />;
    case "invite":
      return <InviteWaiting state={view.state} />;
    case "call":
      return <LiveCall
          call={view.call}
          profile={profile}
          showReport={showReport}
          reportContext={callReportContext(true)}
        />;
  }
}

/** The stage while an invite waits: the overlay above asks (you) or says "Calling" (them). */
function InviteWaiting({ state }: { state: InviteState }): JSX.Element {
  const handle = state.peerHandle ?? t("consent.someone");
  const { status } = state.invite;
  if (status === "declined") return <CallGone state={status} text={t("call.gone_declined")} />;
  if (status === "expired") return <CallGone state={status} text={t("call.gone_expired")} />;
  if (status === "cancelled") return <CallGone state={status} text={t("call.gone_cancelled")} />;
  return (
    <section class="call-ui call-message" data-state="waiting" aria-labelledby="call-title">
      <h1 id="call-title">
        {state.role === "invitee"
          ? t("consent.incoming_title", { handle })
          : t("consent.calling", { handle })}
      </h1>
      <p>{state.role === "invitee" ? t("call.answer_above") : t("call.waiting_answer")}</p>
    </section>
  );
}

/** Nothing to join here: say why, and lead back to where a login lands. */
function CallGone({ state, text }: { state: string; text: string }): JSX.Element {
  const shell = useShell();
  return (
    <DeadEnd
      kind="call-ui call-message"
      state={state}
      titleId="call-title"
      title={t("call.gone_title")}
      body={text}
      home={shell.landingMode()}
    />
  );
}

const ENDED_BY_SERVER = {
  timeout: "call.ended_timeout",
  moderation: "call.ended_moderation",
  shutdown: "call.ended_shutdown",
} as const satisfies Record<string, CopyKey>;

function endedText(call: Call, handle: string): string {
  const end = call.ended.value;
  if (!end) return "";
  // `timeout`: the one who ended it went silent (a lost connection, a closed tab), not a hang-up.
  const lost = end.reason === "timeout";
  if (end.by === "you") return lost ? t("call.ended_you_lost") : t("call.ended_you");
  if (end.by === "peer") {
    return lost ? t("call.ended_peer_lost", { handle }) : t("call.ended_peer", { handle });
  }
  const reason = end.reason as keyof typeof ENDED_BY_SERVER | null;
  return reason && reason in ENDED_BY_SERVER ? t(ENDED_BY_SERVER[reason]) : t("call.ended");
}

function statusText(call: Call, handle: string): string {
  switch (call.status.value) {
    case "starting":
    case "connecting":
      return t("call.connecting", { handle });
    case "connected":
      return t("call.connected", { handle });
    case "interrupted":
      return t("call.interrupted");
    case "ended":
      return endedText(call, handle);
  }
}

/** A video element showing `stream` (set as its source object, which JSX cannot set). */
function useStream(stream: MediaStream | null, onBlocked?: () => void) {
  const element = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const video = element.current;
    if (!video) return;
    video.srcObject = stream;
    if (stream) {
      video.play().catch((error: unknown) => {
        // Sound before any tap on this page: play muted, and offer the sound on a tap. (A new
        // track replacing the source interrupts the last play(): that one is not a refusal.)
        const refused = error instanceof DOMException && error.name === "NotAllowedError";
        if (!refused || video.muted) return;
        video.muted = true;
        onBlocked?.();
        void video.play().catch(() => {});
      });
    }
  }, [stream]);
  return element;
}

export interface LiveCallProps {
  call: KnownCall;
  profile: string | undefined;
  showReport: boolean;
  /** Instead of Hang up (Random's Stop). */
  endButton?: JSX.Element;
  /** More controls after the call's own (Random's Skip and Block). */
  controls?: ComponentChildren;
  /** Someone else ends the call when this leaves the page (matching): only let go of it. */
  endedElsewhere?: boolean;
  /** Where a report of the other person says it was made (MOD-1). */
  reportContext: ReportContext;
}

export function LiveCall({
  call: known,
  profile,
  showReport,
  endButton,
  controls,
  endedElsewhere = false,
  reportContext,
}: LiveCallProps): JSX.Element {
  const { calls } = useSdk();
  const shell = useShell();
  const call = useMemo(() => calls.open(known.sessionId), [known.sessionId]);
  const soundBlocked = useSignal(false);
  const handle = known.peerHandle ?? t("consent.someone");

  useEffect(() => {
    void call.start();
    return () => call.close(!endedElsewhere);
  }, [call]);

  const remote = useStream(call.remote.value, () => {
    soundBlocked.value = true;
  });
  const local = useStream(call.local.value);
  const ended = call.ended.value;
  const home = shell.landingMode();
  const problem = call.mediaProblem.value;

  return (
    <section
      class="call-ui"
      data-state={call.status.value}
      data-ended-by={ended?.by}
      data-profile={profile}
      aria-labelledby="call-status"
    >
      <div class={ended ? "call-over" : "call-top"}>
        <p id="call-status" class="call-status" role="status">
          {statusText(call, handle)}
        </p>
        {ended && home && (
          <button type="button" class="primary" onClick={() => shell.goToMode(home.name)}>
            {t("cta.enter", { mode: modeLabel(home.name) })}
          </button>
        )}
      </div>
      <div class="call-remote">
        <video
          ref={remote}
          class="call-remote-video"
          playsInline
          autoPlay
          aria-label={t("call.remote_video", { handle })}
        />
        {!ended && !call.remote.value && (
          <p class="call-veil">{t("call.waiting_video", { handle })}</p>
        )}
      </div>
      {!ended && (
        <div class="call-local" data-camera={call.cameraOn.value ? "on" : "off"}>
          <video
            ref={local}
            class="call-local-video"
            playsInline
            autoPlay
            muted
            aria-label={t("call.local_video")}
          />
        </div>
      )}
      {problem && !ended && (
        <p class="call-problem" role="alert">
          {problem === "denied" ? t("call.media_denied") : t("call.media_failed")}
        </p>
      )}
      {soundBlocked.value && !ended && (
        <button
          type="button"
          class="player-sound call-sound"
          onClick={() => {
            const video = remote.current;
            if (video) {
              video.muted = false;
              void video.play().catch(() => {});
            }
            soundBlocked.value = false;
          }}
        >
          {t("player.unmute")}
        </button>
      )}
      {!ended && (
        <div class="call-controls" role="group" aria-label={t("call.controls")}>
          <TrackToggle
            on={call.micOn.value}
            ready={!!call.local.value}
            set={(on) => call.setMic(on)}
            label={t("call.mute")}
          />
          <TrackToggle
            on={call.cameraOn.value}
            ready={!!call.local.value}
            set={(on) => call.setCamera(on)}
            label={t("call.camera_off")}
          />
          {endButton ?? (
            <button type="button" class="danger" onClick={() => void call.hangUp()}>
              {t("call.hang_up")}
            </button>
          )}
          {showReport && (
            <button
              type="button"
              class="secondary"
              onClick={() =>
                moderate({
                  userId: known.peerId,
                  handle,
                  context: reportContext,
                  sessionId: known.sessionId,
                  modeId: shell.mode.peek().name,
                })
              }
            >
              {t("call.report")}
            </button>
          )}
          {controls}
        </div>
      )}
    </section>
  );
}

/** Switches one of your tracks (microphone, camera): pressed while it is off, so the button
 * says what it does ("Mute", "Camera off"); usable once your media is up. */
function TrackToggle(props: {
  on: boolean;
  ready: boolean;
  set: (on: boolean) => void;
  label: string;
}): JSX.Element {
  return (
    <button
      type="button"
      class="secondary"
      aria-pressed={!props.on}
      disabled={!props.ready}
      onClick={() => props.set(!props.on)}
    >
      {props.label}
    </button>
  );
}
