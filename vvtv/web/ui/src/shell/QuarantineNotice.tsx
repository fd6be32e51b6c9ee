// A quarantined account's limits (MOD-6), told to it in one quiet line: whose decision (a new
// account's first days, or a moderator's), until when, and what it may do meanwhile, every figure
// from the server (GET /me's flags.quarantine, config's). Put away, it stays away in this tab.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { locale, t } from "../i18n";
import { Dismiss } from "../kit/Dismiss";
import { useSdk } from "../sdk";
import type { Schemas } from "../sdk/types";

type Terms = Schemas["QuarantineTerms"];

function told(terms: Terms): string {
  const vars = {
    date: terms.until === null ? "" : new Date(terms.until).toLocaleDateString(locale.value),
    messages: terms.chat_max_messages,
    seconds: terms.chat_window_s,
    matches: terms.max_matches_per_hour,
  };
  // Where Random is not offered at all (a tier's or a skin's policy), the line leaves it out.
  const random = terms.random_pool !== null;
  if (terms.cause !== "moderator") {
    return t(random ? "notice.quarantine" : "notice.quarantine_no_random", vars);
  }
  if (terms.until === null) {
    return t(random ? "notice.quarantine_moderator_open" : "notice.quarantine_moderator_open_no_random", vars);
  }
  return t(random ? "notice.quarantine_moderator" : "notice.quarantine_moderator_no_random", vars);
}

export function QuarantineNotice(): JSX.Element | null {
  const { session } = useSdk();
  const dismissed = useSignal(false);
  const terms = session.user.value?.flags.quarantine ?? null;
  if (!terms || dismissed.value) return null;
  const invites =
    terms.cause === "moderator" ? "notice.quarantine_invites_moderator" : "notice.quarantine_invites";
  return (
    <div class="notice quarantine-notice" role="status" data-cause={terms.cause}>
      <span>
        {told(terms)}
        {terms.invites_quarantined_only && ` ${t(invites)}`}
      </span>
      <Dismiss
        onDismiss={() => {
          dismissed.value = true;
        }}
      />
    </div>
  );
}
