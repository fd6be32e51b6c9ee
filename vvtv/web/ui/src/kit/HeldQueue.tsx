// What chat auto-moderation held for review (issue 16), in the moderators' console: each message
// with its author, where it was written, the text, the rule that held it and when. Approve delivers
// it into its thread as its author's, as if it had passed; Reject keeps it from ever being posted
// (its author is told). Each decision is audited in the author's history; a message another
// moderator decided first says so.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, t, when } from "../i18n";
import { ApiError, type HeldAction, type HeldMessage, useSdk } from "../sdk";
import { ModHead, Said } from "./ModParts";
import { MOD_WORDS } from "./modWords";

// Each decision's words: its button, the button's name for whose message, what was done.
const WORDS = {
  approve: { button: "mod.held_approve", named: "mod.held_approve_label", done: "mod.held_approved" },
  reject: { button: "mod.held_reject", named: "mod.held_reject_label", done: "mod.held_rejected" },
} as const satisfies Record<HeldAction, Record<"button" | "named" | "done", CopyKey>>;

export function HeldQueue(): JSX.Element {
  const { moderation } = useSdk();
  const held = useSignal<HeldMessage[] | null>(null);
  const said = useSignal<string | null>(null);
  const error = useSignal<string | null>(null);
  const deciding = useSignal<number | null>(null);

  const load = async () => {
    try {
      held.value = await moderation.held();
    } catch {
      error.value = t("mod.failed");
    }
  };
  useEffect(() => {
    void load();
  }, []);

  const decide = async (message: HeldMessage, action: HeldAction) => {
    const handle = message.author_handle ?? message.author_id;
    deciding.value = message.id;
    said.value = null;
    error.value = null;
    try {
      await moderation.decideHeld(message.id, action);
      said.value = t(WORDS[action].done, { handle });
    } catch (cause) {
      const first = cause instanceof ApiError && cause.code === "already_decided";
      error.value = first ? t("mod.held_decided_before") : t("mod.failed");
    }
    deciding.value = null;
    await load();
  };

  const messages = held.value;
  return (
    <section class="mod-held" aria-labelledby="mod-held-title">
      <ModHead id="mod-held-title" level="h2" title={t("mod.held_title")} onRefresh={() => void load()} />
      <Said text={said.value} />
      <Said text={error.value} alert />
      {messages === null ? (
        <p class="hint">{t("mod.loading")}</p>
      ) : messages.length === 0 ? (
        <p class="hint">{t("mod.held_empty")}</p>
      ) : (
        <ul class="mod-held-list">
          {messages.map((message) => {
            const handle = message.author_handle ?? message.author_id;
            const busy = deciding.value === message.id;
            return (
              <li key={message.id} class="mod-held-message" data-held={message.id}>
                <blockquote class="report-quote">{message.body}</blockquote>
                <dl class="mod-facts">
                  <dt>{t("mod.held_author")}</dt>
                  <dd data-fact="author">{handle}</dd>
                  <dt>{t("mod.where")}</dt>
                  <dd data-fact="thread">
                    {t(MOD_WORDS.scope[message.scope])} · {message.thread_id.slice(0, 8)}
                  </dd>
                  <dt>{t("mod.held_rule")}</dt>
                  <dd data-fact="rule">{message.rule}</dd>
                  <dt>{t("mod.when")}</dt>
                  <dd>
                    <time dateTime={message.created_at}>{when(message.created_at)}</time>
                  </dd>
                </dl>
                <div class="mod-held-actions">
                  {(Object.keys(WORDS) as HeldAction[]).map((action) => (
                    <button
                      key={action}
                      type="button"
                      class={action === "approve" ? "primary" : "secondary"}
                      disabled={busy}
                      aria-label={t(WORDS[action].named, { handle })}
                      onClick={() => void decide(message, action)}
                    >
                      {t(WORDS[action].button)}
                    </button>
                  ))}
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
