// Random's stage (UI-6 `/random`, MAT-1, MAT-5, MOD-2): first your camera checked (Mirror's own
// preview and pickers) with Start, in a language and with tags if you like; while you search or
// cool down you keep seeing yourself (the MatchOverlay says where you stand); a match's call is
// CallUI's LiveCall, with Stop instead of Hang up, Skip (once the server allows it) and Block.
// Leaving this screen leaves Random: a match found while you are elsewhere would wait for nobody.
import { useSignal } from "@preact/signals";
import type { ComponentType, JSX } from "preact";
import { useEffect } from "preact/hooks";
import { t } from "../i18n";
import { callReportContext, type FoundMatch, type MatchView, useSdk } from "../sdk";
import type { LiveCallProps } from "./CallUI";
import { useSecondsLeft } from "./ConsentOverlay";
import { Field } from "./Field";
import { LanguageSelect } from "./LanguageSelect";
import { MirrorView } from "./MirrorView";
import { parseTags, TagsField } from "./TagsField";

interface Props {
  profile?: string;
  showSkip: boolean;
  showReport: boolean;
  /** The call surface (CallUI's), given by CallUI itself. */
  live: ComponentType<LiveCallProps>;
}

export function MatchCall({ profile, showSkip, showReport, live: Live }: Props): JSX.Element {
  const { match, session } = useSdk();
  useEffect(() => match.follow(), []);
  useEffect(
    () => () => {
      const { status } = match.view.peek();
      // Signed out, the closed socket has already taken you out.
      if (!session.signedIn.peek() || !match.here.peek()) return;
      if (status !== "idle" && status !== "unknown") void match.leave();
    },
    [],
  );

  const view = match.view.value;
  if (view.status === "unknown") {
    return (
      <section class="call-ui call-message" data-state="looking" aria-busy="true">
        <span class="spinner" role="status" aria-label={t("app.loading")} />
      </section>
    );
  }
  if (view.status !== "idle" && !match.here.value) {
    return (
      <section class="call-ui call-message" data-state="elsewhere" aria-labelledby="match-title">
        <h1 id="match-title">{t("match.elsewhere_title")}</h1>
        <p>{t("match.elsewhere")}</p>
      </section>
    );
  }
  const found = view.match;
  if (found?.sessionId) {
    return (
      <Live
        key={found.sessionId}
        call={{ sessionId: found.sessionId, peerId: found.peerId, peerHandle: found.peerHandle }}
        profile={profile}
        showReport={showReport}
        endedElsewhere
        reportContext={callReportContext(false)}
        endButton={
          <button type="button" class="danger" onClick={() => void match.leave()}>
            {t("match.stop")}
          </button>
        }
        controls={<MatchControls found={found} showSkip={showSkip} />}
      />
    );
  }
  return <Lobby profile={profile} view={view} />;
}

/** The camera check, then Start; kept on screen (your own picture) while you search. */
function Lobby({ profile, view }: { profile: string | undefined; view: MatchView }): JSX.Element {
  const { match } = useSdk();
  const language = useSignal("");
  const tags = useSignal("");
  const idle = view.status === "idle";
  // Joining before these is refused: the Start button says how long is left instead.
  const refusal = view.refusal?.during === "skip" ? null : view.refusal;
  const waits = [view.cooldownUntil, refusal?.retryAt ?? null].filter((at) => at !== null);
  const left = useSecondsLeft(idle && waits.length > 0 ? Math.max(...waits) : null) ?? 0;

  const start = (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = parseTags(tags.value);
    tags.value = chosen.join(", ");
    void match.join(language.value || null, chosen);
  };

  return (
    <div class="match-lobby" data-status={view.status}>
      <MirrorView profile={profile} title={t("match.title")}>
        {idle ? (
          <form class="form match-start" aria-labelledby="match-start-title" onSubmit={start}>
            <h2 id="match-start-title">{t("match.start_title")}</h2>
            <p class="hint">{t("match.start_lead")}</p>
            <Field label={t("match.language")}>
              <LanguageSelect
                value={language.value}
                anyLabel={t("match.any_language")}
                onPick={(code) => {
                  language.value = code;
                }}
              />
            </Field>
            <TagsField
              label={t("match.tags")}
              hint={t("match.tags_hint")}
              hintId="match-tags-hint"
              text={tags}
            />
            <button
              type="submit"
              class="primary"
              disabled={match.busy.value || left > 0}
              data-wait={left}
            >
              {left > 0 ? t("match.start_in", { seconds: left }) : t("match.start")}
            </button>
          </form>
        ) : (
          <p class="hint match-lobby-note">{t("match.lobby_waiting")}</p>
        )}
      </MirrorView>
    </div>
  );
}

/** Random's own controls in the call: Skip (from when the server allows it, ABU-2) and Block. */
function MatchControls({ found, showSkip }: { found: FoundMatch; showSkip: boolean }) {
  const { api, match } = useSdk();
  const skipIn = useSecondsLeft(found.skipAllowedAt) ?? 0;
  const blocking = useSignal<"no" | "busy" | "failed">("no");

  // One click (MOD-2): the server ends this call at once and never pairs you again.
  const block = async () => {
    blocking.value = "busy";
    try {
      await api.block(found.peerId);
    } catch {
      blocking.value = "failed";
    }
  };

  return (
    <>
      {showSkip && (
        <button
          type="button"
          class="primary"
          disabled={match.busy.value || skipIn > 0}
          data-wait={skipIn}
          onClick={() => void match.skip()}
        >
          {skipIn > 0 ? t("match.skip_in", { seconds: skipIn }) : t("match.skip")}
        </button>
      )}
      <button
        type="button"
        class="secondary"
        disabled={blocking.value === "busy"}
        onClick={() => void block()}
      >
        {blocking.value === "failed"
          ? t("match.block_again", { handle: found.peerHandle })
          : t("match.block", { handle: found.peerHandle })}
      </button>
    </>
  );
}
