// Chat floating over the stage (UI-3): collapsed, a button with the unread count of every
// conversation it holds; open, a panel over the stage's corner (on narrow screens a bottom sheet)
// with the mode's room and your private conversations. Which scope comes from the manifest.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";
import { ChatPanel, useChatHub } from "./ChatPanel";
import { LineIcon } from "./LineIcon";
import { UnreadBadge } from "./UnreadBadge";

export function ChatOverlay({ scope }: { scope?: string }): JSX.Element {
  const open = useSignal(false);
  const hub = useChatHub(scope, () => {
    open.value = true;
  });
  const toggle = useRef<HTMLButtonElement>(null);
  const panel = useRef<HTMLElement>(null);
  const unread = hub.unread.value;

  // Opening puts you in the composer; closing gives the focus back to the button.
  const wasOpen = useRef(false);
  useEffect(() => {
    if (open.value) panel.current?.querySelector<HTMLTextAreaElement>(".chat-input")?.focus();
    else if (wasOpen.current) toggle.current?.focus();
    wasOpen.current = open.value;
  }, [open.value, hub.active.value?.id]);

  if (!open.value) {
    return (
      <button
        ref={toggle}
        type="button"
        class="chat-fab"
        aria-expanded="false"
        aria-controls="chat-overlay"
        data-unread={unread}
        onClick={() => {
          open.value = true;
        }}
      >
        <ChatIcon />
        <span>{t("chat.button")}</span>
        <UnreadBadge count={unread} />
      </button>
    );
  }
  return (
    <section
      ref={panel}
      id="chat-overlay"
      class="chat-overlay"
      aria-labelledby="chat-overlay-title"
      onKeyDown={(event) => {
        if (event.key === "Escape" && !event.defaultPrevented) {
          open.value = false;
        }
      }}
    >
      <header class="chat-head">
        <h2 id="chat-overlay-title">{t("chat.title")}</h2>
        <button
          type="button"
          class="icon-button"
          aria-expanded="true"
          aria-controls="chat-overlay"
          aria-label={t("chat.hide")}
          onClick={() => {
            open.value = false;
          }}
        >
          <span aria-hidden="true">×</span>
        </button>
      </header>
      <ChatPanel hub={hub} />
    </section>
  );
}

export function ChatIcon(): JSX.Element {
  return (
    <LineIcon path="M4 5h16v11H9l-5 4z" size={22} />
  );
}
