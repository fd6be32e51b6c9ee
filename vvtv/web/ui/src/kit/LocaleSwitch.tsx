import type { JSX } from "preact";
import { LOCALES, type Locale, locale, localeLabel, setLocale, t } from "../i18n";

export function LocaleSwitch(): JSX.Element {
  return (
    <label class="locale-switch">
      <span class="visually-hidden">{t("locale.label")}</span>
      <select
        value={locale.value}
        onChange={(event) => setLocale(event.currentTarget.value as Locale)}
      >
        {LOCALES.map((code) => (
          <option key={code} value={code}>
            {localeLabel(code)}
          </option>
        ))}
      </select>
    </label>
  );
}
