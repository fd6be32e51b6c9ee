// Tags typed as free text (`Music, travel #Food`), for the grid's filters and Random's
// preferences: the labelled field with its hint, and the reading of what was typed.
import type { Signal } from "@preact/signals";
import type { JSX } from "preact";
import { t } from "../i18n";
import { Field } from "./Field";

// The contracts' shape of a tag; the server refuses others (and too many).
const TAG = /^[a-z0-9][a-z0-9_-]*$/;

/** Tags as typed (`Music, travel #Food`) → the query's (`music`, `travel`, `food`). */
export function parseTags(text: string): string[] {
  const words = text
    .toLowerCase()
    .split(/[\s,;#]+/)
    .filter((word) => TAG.test(word));
  return [...new Set(words)];
}

interface Props {
  label: string;
  hint: string;
  hintId: string;
  /** The text as typed (parseTags reads it). */
  text: Signal<string>;
  /** The field is left or Enter pressed. */
  onDone?: () => void;
}

export function TagsField({ label, hint, hintId, text, onDone }: Props): JSX.Element {
  return (
    <Field label={label} hint={hint} hintId={hintId}>
      <input
        type="text"
        inputMode="text"
        autoComplete="off"
        value={text.value}
        placeholder={t("filters.tags_placeholder")}
        aria-describedby={hintId}
        onInput={(event) => {
          text.value = event.currentTarget.value;
        }}
        onChange={onDone}
      />
    </Field>
  );
}
