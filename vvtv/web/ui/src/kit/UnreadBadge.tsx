// How many chat messages wait unread: a badge for the eye and a sentence for a screen reader;
// nothing at all when none wait.
import type { JSX } from "preact";
import { t } from "../i18n";

export function UnreadBadge({ count }: { count: number }): JSX.Element | null {
  if (count <= 0) return null;
  return (
    <>
      <span class="chat-badge" aria-hidden="true">
        {count}
      </span>
      <span class="visually-hidden">{t("chat.unread", { count })}</span>
    </>
  );
}
