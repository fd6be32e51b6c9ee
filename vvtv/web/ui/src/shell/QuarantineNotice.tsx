// A new account's limits (MOD-6), told to it in one quiet line: until when, and what it may do
// meanwhile, every figure from the server (GET /me's flags.quarantine, config's). Put away, it
// stays away in this tab.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { locale, t } from "../i18n";
import { useSdk } from "../sdk";

export function QuarantineNotice(): JSX.Element | null {
  const { session } = useSdk();
  const dismissed = useSignal(false);
  const terms = session.user.value?.flags.quarantine ?? null;
  if (!terms || dismissed.value) return null;
  const vars = {
    date: new Date(terms.until).toLocaleDateString(locale.value),
    messages: terms.chat_max_messages,
    seconds: terms.chat_window_s,
    matches: terms.max_matches_per_hour,
  };
  return (
    <div class="notice quarantine-notice" role="status">
      <span>
        {t("notice.quarantine", vars)}
        {terms.invites_quarantined_only && ` ${t("notice.quarantine_invites")}`}
      </span>
      <button
        type="button"
        class="text-button"
        onClick={() => {
          dismissed.value = true;
        }}
      >
        {t("shell.dismiss")}
      </button>
    </div>
  );
}
