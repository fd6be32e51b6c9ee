// Chat as a rail (UI-3): the live room's thread beside the stage, with your private conversations
// beside it; on narrow screens it is the shell's drawer, opened when a Chat button asks for it.
// Which scope comes from the manifest.
import type { JSX } from "preact";
import { t } from "../i18n";
import { useShell } from "../shell/context";
import { ChatPanel, useChatHub } from "./ChatPanel";

export function RoomChat({ scope }: { scope?: string }): JSX.Element {
  const shell = useShell();
  const hub = useChatHub(scope, () => shell.openRail());
  return (
    <section class="room-chat" aria-labelledby="room-chat-title" data-unread={hub.unread.value}>
      <header class="chat-head">
        <h2 id="room-chat-title">{t("chat.title")}</h2>
      </header>
      <ChatPanel hub={hub} />
    </section>
  );
}
