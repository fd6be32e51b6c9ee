// Report + Block in one place, reached in one click from every context that shows someone (MOD-5):
// the ProfileCard, a chat message, a Random or private call, a live room, a tile. `moderate(subject)`
// opens it with what the report carries (MOD-1: where, which session, thread and messages); the
// person picks why, from the reasons config offers, and may block at once as well (MOD-2). The sheet
// says when it was sent, or that it could not be. Mounted once for a signed-in person.
import { signal, useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, t } from "../i18n";
import { type ReportReason, type Subject, useSdk } from "../sdk";
import { ReasonPicker } from "./ReasonPicker";
import { Sheet } from "./Sheet";

// What moderators will see of each kind of report, said before sending.
const NOTES = {
  profile_card: "report.note_profile",
  chat: "chat.report_note",
  random: "report.private",
  private_call: "report.private",
  live: "report.note_profile",
  tile: "report.note_tile",
} as const satisfies Record<Subject["context"], CopyKey>;

const subject = signal<Subject | null>(null);

/** Open the sheet about `who` (any context's Report button). */
export function moderate(who: Subject): void {
  subject.value = who;
}

type Step = "choose" | "sending" | "sent" | "failed";

export function ModerationSheet(): JSX.Element {
  const { api, moderation, presence } = useSdk();
  const reason = useSignal<ReportReason | null>(null);
  const alsoBlock = useSignal(false);
  const blocked = useSignal(false);
  const step = useSignal<Step>("choose");
  const who = subject.value;

  useEffect(() => {
    if (!who) return;
    step.value = "choose";
    reason.value = null;
    alsoBlock.value = false;
    blocked.value = false;
  }, [who]);

  const close = () => {
    subject.value = null;
  };

  const send = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = reason.value;
    if (!who || !chosen) return;
    step.value = "sending";
    try {
      await moderation.report(who, chosen);
      if (alsoBlock.value) {
        await api.block(who.userId);
        presence.forget(who.userId);
        blocked.value = true;
      }
      step.value = "sent";
    } catch {
      step.value = "failed";
    }
  };

  return (
    <Sheet open={who !== null} labelledBy="report-title" onClose={close}>
      {who && (
        <div class="moderation-sheet" data-context={who.context}>
          <h2 id="report-title">
            {who.context === "chat"
              ? t("chat.report_title", { handle: who.handle })
              : t("report.title", { handle: who.handle })}
          </h2>
          {who.quote && <blockquote class="report-quote">{who.quote}</blockquote>}
          {step.value === "sent" ? (
            <>
              <p class="sheet-lead" role="status">
                {t("report.sent")}
              </p>
              {blocked.value && (
                <p class="hint" role="status">
                  {t("profile.blocked", { handle: who.handle })}
                </p>
              )}
              <button type="button" class="primary" onClick={close}>
                {t("shell.dismiss")}
              </button>
            </>
          ) : (
            <form class="form" onSubmit={(event) => void send(event)}>
              <ReasonPicker
                kind="radios"
                label={t("report.why")}
                value={reason.value}
                askedFor={who}
                onChange={(code) => {
                  reason.value = code;
                }}
                onUnavailable={() => {
                  step.value = "failed";
                }}
              />
              <label class="check report-block">
                <input
                  type="checkbox"
                  checked={alsoBlock.value}
                  onChange={(event) => {
                    alsoBlock.value = event.currentTarget.checked;
                  }}
                />
                <span>{t("report.also_block", { handle: who.handle })}</span>
              </label>
              <p class="hint">{t(NOTES[who.context])}</p>
              {step.value === "failed" && (
                <p class="form-error" role="alert">
                  {t("report.failed")}
                </p>
              )}
              <button
                type="submit"
                class="primary"
                disabled={reason.value === null || step.value === "sending"}
              >
                {step.value === "sending" ? t("report.sending") : t("report.send")}
              </button>
            </form>
          )}
        </div>
      )}
    </Sheet>
  );
}
