// One chat conversation (CHT-2..4): its messages, oldest first with earlier ones on demand, yours
// on their way (sending, or not sent: send again), and the composer. The composer stops at the
// scope's length cap from config, sends on Enter (Shift+Enter is a new line), refuses an empty or
// blank message where it is typed, and while the scope's rate limit holds counts down to when you
// may send again; a message the server did not take comes back to the composer. Each message of
// someone else's can be reported, and its author blocked, in one click (MOD-1, MOD-5).
import { useComputed, useSignal, useSignalEffect } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useLayoutEffect, useRef } from "preact/hooks";
import { type CopyKey, locale, t } from "../i18n";
import {
  type ChatMessage,
  type ChatThread,
  chatReportContext,
  type Outgoing,
  useSdk,
} from "../sdk";
import { LineIcon } from "./LineIcon";
import { moderate } from "./ModerationSheet";

// Why the server did not take a message (vvtv/chat/errors.py codes) → what to tell the sender.
const REFUSED = {
  blocked: "chat.refused_blocked",
  message_too_long: "chat.refused_too_long",
  links_not_allowed: "chat.refused_links",
  // Shield Mode's gates (vvtv/chat/gate.py): the account can still read.
  shield_new_accounts: "chat.refused_shield_new_accounts",
  shield_room_gate: "chat.refused_shield_room_gate",
  empty_message: "chat.empty_refused",
  message_held: "chat.refused_held",
  held_rejected: "chat.refused_not_posted",
  other: "chat.refused_other",
} as const satisfies Record<string, CopyKey>;

function refusal(code: string): keyof typeof REFUSED {
  return code in REFUSED ? (code as keyof typeof REFUSED) : "other";
}

const SECOND_MS = 1000;

/** Whole seconds left until `until` (epoch ms), ticking while there are any. */
function useSecondsLeft(until: number | null): number {
  const left = () =>
    until === null ? 0 : Math.max(0, Math.ceil((until - Date.now()) / SECOND_MS));
  const seconds = useSignal(left());
  useEffect(() => {
    seconds.value = left();
    if (seconds.value === 0) return;
    const timer = setInterval(() => {
      seconds.value = left();
      if (seconds.value === 0) clearInterval(timer);
    }, SECOND_MS);
    return () => clearInterval(timer);
  }, [until]);
  return seconds.value;
}

interface Props {
  thread: ChatThread;
  /** What the composer is labelled with ("Message alice", "Message everyone here"). */
  composerLabel: string;
  /** The scope's length cap (config's, through the client settings). */
  maxChars: number;
  /** The mode the conversation is in, for reports (MOD-1). */
  modeId: string | null;
  /** What the conversation shows before its first message. */
  emptyText: string;
}

export function Conversation({ thread, composerLabel, maxChars, modeId, emptyText }: Props) {
  const { chat, session } = useSdk();
  const draft = useSignal("");
  const blank = useSignal(false);
  const list = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const me = session.user.value?.id ?? null;
  const secondsLeft = useSecondsLeft(thread.limitedUntil.value);
  const bounced = thread.bounced.value;
  const messages = thread.messages.value;
  const outgoing = thread.outgoing.value;
  const inputId = `chat-input-${thread.id}`;
  const count = useComputed(() => draft.value.length);

  // On screen: what arrives counts as read.
  useEffect(() => chat.watch(thread), [thread]);

  // A message the server did not take goes back where it was typed (unless something new is).
  useSignalEffect(() => {
    const back = thread.bounced.value;
    if (back && draft.peek().trim() === "") draft.value = back.body;
  });

  // Stay at the newest message while it is in view; earlier pages do not pull the view away.
  useLayoutEffect(() => {
    const element = list.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [messages.length, outgoing.length, messages.at(-1)?.seq]);

  const submit = () => {
    const body = draft.peek();
    if (body.trim() === "") {
      blank.value = true;
      return;
    }
    if (chat.send(thread, body) === "limited") return; // the countdown says why
    blank.value = false;
    draft.value = "";
    atBottom.current = true;
  };

  // The newest name this client knows, else the one the message came with (none for an account
  // that is gone).
  const authorName = (message: Pick<ChatMessage, "author_id" | "author_handle">) =>
    message.author_id === me
      ? t("chat.you")
      : (chat.handleOf(message.author_id) ?? message.author_handle ?? t("chat.someone"));

  return (
    <div class="conversation" data-thread={thread.id} data-loaded={thread.loaded.value}>
      <div
        ref={list}
        class="chat-log"
        role="log"
        aria-label={composerLabel}
        tabIndex={0}
        onScroll={(event) => {
          const element = event.currentTarget;
          atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 8;
        }}
      >
        {thread.olderAvailable.value && (
          <button
            type="button"
            class="text-button chat-older"
            onClick={() => {
              atBottom.current = false;
              void chat.loadOlder(thread);
            }}
          >
            {t("chat.load_older")}
          </button>
        )}
        {!thread.loaded.value ? (
          <p class="chat-empty">{t("chat.loading")}</p>
        ) : (
          messages.length === 0 && outgoing.length === 0 && <p class="chat-empty">{emptyText}</p>
        )}
        <ol class="chat-messages">
          {messages.map((message) => (
            <MessageItem
              key={message.seq}
              message={message}
              author={authorName(message)}
              mine={message.author_id === me}
              onReport={() =>
                moderate({
                  userId: message.author_id,
                  handle: authorName(message),
                  context: chatReportContext(thread.scope),
                  threadId: thread.id,
                  modeId,
                  messageIds: [message.message_id],
                  quote: message.body,
                })
              }
            />
          ))}
          {outgoing.map((out) => (
            <OutgoingItem
              key={out.clientId}
              out={out}
              onRetry={() => chat.retry(thread, out.clientId)}
              onDiscard={() => chat.discard(thread, out.clientId)}
            />
          ))}
        </ol>
      </div>
      {secondsLeft > 0 && (
        <p class="chat-notice" role="status" data-kind="rate-limited">
          {t("chat.rate_limited", { seconds: secondsLeft })}
        </p>
      )}
      {bounced && bounced.code !== "chat_rate_limited" && (
        <p class="chat-notice form-error" role="alert" data-kind="refused" data-code={bounced.code}>
          {t(REFUSED[refusal(bounced.code)])}
        </p>
      )}
      <form
        class="chat-composer"
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <label class="visually-hidden" for={inputId}>
          {composerLabel}
        </label>
        <textarea
          id={inputId}
          class="chat-input"
          rows={1}
          maxLength={maxChars}
          placeholder={t("chat.placeholder")}
          value={draft.value}
          aria-invalid={blank.value ? "true" : undefined}
          aria-describedby={`${inputId}-count`}
          onInput={(event) => {
            draft.value = event.currentTarget.value;
            if (blank.value && draft.value.trim() !== "") blank.value = false;
          }}
          onKeyDown={(event) => {
            if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
              event.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" class="primary chat-send" disabled={secondsLeft > 0}>
          {t("chat.send")}
        </button>
        <span id={`${inputId}-count`} class="chat-count">
          {t("chat.count", { used: count.value, max: maxChars })}
        </span>
      </form>
      {blank.value && (
        <p class="form-error chat-inline-error" role="alert">
          {t("chat.empty_refused")}
        </p>
      )}
    </div>
  );
}

function MessageItem({
  message,
  author,
  mine,
  onReport,
}: {
  message: ChatMessage;
  author: string;
  mine: boolean;
  onReport(): void;
}): JSX.Element {
  const time = new Date(message.sent_at).toLocaleTimeString(locale.value, {
    hour: "2-digit",
    minute: "2-digit",
  });
  return (
    <li class="chat-message" data-seq={message.seq} data-mine={mine ? "true" : "false"}>
      <div class="chat-meta">
        <span class="chat-author">{author}</span>
        <time dateTime={message.sent_at}>{time}</time>
      </div>
      <p class="chat-body">{message.body}</p>
      {!mine && (
        <button
          type="button"
          class="icon-button chat-report"
          aria-label={t("chat.report_message", { handle: author })}
          onClick={onReport}
        >
          <LineIcon path="M5 21V4h11l-1.5 4L16 12H5" size={18} />
        </button>
      )}
    </li>
  );
}

function OutgoingItem({
  out,
  onRetry,
  onDiscard,
}: {
  out: Outgoing;
  onRetry(): void;
  onDiscard(): void;
}): JSX.Element {
  return (
    <li class="chat-message" data-mine="true" data-state={out.state}>
      <div class="chat-meta">
        <span class="chat-author">{t("chat.you")}</span>
        <span>{out.state === "unsent" ? t("chat.unsent") : t("chat.sending")}</span>
      </div>
      <p class="chat-body">{out.body}</p>
      {out.state === "unsent" && (
        <div class="chat-outgoing-actions">
          <button type="button" class="text-button" onClick={onRetry}>
            {t("chat.retry")}
          </button>
          <button type="button" class="text-button" onClick={onDiscard}>
            {t("chat.discard")}
          </button>
        </div>
      )}
    </li>
  );
}
