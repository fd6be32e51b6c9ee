// Picking one language, or any: the languages people here speak as far as the UI can tell (those
// of its locales: everyone's presence carries their UI language), named in the reader's locale.
import type { JSX } from "preact";
import { LOCALES, locale } from "../i18n";

function languages(): string[] {
  return [...new Set(LOCALES.map((code) => code.split("-")[0] ?? code))];
}

function languageName(code: string): string {
  try {
    return new Intl.DisplayNames([locale.value], { type: "language" }).of(code) ?? code;
  } catch {
    return code;
  }
}

interface Props {
  /** A language code, or "" for any. */
  value: string;
  anyLabel: string;
  onPick: (code: string) => void;
}

export function LanguageSelect({ value, anyLabel, onPick }: Props): JSX.Element {
  return (
    <select value={value} onChange={(event) => onPick(event.currentTarget.value)}>
      <option value="">{anyLabel}</option>
      {languages().map((code) => (
        <option key={code} value={code}>
          {languageName(code)}
        </option>
      ))}
    </select>
  );
}
