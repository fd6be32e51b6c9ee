// Every user-visible string comes from copy/copy.json (UI-7), in the browser's language unless
// the viewer picked one in the top bar.
import { effect, signal } from "@preact/signals";
import copy from "./copy/copy.json";

export type Locale = keyof typeof copy;
export type CopyKey = keyof (typeof copy)["en"];
type Vars = Record<string, string | number>;

const STORAGE_KEY = "vvtv.locale";
export const LOCALES = Object.keys(copy) as Locale[];
const FALLBACK: Locale = "en";

function isLocale(value: string | null): value is Locale {
  return value !== null && (LOCALES as string[]).includes(value);
}

/** The viewer's choice, else the first browser language we speak (by language, then by prefix). */
export function pickLocale(stored: string | null, languages: readonly string[]): Locale {
  if (isLocale(stored)) return stored;
  for (const language of languages) {
    if (isLocale(language)) return language;
    const prefix = language.split("-")[0]?.toLowerCase();
    const match = LOCALES.find((known) => known.split("-")[0]?.toLowerCase() === prefix);
    if (match) return match;
  }
  return FALLBACK;
}

export const locale = signal<Locale>(
  pickLocale(localStorage.getItem(STORAGE_KEY), navigator.languages ?? [navigator.language]),
);

effect(() => {
  document.documentElement.lang = locale.value;
});

export function setLocale(next: Locale): void {
  localStorage.setItem(STORAGE_KEY, next);
  locale.value = next;
}

function format(template: string, vars: Vars): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in vars ? String(vars[name]) : whole,
  );
}

/** The product's name: the worn skin's (config/skins.yaml, OPS-3), which the server writes into
 * the page; copy says it as `{brand}`. */
export const BRAND =
  document.querySelector<HTMLMetaElement>('meta[name="application-name"]')?.content ||
  document.title;

export function t(key: CopyKey, vars?: Vars): string {
  const strings: Record<string, string> = copy[locale.value];
  return format(strings[key] ?? copy[FALLBACK][key], { brand: BRAND, ...vars });
}

/** A mode's name for people: copy key `mode.<name>` (modes come from the server's catalog). */
export function modeLabel(mode: string): string {
  const key = `mode.${mode}`;
  const strings: Record<string, string> = copy[locale.value];
  return strings[key] ?? mode;
}

/** A language's own name (copy key `locale.<code>`), for the language switch. */
export function localeLabel(code: Locale): string {
  const strings: Record<string, string> = copy[locale.value];
  return strings[`locale.${code}`] ?? code;
}

/** A moment as a short date and time in the current locale (the consoles' lists). */
export function when(iso: string): string {
  return new Date(iso).toLocaleString(locale.value, { dateStyle: "short", timeStyle: "short" });
}
