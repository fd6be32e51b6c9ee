// Report someone or something they said (MOD-1): pick why, from the contract's reason codes, and
// send. What goes with it (a message's id, a call's session, the mode) is the caller's; the sheet
// says when it was sent, or that it could not be.
import { useSignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, t } from "../i18n";
import type { ReportReason } from "../sdk";
import { Sheet } from "./Sheet";

const REASONS = {
  harassment: "report.reason_harassment",
  sexual_content: "report.reason_sexual_content",
  hate: "report.reason_hate",
  minor_safety: "report.reason_minor_safety",
  spam: "report.reason_spam",
  other: "report.reason_other",
} as const satisfies Record<ReportReason, CopyKey>;

type Step = "choose" | "sending" | "sent" | "failed";

interface Props {
  open: boolean;
  title: string;
  /** What moderators will see of it, said before sending. */
  note: string;
  onSend(reason: ReportReason): Promise<unknown>;
  onClose(): void;
  /** What is reported, shown above the reasons (a message's text). */
  children?: ComponentChildren;
}

export function ReportSheet({ open, title, note, onSend, onClose, children }: Props): JSX.Element {
  const reason = useSignal<ReportReason | null>(null);
  const step = useSignal<Step>("choose");

  useEffect(() => {
    if (!open) return;
    step.value = "choose";
    reason.value = null;
  }, [open]);

  const send = async (event: JSX.TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    const chosen = reason.value;
    if (!chosen) return;
    step.value = "sending";
    try {
      await onSend(chosen);
      step.value = "sent";
    } catch {
      step.value = "failed";
    }
  };

  return (
    <Sheet open={open} labelledBy="report-title" onClose={onClose}>
      <h2 id="report-title">{title}</h2>
      {children}
      {step.value === "sent" ? (
        <>
          <p class="sheet-lead" role="status">
            {t("report.sent")}
          </p>
          <button type="button" class="primary" onClick={onClose}>
            {t("shell.dismiss")}
          </button>
        </>
      ) : (
        <form class="form" onSubmit={(event) => void send(event)}>
          <fieldset class="report-reasons">
            <legend class="sheet-lead">{t("report.why")}</legend>
            {(Object.keys(REASONS) as ReportReason[]).map((code) => (
              <label key={code} class="check">
                <input
                  type="radio"
                  name="reason"
                  value={code}
                  checked={reason.value === code}
                  onChange={() => {
                    reason.value = code;
                  }}
                />
                <span>{t(REASONS[code])}</span>
              </label>
            ))}
          </fieldset>
          <p class="hint">{note}</p>
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
    </Sheet>
  );
}
