// The quiet "OK" that puts a notice, a toast or an ended card away: one button, one copy key.
import type { JSX } from "preact";
import { t } from "../i18n";

export function Dismiss({ onDismiss }: { onDismiss: () => void }): JSX.Element {
  return (
    <button type="button" class="text-button" onClick={onDismiss}>
      {t("shell.dismiss")}
    </button>
  );
}
