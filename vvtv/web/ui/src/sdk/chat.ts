// Chat (CHT-1..4): threads opened or reopened over HTTP, their history paged by seq, and every new
// message pushed over the one event socket (`chat.message`, to every tab of yours). Messages are
// held by seq, so a replay that overlaps what is held adds nothing (no duplicates), and a seq past
// the next one expected means missed messages, fetched at once (no gaps). A new socket asks each
// thread for what came after the last seq it holds (`chat.subscribe`). Your private conversations,
// and how far you read each, are kept on this device: a reload lists them with their unread counts.
import { computed, effect, type ReadonlySignal, type Signal, signal } from "@preact/signals";
import { type Api, unwrap } from "./api";
import type { EventSocket } from "./socket";
import type { EventOf, Me, Schemas } from "./types";

export type ChatScope = Schemas["ChatThreadOpen"]["scope"];
export type ChatMessage = Schemas["ChatMessageView"];
/** The same as call.ts's, which the SDK exports. */
type ThreadOpen = Schemas["ChatThreadOpen"];
type ThreadView = Schemas["ChatThreadView"];
type HistoryPage = Schemas["ChatHistoryPage"];
type HistoryQuery = { before_seq?: number; after_seq?: number };

export const PRIVATE_SCOPE: ChatScope = "private_1to1";
const SCOPES: Record<ChatScope, true> = {
  private_1to1: true,
  room: true,
  performer_room: true,
  live_public: true,
};

/** A manifest's `scope` prop as a chat scope, or null for none this client knows. */
export function chatScope(name: string | undefined): ChatScope | null {
  return name !== undefined && name in SCOPES ? (name as ChatScope) : null;
}

/** The HTTP half of chat (the routes of vvtv/chat/api.py). */
export interface ChatCalls {
  open(body: ThreadOpen): Promise<ThreadView>;
  history(threadId: string, query: HistoryQuery): Promise<HistoryPage>;
}

export function chatCalls(api: Api): ChatCalls {
  const http = api.http;
  return {
    open: (body) => unwrap<ThreadView>(http.POST("/chat/thread", { body })),
    history: (threadId, query) =>
      unwrap<HistoryPage>(
        http.GET("/chat/{thread_id}/messages", {
          params: { path: { thread_id: threadId }, query },
        }),
      ),
  };
}

/** A message of yours on its way: `sending` (on the socket), `queued` (no socket: it goes when one
 * opens) or `unsent` (the socket dropped before it was confirmed: send again or drop it). */
export interface Outgoing {
  clientId: string;
  body: string;
  state: "sending" | "queued" | "unsent";
}

/** A message the server did not take: the rate limit (`chat_rate_limited`) or a refusal's code. */
export interface Bounce {
  clientId: string;
  body: string;
  code: string;
}

export type SendOutcome = "sending" | "queued" | "limited";

export interface ChatThread {
  readonly id: string;
  readonly scope: ChatScope;
  readonly room: string | null;
  /** The other one of a private thread. */
  readonly peerId: string | null;
  /** What is held, oldest first, one per seq. */
  readonly messages: ReadonlySignal<readonly ChatMessage[]>;
  readonly outgoing: ReadonlySignal<readonly Outgoing[]>;
  /** Others' messages after the last one you saw. */
  readonly unread: ReadonlySignal<number>;
  readonly olderAvailable: ReadonlySignal<boolean>;
  /** Until when (epoch ms) the scope's rate limit holds your messages back. */
  readonly limitedUntil: ReadonlySignal<number | null>;
  /** The last message the server did not take, to give back to the composer. */
  readonly bounced: ReadonlySignal<Bounce | null>;
  /** The newest page is in (before that, the list is empty because it is loading). */
  readonly loaded: ReadonlySignal<boolean>;
}

class Thread implements ChatThread {
  readonly messages = signal<readonly ChatMessage[]>([]);
  readonly outgoing = signal<readonly Outgoing[]>([]);
  readonly olderAvailable = signal(false);
  readonly limitedUntil = signal<number | null>(null);
  readonly bounced = signal<Bounce | null>(null);
  readonly loaded = signal(false);
  readonly readSeq: Signal<number>;
  readonly unread: ReadonlySignal<number>;
  /** Every seq up to this one is held, or hidden from you (a blocked author in a room). */
  upTo = 0;
  catchingUp = false;
  catchUpAgain = false;
  loadingOlder = false;
  loadingNewest: Promise<void> | null = null;
  private readonly held = new Map<number, ChatMessage>();
  private watchers = 0;

  constructor(
    readonly id: string,
    readonly scope: ChatScope,
    readonly room: string | null,
    readonly peerId: string | null,
    me: string,
    readSeq: number,
  ) {
    this.readSeq = signal(readSeq);
    this.unread = computed(() => {
      const read = this.readSeq.value;
      return this.messages.value.filter((m) => m.seq > read && m.author_id !== me).length;
    });
  }

  get private(): boolean {
    return this.scope === PRIVATE_SCOPE;
  }

  get newestSeq(): number {
    return this.messages.peek().at(-1)?.seq ?? 0;
  }

  /** Hold these messages (those already held change nothing); confirm your own by client id. */
  hold(messages: readonly ChatMessage[]): void {
    const fresh = messages.filter((message) => !this.held.has(message.seq));
    if (fresh.length === 0) return;
    for (const message of fresh) this.held.set(message.seq, message);
    this.messages.value = [...this.held.values()].sort((a, b) => a.seq - b.seq);
    const confirmed = new Set(fresh.map((message) => message.client_id));
    if (this.outgoing.peek().some((out) => confirmed.has(out.clientId))) {
      this.outgoing.value = this.outgoing.peek().filter((out) => !confirmed.has(out.clientId));
    }
    this.advance(this.upTo);
    if (this.watchers > 0) this.readSeq.value = this.newestSeq;
  }

  /** Everything up to `seq` is known; then every held seq right after it. */
  advance(seq: number): void {
    this.upTo = Math.max(this.upTo, seq);
    while (this.held.has(this.upTo + 1)) this.upTo += 1;
  }

  /** A message held beyond the unbroken run: some before it have not arrived. */
  get gapped(): boolean {
    return this.newestSeq > this.upTo;
  }

  watch(): () => void {
    this.watchers += 1;
    this.readSeq.value = Math.max(this.readSeq.peek(), this.newestSeq);
    return () => {
      this.watchers -= 1;
    };
  }

  take(clientId: string): Outgoing | null {
    const out = this.outgoing.peek().find((candidate) => candidate.clientId === clientId) ?? null;
    if (out) this.outgoing.value = this.outgoing.peek().filter((other) => other !== out);
    return out;
  }
}

interface Stored {
  thread_id: string;
  peer_id: string;
  read_seq: number;
  handle: string | null;
}

type Who = Pick<Me, "id" | "handle">;

export class ChatClient {
  /** Every thread held now: the rooms opened and your private conversations. */
  readonly threads = signal<readonly ChatThread[]>([]);
  private readonly byId = new Map<string, Thread>();
  private readonly opening = new Map<string, Promise<Thread>>();
  /** Messages pushed for a thread not held yet (its open is on the way, or someone wrote first). */
  private readonly early = new Map<string, ChatMessage[]>();
  /** Threads pushed to us that are not ours to show (a room of another mode). */
  private readonly ignored = new Set<string>();
  private readonly discovering = new Set<string>();
  private readonly names = signal<ReadonlyMap<string, string>>(new Map());
  private me: string | null = null;

  constructor(
    private readonly socket: EventSocket,
    private readonly calls: ChatCalls,
    user: ReadonlySignal<Who | null>,
    private readonly storage: Storage = localStorage,
  ) {
    socket.on("auth.ok", () => this.resume());
    socket.on("chat.message", (event) => this.received(event));
    socket.on("chat.rate_limited", (event) => this.limited(event));
    socket.on("chat.not_posted", (event) => this.notPosted(event));
    socket.on("error", (event) => this.refused(event));
    socket.on("presence.snapshot", (event) => this.learn(event.page.members));
    socket.on("presence.update", (event) =>
      this.learn([...event.joined, ...event.changed, ...(event.page?.members ?? [])]),
    );
    effect(() => this.signedIn(user.value));
  }

  /** Someone's handle, when this client has seen it (presence, a card, a message of theirs, your
   * conversations). */
  handleOf(userId: string): string | null {
    return this.names.value.get(userId) ?? null;
  }

  remember(userId: string, handle: string): void {
    if (this.names.peek().get(userId) === handle) return;
    this.names.value = new Map(this.names.peek()).set(userId, handle);
    if (this.privateWith(userId)) this.save();
  }

  /** The room's one thread (joining it). */
  openRoom(scope: ChatScope, room: string): Promise<ChatThread> {
    return this.open({ scope, room, peer_user_id: null });
  }

  /** Your one thread with this person, created the first time (CHT-1). Refused when a block stands
   * between you (ApiError `blocked`). */
  openPrivate(peerId: string, handle: string): Promise<ChatThread> {
    this.remember(peerId, handle);
    return this.open({ scope: PRIVATE_SCOPE, peer_user_id: peerId, room: null });
  }

  /** Send over the socket: it comes back as `chat.message`, or bounces (rate limit, refusal). */
  send(thread: ChatThread, body: string): SendOutcome {
    const held = this.held(thread);
    const until = held.limitedUntil.peek();
    if (until !== null && until > Date.now()) return "limited";
    const clientId = newClientId();
    const state = this.transmit(held, clientId, body) ? "sending" : "queued";
    held.bounced.value = null;
    held.outgoing.value = [...held.outgoing.peek(), { clientId, body, state }];
    return state;
  }

  /** Send an `unsent` message again (the same client id: its echo confirms it). */
  retry(thread: ChatThread, clientId: string): void {
    const held = this.held(thread);
    held.outgoing.value = held.outgoing.peek().map((out) => {
      if (out.clientId !== clientId) return out;
      return { ...out, state: this.transmit(held, clientId, out.body) ? "sending" : "queued" };
    });
  }

  discard(thread: ChatThread, clientId: string): void {
    this.held(thread).take(clientId);
  }

  /** While the conversation is on screen its messages count as read; call the result on leaving. */
  watch(thread: ChatThread): () => void {
    const held = this.held(thread);
    const stop = held.watch();
    const unsave = effect(() => {
      void held.readSeq.value;
      if (held.private) this.save();
    });
    return () => {
      stop();
      unsave();
    };
  }

  async loadOlder(thread: ChatThread): Promise<void> {
    const held = this.held(thread);
    const first = held.messages.peek()[0];
    if (!first || !held.olderAvailable.peek() || held.loadingOlder) return;
    held.loadingOlder = true;
    try {
      const page = await this.calls.history(held.id, { before_seq: first.seq });
      held.hold(page.messages);
      held.olderAvailable.value = page.has_more;
    } finally {
      held.loadingOlder = false;
    }
  }

  // -- inside ------------------------------------------------------------------------------------

  private held(thread: ChatThread): Thread {
    const held = this.byId.get(thread.id);
    if (!held) throw new Error(`chat thread ${thread.id} is not held`);
    return held;
  }

  private open(request: ThreadOpen): Promise<Thread> {
    const key = `${request.scope}:${request.room ?? request.peer_user_id}`;
    let pending = this.opening.get(key);
    if (!pending) {
      pending = (async () => {
        const view = await this.calls.open(request);
        const thread = this.adopt(view, view.last_seq);
        if (!thread.loaded.peek()) await this.loadNewest(thread);
        return thread;
      })().finally(() => {
        this.opening.delete(key);
        this.discoverEarly();
      });
      this.opening.set(key, pending);
    }
    return pending;
  }

  /** Hold a thread the server named (the same one again changes nothing). */
  private adopt(
    view: Pick<ThreadView, "thread_id" | "scope" | "room" | "participants">,
    readSeq: number,
  ): Thread {
    const known = this.byId.get(view.thread_id);
    if (known) return known;
    const me = this.me ?? "";
    const peer =
      view.scope === PRIVATE_SCOPE ? (view.participants.find((id) => id !== me) ?? null) : null;
    const thread = new Thread(view.thread_id, view.scope, view.room, peer, me, readSeq);
    this.byId.set(thread.id, thread);
    this.ignored.delete(thread.id);
    this.threads.value = [...this.threads.peek(), thread];
    const early = this.early.get(thread.id);
    this.early.delete(thread.id);
    if (early) thread.hold(early);
    if (thread.private) this.save();
    return thread;
  }

  private loadNewest(thread: Thread): Promise<void> {
    thread.loadingNewest ??= (async () => {
      const page = await this.calls.history(thread.id, {});
      thread.hold(page.messages);
      thread.olderAvailable.value = page.has_more;
      thread.advance(page.last_seq);
      thread.loaded.value = true;
      // Follow it on this socket from here (a room's messages reach only the sockets that do).
      this.subscribe(thread);
      if (thread.gapped) void this.catchUp(thread);
    })().finally(() => {
      thread.loadingNewest = null;
    });
    return thread.loadingNewest;
  }

  /** Fetch what came after the unbroken run, until it reaches the newest. */
  private async catchUp(thread: Thread): Promise<void> {
    if (thread.catchingUp) {
      thread.catchUpAgain = true;
      return;
    }
    thread.catchingUp = true;
    try {
      do {
        thread.catchUpAgain = false;
        let more = true;
        while (more) {
          const page = await this.calls.history(thread.id, { after_seq: thread.upTo });
          thread.hold(page.messages);
          more = page.has_more;
          // The page is everything after upTo that you may see, so what it skips is hidden.
          thread.advance(more ? (page.messages.at(-1)?.seq ?? thread.upTo) : page.last_seq);
        }
      } while (thread.catchUpAgain && thread.gapped);
    } catch {
      // Offline: the next message or the next socket tries again.
    } finally {
      thread.catchingUp = false;
    }
  }

  private received(event: EventOf<"chat.message">): void {
    const message: ChatMessage = {
      thread_id: event.thread_id,
      seq: event.seq,
      message_id: event.message_id,
      author_id: event.author_id,
      body: event.body,
      sent_at: event.sent_at,
      client_id: event.client_id,
      author_handle: event.author_handle ?? null,
    };
    // The message names its author (a Live room shows no presence to learn it from).
    if (message.author_handle) this.remember(message.author_id, message.author_handle);
    const thread = this.byId.get(message.thread_id);
    if (thread) {
      thread.hold([message]);
      if (thread.loaded.peek() && thread.gapped) void this.catchUp(thread);
      return;
    }
    if (this.ignored.has(message.thread_id)) return;
    this.early.set(message.thread_id, [...(this.early.get(message.thread_id) ?? []), message]);
    this.discoverEarly();
  }

  /** Someone wrote in a thread not held: if it is your private one with them, hold it (its first
   * new messages unread); if not (a room of another mode), ignore it from now on. Waits while an
   * open is on the way, since that open may be the thread. */
  private discoverEarly(): void {
    if (this.opening.size > 0) return;
    for (const [threadId, messages] of this.early) {
      const author = messages.find((message) => message.author_id !== this.me)?.author_id;
      if (author === undefined || this.discovering.has(threadId)) continue;
      void this.discover(threadId, author, Math.min(...messages.map((m) => m.seq)) - 1);
    }
  }

  private async discover(threadId: string, author: string, readSeq: number): Promise<void> {
    this.discovering.add(threadId);
    try {
      const view = await this.calls.open({
        scope: PRIVATE_SCOPE,
        peer_user_id: author,
        room: null,
      });
      if (view.thread_id !== threadId) {
        this.ignored.add(threadId);
        this.early.delete(threadId);
        return;
      }
      const thread = this.adopt(view, readSeq);
      if (!thread.loaded.peek()) await this.loadNewest(thread);
    } catch (error) {
      // A block: not a thread to show. Offline: the next message tries again.
      if ((error as { status?: number }).status === 403) {
        this.ignored.add(threadId);
        this.early.delete(threadId);
      }
    } finally {
      this.discovering.delete(threadId);
    }
  }

  private limited(event: EventOf<"chat.rate_limited">): void {
    const thread = this.byId.get(event.thread_id);
    if (!thread) return;
    thread.limitedUntil.value = Date.now() + event.retry_after_s * 1000;
    const out = event.client_id ? thread.take(event.client_id) : null;
    if (out) {
      thread.bounced.value = { clientId: out.clientId, body: out.body, code: "chat_rate_limited" };
    }
  }

  /** A held message of yours a moderator rejected: it will never be posted (`held_rejected`). Its
   * text went back to the composer when it was held. */
  private notPosted(event: EventOf<"chat.not_posted">): void {
    const thread = this.byId.get(event.thread_id);
    if (!thread) return;
    thread.bounced.value = { clientId: event.client_id ?? "", body: "", code: "held_rejected" };
  }

  /** A refused `chat.send` (its client id comes back as `ref`): blocked, too long, empty … */
  private refused(event: EventOf<"error">): void {
    if (!event.ref) return;
    for (const thread of this.byId.values()) {
      const out = thread.take(event.ref);
      if (out) {
        thread.bounced.value = { clientId: out.clientId, body: out.body, code: event.code };
        return;
      }
    }
  }

  /** A new socket: each thread resumes after its unbroken run; what was on its way is sent again
   * if it never left (queued), or offered again if the old socket may have lost it (unsent). */
  private resume(): void {
    for (const thread of this.byId.values()) {
      if (thread.loaded.peek()) {
        this.subscribe(thread);
      } else {
        void this.loadNewest(thread).catch(() => undefined); // restored from this device
      }
      thread.outgoing.value = thread.outgoing.peek().map((out) => {
        if (out.state === "sending") return { ...out, state: "unsent" };
        if (out.state === "queued" && this.transmit(thread, out.clientId, out.body)) {
          return { ...out, state: "sending" };
        }
        return out;
      });
    }
  }

  /** This socket is sent what came after the unbroken run, then every new message. */
  private subscribe(thread: Thread): void {
    const after = thread.upTo;
    this.socket.send({ type: "chat.subscribe", v: 1, thread_id: thread.id, after_seq: after });
  }

  private transmit(thread: Thread, clientId: string, body: string): boolean {
    const id = thread.id;
    return this.socket.send({ type: "chat.send", v: 1, thread_id: id, body, client_id: clientId });
  }

  private learn(members: readonly { user_id: string; handle: string }[]): void {
    const names = this.names.peek();
    const fresh = members.filter((member) => names.get(member.user_id) !== member.handle);
    if (fresh.length === 0) return;
    const next = new Map(names);
    for (const member of fresh) next.set(member.user_id, member.handle);
    this.names.value = next;
  }

  private privateWith(userId: string): boolean {
    return [...this.byId.values()].some((thread) => thread.peerId === userId);
  }

  // -- this device's list of your private conversations -------------------------------------------

  private signedIn(user: Who | null): void {
    if (user?.id === this.me) return;
    this.me = user?.id ?? null;
    this.byId.clear();
    this.early.clear();
    this.ignored.clear();
    this.threads.value = [];
    if (!user) return;
    this.remember(user.id, user.handle);
    for (const stored of this.restore(user.id)) {
      if (stored.handle) this.remember(stored.peer_id, stored.handle);
      this.adopt(
        {
          thread_id: stored.thread_id,
          scope: PRIVATE_SCOPE,
          room: null,
          participants: [user.id, stored.peer_id],
        },
        stored.read_seq,
      );
    }
  }

  private storageKey(): string {
    return `vvtv.chat.${this.me}`;
  }

  private restore(userId: string): Stored[] {
    try {
      const raw = this.storage.getItem(`vvtv.chat.${userId}`);
      return raw ? (JSON.parse(raw) as Stored[]) : [];
    } catch {
      return [];
    }
  }

  private save(): void {
    if (!this.me) return;
    const stored: Stored[] = [...this.byId.values()]
      .filter((thread) => thread.private && thread.peerId !== null)
      .map((thread) => ({
        thread_id: thread.id,
        peer_id: thread.peerId ?? "",
        read_seq: thread.readSeq.peek(),
        handle: this.names.peek().get(thread.peerId ?? "") ?? null,
      }));
    try {
      this.storage.setItem(this.storageKey(), JSON.stringify(stored));
    } catch {
      // Storage full or off: the list lives as long as the page.
    }
  }
}

function newClientId(): string {
  return crypto.randomUUID().replaceAll("-", "");
}
