// The calm notice (INV-7): while the product has stepped down to keep its cost, every signed-in
// tab says so in one quiet line that names what changed, and can be put away; so is Shield Mode.
import type { JSX } from "preact";
import { type CopyKey, t } from "../i18n";
import { Dismiss } from "../kit/Dismiss";
import { useSdk } from "../sdk";

// The ladder's steps (config kill_switches.ladder.steps) in people's words; a step this build
// does not know yet gets the general line.
const STEPS: Record<string, CopyKey> = {
  degraded_thumbs: "notice.degraded_thumbs",
  stills: "notice.stills",
  party_tiles_off: "notice.party_tiles_off",
  random_paused: "notice.random_paused",
  new_calls_refused: "notice.new_calls_refused",
};

export function ServiceNotice(): JSX.Element | null {
  const { notices } = useSdk();
  const notice = notices.current.value;
  if (!notice) return <ShieldNotice />;
  const known = notice.step !== null && notice.step !== undefined && notice.step in STEPS;
  return (
    <>
      <div class="notice service-notice" role="status" data-level={notice.level}>
        <span>{known ? t(STEPS[notice.step as string]!) : t("notice.general")}</span>
        <Dismiss onDismiss={() => notices.dismiss()} />
      </div>
      <ShieldNotice />
    </>
  );
}

/** Shield Mode (issue 16): the operator turned on extra protection during a raid. */
function ShieldNotice(): JSX.Element | null {
  const { notices } = useSdk();
  if (!notices.shieldShown.value) return null;
  return (
    <div class="notice service-notice shield-notice" role="status">
      <span>{t("notice.shield")}</span>
      <Dismiss onDismiss={() => notices.dismissShield()} />
    </div>
  );
}
