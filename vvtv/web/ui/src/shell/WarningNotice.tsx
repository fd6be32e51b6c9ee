// A moderator's warning (MOD-5), said to its user plainly over everything until they say they have
// read it: heard on the socket at once, or asked for when a tab opens (the server keeps it until
// then). One at a time, the oldest first.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { t } from "../i18n";
import { useSdk } from "../sdk";

export function WarningNotice(): JSX.Element | null {
  const { moderation } = useSdk();
  const failed = useSignal(false);
  const warning = moderation.warnings.value[0];
  if (!warning) return null;
  const seen = async () => {
    failed.value = false;
    try {
      await moderation.seen(warning.id);
    } catch {
      failed.value = true;
    }
  };
  return (
    <div class="notice warning-notice" role="alert" data-warning={warning.id}>
      <div>
        <p class="warning-title">{t("warning.title")}</p>
        <p class="warning-reason">{warning.reason}</p>
        <p class="hint">{t("warning.explain")}</p>
        {failed.value && <p class="form-error">{t("warning.failed")}</p>}
      </div>
      <button type="button" class="primary" onClick={() => void seen()}>
        {t("warning.seen")}
      </button>
    </div>
  );
}
