// The place of a component this build of the kit does not have yet: a quiet note where a
// region would otherwise stand empty (stage, rail), nothing where it floats (overlays, top bar).
import type { JSX } from "preact";
import { t } from "../i18n";

export function NotYetInKit({ visible }: { visible: boolean }): JSX.Element | null {
  if (!visible) return null;
  return (
    <div class="slot-pending">
      <p>{t("kit.not_yet")}</p>
    </div>
  );
}
