// What each part of the moderators' console (the report queue, a report, the held messages) shows
// alike: its head (its title, and Refresh to read it again), and the lines that say what was just
// done and what went wrong.
import type { JSX } from "preact";
import { t } from "../i18n";

export function ModHead({
  id,
  level,
  title,
  onRefresh,
}: {
  /** The heading's id, which its section is labelled by. */
  id: string;
  level: "h1" | "h2";
  title: string;
  onRefresh(): void;
}): JSX.Element {
  const Heading = level;
  return (
    <header class="mod-head">
      <Heading id={id}>{title}</Heading>
      <button type="button" class="secondary" onClick={onRefresh}>
        {t("mod.refresh")}
      </button>
    </header>
  );
}

/** A line saying what was just done (a status) or, `alert`, what went wrong; nothing without one. */
export function Said({ text, alert = false }: { text: string | null; alert?: boolean }): JSX.Element | null {
  if (!text) return null;
  return alert ? (
    <p class="form-error" role="alert">
      {text}
    </p>
  ) : (
    <p class="sheet-lead" role="status">
      {text}
    </p>
  );
}
