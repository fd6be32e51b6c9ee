// How one composition hands over to the next on the stage (UI-2): `cut` swaps at once,
// `crossfade` dissolves the new one in, `placeholder` holds a neutral frame while it mounts.
// A stage component both modes share stays mounted (the channel keeps playing into Party).
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";
import { type HandoverHint, type MountView, useSdk } from "../sdk";
import { Region } from "./Region";

interface Props {
  handover: { from: string; hint: HandoverHint } | null;
  stage: MountView;
}

export function TransitionLayer({ handover, stage }: Props): JSX.Element {
  const { settings } = useSdk();
  const previous = useRef(stage.component);
  const playing = useSignal<HandoverHint | null>(null);
  const changed = previous.current !== stage.component;

  useEffect(() => {
    if (!changed) return;
    previous.current = stage.component;
    const hint = handover?.hint ?? "cut";
    if (hint === "cut") return;
    playing.value = hint;
    const timer = setTimeout(() => {
      playing.value = null;
    }, settings.transition_ms);
    return () => clearTimeout(timer);
  }, [stage.component]);

  // Read the signal on every render, or this render would not subscribe to its end.
  const running = playing.value;
  // On the render that changes the stage the effect has not run yet: play the hint from now.
  const starting = changed ? (handover?.hint ?? "cut") : null;
  const hint = starting === "cut" ? null : (starting ?? running);
  return (
    <div class="transition-layer" data-transition={hint ?? "none"}>
      {hint === "placeholder" ? (
        <div class="stage-placeholder" role="status">
          <span class="spinner" aria-hidden="true" />
          <span class="visually-hidden">{t("app.loading")}</span>
        </div>
      ) : (
        <div class={hint === "crossfade" ? "stage-content fade-in" : "stage-content"}>
          <Region key={stage.component} mount={stage} region="stage" />
        </div>
      )}
    </div>
  );
}
