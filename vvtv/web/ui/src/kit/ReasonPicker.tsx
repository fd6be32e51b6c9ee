// The reasons a report may give (MOD-1), in config's order and in people's words: one picker for
// the ModerationSheet, where a person says why they report (a radio each), and for the moderators'
// console, where the queue is filtered by reason (a list with "any"). The reasons offered are asked
// of the server once (`moderation.reasons()`); a reason this build has no words for shows as its
// code.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { type CopyKey, t } from "../i18n";
import { type ReportReason, useSdk } from "../sdk";

const REASONS = {
  harassment: "report.reason_harassment",
  sexual_content: "report.reason_sexual_content",
  hate: "report.reason_hate",
  minor_safety: "report.reason_minor_safety",
  spam: "report.reason_spam",
  other: "report.reason_other",
} as const satisfies Record<ReportReason, CopyKey>;

/** A report's reason in words; a reason this build does not know shows as its code. */
export function reasonText(code: string): string {
  return code in REASONS ? t(REASONS[code as ReportReason]) : code;
}

interface Props {
  /** `radios` to choose one (the sheet); `select` to filter by one, or by none ("any"). */
  kind: "radios" | "select";
  label: string;
  value: ReportReason | null;
  onChange(reason: ReportReason | null): void;
  /** Asking for the reasons failed (the sheet says it could not send). */
  onUnavailable?(): void;
  /** Ask again when this changes (the sheet opened about someone else). */
  askedFor?: unknown;
}

export function ReasonPicker({
  kind,
  label,
  value,
  onChange,
  onUnavailable,
  askedFor,
}: Props): JSX.Element {
  const { moderation } = useSdk();
  const offered = useSignal<ReportReason[]>([]);

  useEffect(() => {
    moderation.reasons().then(
      (reasons) => {
        offered.value = reasons;
      },
      () => onUnavailable?.(),
    );
  }, [askedFor]);

  if (kind === "select") {
    return (
      <label class="field mod-choice">
        <span>{label}</span>
        <select
          value={value ?? ""}
          onChange={(event) => {
            const picked = event.currentTarget.value;
            onChange(picked === "" ? null : (picked as ReportReason));
          }}
        >
          <option value="">{t("mod.any")}</option>
          {offered.value.map((code) => (
            <option key={code} value={code}>
              {reasonText(code)}
            </option>
          ))}
        </select>
      </label>
    );
  }
  return (
    <fieldset class="report-reasons">
      <legend class="sheet-lead">{label}</legend>
      {offered.value.map((code) => (
        <label key={code} class="check">
          <input
            type="radio"
            name="reason"
            value={code}
            checked={value === code}
            onChange={() => onChange(code)}
          />
          <span>{reasonText(code)}</span>
        </label>
      ))}
    </fieldset>
  );
}
