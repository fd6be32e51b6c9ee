// What ChatOverlay and RoomChat share: the conversations a chat surface holds (the mode's room,
// when its scope is a room's, and your private conversations, each with its unread count) and the
// one on screen. A ProfileCard's Chat button opens your private thread with that person and asks
// the mounted chat surface to show it (a panel that expands, a rail that opens).
import {
  type ReadonlySignal,
  signal,
  useComputed,
  useSignal,
  useSignalEffect,
} from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";
import { modeLabel, t } from "../i18n";
import { ApiError, type ChatThread, chatScope, PRIVATE_SCOPE, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { Conversation } from "./Conversation";
import { UnreadBadge } from "./UnreadBadge";

/** The thread a Chat button opened, for the mounted surface to show (`n` repeats a request). */
const wanted = signal<{ threadId: string; n: number } | null>(null);
/** Chat surfaces mounted now: without one, a Chat button has nowhere to open. */
const surfaces = signal(0);

export function showConversation(threadId: string): void {
  wanted.value = { threadId, n: (wanted.peek()?.n ?? 0) + 1 };
}

export interface ChatHub {
  /** The mode's room thread (null while it opens, or when the scope is private). */
  room: ReadonlySignal<ChatThread | null>;
  roomFailed: ReadonlySignal<boolean>;
  /** Your private conversations, the most recent first. */
  privates: ReadonlySignal<readonly ChatThread[]>;
  /** The conversation on screen. */
  active: ReadonlySignal<ChatThread | null>;
  select(threadId: string): void;
  /** Unread across every conversation held here. */
  unread: ReadonlySignal<number>;
  /** The manifest's scope is a room's (its thread is opened on mount). */
  hasRoom: boolean;
}

function newest(thread: ChatThread): number {
  const last = thread.messages.value.at(-1);
  return last ? Date.parse(last.sent_at) : 0;
}

/** The conversations of a chat surface whose manifest gives it `scope`; `show` is called when a
 * Chat button wants one of them on screen. */
export function useChatHub(scope: string | undefined, show: () => void): ChatHub {
  const { chat, session } = useSdk();
  const shell = useShell();
  const known = chatScope(scope);
  const roomScope = known !== null && known !== PRIVATE_SCOPE ? known : null;
  const room = useSignal<ChatThread | null>(null);
  const roomFailed = useSignal(false);
  const selected = useSignal<string | null>(null);
  const ecosystem = shell.mode.value.ecosystem;
  const signedIn = session.signedIn.value;

  useEffect(() => {
    surfaces.value += 1;
    return () => {
      surfaces.value -= 1;
    };
  }, []);

  // The room is the mounted mode's ecosystem: everyone in it, whichever of its modes they are in.
  useEffect(() => {
    room.value = null;
    roomFailed.value = false;
    if (!roomScope || !signedIn) return;
    let current = true;
    chat.openRoom(roomScope, ecosystem).then(
      (thread) => {
        if (current) room.value = thread;
      },
      () => {
        if (current) roomFailed.value = true;
      },
    );
    return () => {
      current = false;
    };
  }, [roomScope, ecosystem, signedIn]);

  const privates = useComputed(() =>
    chat.threads.value
      .filter((thread) => thread.scope === PRIVATE_SCOPE)
      .sort((a, b) => newest(b) - newest(a)),
  );
  const active = useComputed(() => {
    const all = [...(room.value ? [room.value] : []), ...privates.value];
    return all.find((thread) => thread.id === selected.value) ?? all[0] ?? null;
  });
  const unread = useComputed(
    () =>
      (room.value?.unread.value ?? 0) +
      privates.value.reduce((sum, thread) => sum + thread.unread.value, 0),
  );

  useSignalEffect(() => {
    const request = wanted.value;
    if (!request) return;
    selected.value = request.threadId;
    wanted.value = null;
    show();
  });

  return {
    room,
    roomFailed,
    privates,
    active,
    unread,
    hasRoom: roomScope !== null,
    select: (threadId) => {
      selected.value = threadId;
    },
  };
}

/** The conversations as tabs (when there is more than one) and the one on screen. */
export function ChatPanel({ hub }: { hub: ChatHub }): JSX.Element {
  const { chat, settings } = useSdk();
  const shell = useShell();
  const room = hub.room.value;
  const active = hub.active.value;
  const tabs = [...(room ? [room] : []), ...hub.privates.value];
  const peerName = (thread: ChatThread) =>
    (thread.peerId && chat.handleOf(thread.peerId)) || t("chat.someone");
  const roomName = t("chat.room", { mode: modeLabel(shell.mode.value.name) });

  return (
    <div class="chat-panel">
      {tabs.length > 1 && (
        <div class="chat-tabs" aria-label={t("chat.conversations")} role="group">
          {tabs.map((thread) => {
            const unread = thread.unread.value;
            const name = thread === room ? roomName : peerName(thread);
            return (
              <button
                key={thread.id}
                type="button"
                class="chat-tab"
                aria-pressed={thread === active}
                data-kind={thread === room ? "room" : "private"}
                data-peer={thread === room ? undefined : peerName(thread)}
                data-unread={unread}
                onClick={() => hub.select(thread.id)}
              >
                <span class="chat-tab-name">{name}</span>
                <UnreadBadge count={unread} />
              </button>
            );
          })}
        </div>
      )}
      {active ? (
        <Conversation
          key={active.id}
          thread={active}
          maxChars={settings.chat_max_chars[active.scope]}
          modeId={shell.mode.value.name}
          composerLabel={
            active === room
              ? t("chat.message_room", { room: roomName })
              : t("chat.message_to", { handle: peerName(active) })
          }
          emptyText={
            active === room
              ? t("chat.empty_room")
              : t("chat.empty_private", { handle: peerName(active) })
          }
        />
      ) : (
        <p class="chat-empty chat-none">
          {hub.roomFailed.value
            ? t("chat.room_failed")
            : hub.hasRoom
              ? t("chat.loading")
              : t("chat.no_conversations")}
        </p>
      )}
    </div>
  );
}

type Opening = "idle" | "opening" | "blocked" | "failed";

/** A ProfileCard's Chat: your private thread with `member`, shown by the mounted chat surface.
 * A block between you is said here, where you asked (MOD-2). */
export function ChatButton({
  member,
  onOpened,
}: {
  member: { user_id: string; handle: string };
  onOpened(): void;
}): JSX.Element {
  const { chat } = useSdk();
  const state = useSignal<Opening>("idle");
  const open = async () => {
    state.value = "opening";
    try {
      const thread = await chat.openPrivate(member.user_id, member.handle);
      state.value = "idle";
      showConversation(thread.id);
      onOpened();
    } catch (error) {
      state.value = error instanceof ApiError && error.code === "blocked" ? "blocked" : "failed";
    }
  };
  return (
    <>
      <button
        type="button"
        class="secondary"
        disabled={surfaces.value === 0 || state.value === "opening"}
        onClick={() => void open()}
      >
        {t("profile.chat")}
      </button>
      {(state.value === "blocked" || state.value === "failed") && (
        <p class="form-error chat-open-error" role="alert">
          {state.value === "blocked"
            ? t("chat.open_blocked", { handle: member.handle })
            : t("chat.open_failed")}
        </p>
      )}
    </>
  );
}
