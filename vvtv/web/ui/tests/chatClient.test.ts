// The chat client over a socket stand-in and an in-memory chat server (CHT-1..4): messages held
// once per seq whatever the order and overlap they arrive in, gaps fetched, a new socket resuming
// after the last seq, the rate limit's bounce, refusals matched by client id, private threads
// someone else started, and this device's list of them across a reload.
import { signal } from "@preact/signals";
import { describe, expect, it } from "vitest";
import { type ChatCalls, ChatClient, type ChatMessage } from "../src/sdk/chat";
import type { EventSocket } from "../src/sdk/socket";
import type { ClientMessage, Schemas, ServerEvent } from "../src/sdk/types";

type ThreadView = Schemas["ChatThreadView"];

class FakeSocket {
  sent: ClientMessage[] = [];
  open = true;
  private handlers = new Map<string, ((event: ServerEvent) => void)[]>();

  on(type: string, handler: (event: ServerEvent) => void): () => void {
    this.handlers.set(type, [...(this.handlers.get(type) ?? []), handler]);
    return () => {};
  }

  send(message: ClientMessage): boolean {
    if (this.open) this.sent.push(message);
    return this.open;
  }

  push(event: ServerEvent): void {
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }

  ofType<T extends ClientMessage["type"]>(type: T): Extract<ClientMessage, { type: T }>[] {
    return this.sent.filter((m) => m.type === type) as Extract<ClientMessage, { type: T }>[];
  }
}

/** The chat routes over memory: threads by key, messages by seq, pages as the server cuts them. */
class FakeServer implements ChatCalls {
  threads = new Map<
    string,
    { view: ThreadView; messages: ChatMessage[]; hiddenFrom: Set<string> }
  >();
  calls: string[] = [];
  pageSize = 3;
  /** Authors' handles where they are not their ids (null: the account is gone). */
  handles = new Map<string, string | null>();

  constructor(private readonly me: string) {}

  async open(body: Schemas["ChatThreadOpen"]): Promise<ThreadView> {
    const key = body.room ?? [this.me, body.peer_user_id].sort().join(":");
    this.calls.push(`open ${key}`);
    let thread = this.threads.get(key);
    if (!thread) {
      const view: ThreadView = {
        thread_id: `t-${key}`,
        scope: body.scope,
        room: body.room,
        participants: body.room ? [] : [this.me, body.peer_user_id ?? ""],
        last_seq: 0,
        created_at: "2026-01-01T00:00:00Z",
        reopened: false,
      };
      thread = { view, messages: [], hiddenFrom: new Set() };
      this.threads.set(key, thread);
    }
    return { ...thread.view, last_seq: thread.messages.length };
  }

  async history(threadId: string, query: { before_seq?: number; after_seq?: number }) {
    this.calls.push(`history ${threadId} ${JSON.stringify(query)}`);
    const thread = this.byId(threadId);
    const all = thread.messages;
    let found: ChatMessage[];
    let hasMore: boolean;
    if (query.after_seq !== undefined) {
      const after = all.filter((m) => m.seq > (query.after_seq ?? 0));
      found = after.slice(0, this.pageSize);
      hasMore = after.length > this.pageSize;
    } else {
      const before = all.filter((m) => query.before_seq === undefined || m.seq < query.before_seq);
      found = before.slice(-this.pageSize);
      hasMore = before.length > this.pageSize;
    }
    return {
      thread_id: threadId,
      messages: found.filter((m) => !thread.hiddenFrom.has(m.author_id)),
      last_seq: all.length,
      has_more: hasMore,
    };
  }

  async report(): Promise<unknown> {
    return { report_id: 1 };
  }

  byId(threadId: string) {
    const thread = [...this.threads.values()].find((t) => t.view.thread_id === threadId);
    if (!thread) throw new Error(`no thread ${threadId}`);
    return thread;
  }

  /** Someone posts: stored with the next seq; the event it pushes is returned. */
  post(threadId: string, author: string, body: string, clientId: string | null = null) {
    const thread = this.byId(threadId);
    const message: ChatMessage = {
      thread_id: threadId,
      seq: thread.messages.length + 1,
      message_id: `m${thread.messages.length + 1}`,
      author_id: author,
      body,
      sent_at: "2026-01-01T00:00:00Z",
      client_id: clientId,
      author_handle: this.handles.has(author) ? (this.handles.get(author) ?? null) : author,
    };
    thread.messages.push(message);
    return event(message);
  }
}

function event(message: ChatMessage): ServerEvent {
  return { type: "chat.message", v: 1, ...message };
}

class MemoryStorage {
  items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
}

const ME = { id: "me", handle: "ana" };
const AUTH_OK: ServerEvent = {
  type: "auth.ok",
  v: 1,
  user_id: ME.id,
  access_expires_at: "2026-01-01T01:00:00Z",
};

function setup(storage = new MemoryStorage(), server = new FakeServer(ME.id)) {
  const socket = new FakeSocket();
  const user = signal<typeof ME | null>(ME);
  const chat = new ChatClient(
    socket as unknown as EventSocket,
    server,
    user,
    storage as unknown as Storage,
  );
  return { socket, server, chat, user, storage };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));
const seqs = (messages: readonly ChatMessage[]) => messages.map((m) => m.seq);

describe("a thread's messages", () => {
  it("are followed on this socket once the newest page is in, from its last seq", async () => {
    const { socket, server, chat } = setup();
    await server.open({ scope: "room", room: "hall", peer_user_id: null });
    server.post("t-hall", "bob", "before");
    const room = await chat.openRoom("room", "hall");
    expect(socket.ofType("chat.subscribe")).toEqual([
      { type: "chat.subscribe", v: 1, thread_id: room.id, after_seq: 1 },
    ]);
  });

  it("are held once per seq, in order, whatever order and overlap they arrive in", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    const events = [1, 2, 3, 4].map((n) => server.post(room.id, "bob", `hi ${n}`));
    for (const index of [1, 0, 1, 3, 2, 3]) socket.push(events[index] as ServerEvent);
    await settle();
    expect(seqs(room.messages.value)).toEqual([1, 2, 3, 4]);
    expect(room.messages.value.map((m) => m.body)).toEqual(["hi 1", "hi 2", "hi 3", "hi 4"]);
  });

  it("open with the newest page and page back to the first", async () => {
    const { server, chat } = setup();
    await chat.openRoom("room", "hall");
    const id = "t-hall";
    for (let n = 1; n <= 7; n++) server.post(id, "bob", `m${n}`);
    const { chat: other } = setup(new MemoryStorage(), server); // another tab, later
    const room = await other.openRoom("room", "hall");
    expect(seqs(room.messages.value)).toEqual([5, 6, 7]);
    expect(room.olderAvailable.value).toBe(true);
    await other.loadOlder(room);
    await other.loadOlder(room);
    expect(seqs(room.messages.value)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(room.olderAvailable.value).toBe(false);
  });

  it("past a gap, fetch what is missing after the unbroken run (no gaps)", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    server.post(room.id, "bob", "one");
    server.post(room.id, "bob", "two");
    socket.push(server.post(room.id, "bob", "three"));
    await settle();
    expect(seqs(room.messages.value)).toEqual([1, 2, 3]);
    expect(server.calls.at(-1)).toBe(`history t-hall {"after_seq":0}`);
  });

  it("in a room, what a block hides is skipped, not fetched again and again", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    server.byId(room.id).hiddenFrom.add("eve");
    server.post(room.id, "eve", "hidden");
    socket.push(server.post(room.id, "bob", "seen"));
    await settle();
    expect(seqs(room.messages.value)).toEqual([2]);
    const fetches = server.calls.filter((call) => call.includes("after_seq")).length;
    socket.push(server.post(room.id, "bob", "next"));
    await settle();
    expect(seqs(room.messages.value)).toEqual([2, 3]);
    expect(server.calls.filter((call) => call.includes("after_seq")).length).toBe(fetches);
  });

  it("count others' messages as unread until the conversation is on screen", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    socket.push(server.post(room.id, "bob", "one"));
    socket.push(server.post(room.id, ME.id, "mine"));
    socket.push(server.post(room.id, "bob", "two"));
    expect(room.unread.value).toBe(2);
    const leave = chat.watch(room);
    expect(room.unread.value).toBe(0);
    socket.push(server.post(room.id, "bob", "while watching"));
    expect(room.unread.value).toBe(0);
    leave();
    socket.push(server.post(room.id, "bob", "after"));
    expect(room.unread.value).toBe(1);
  });
});

describe("a new socket", () => {
  it("resumes every thread after its last seq, and a replay's overlap adds nothing", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    socket.push(server.post(room.id, "bob", "one"));
    socket.push(server.post(room.id, "bob", "two"));
    server.post(room.id, "bob", "missed"); // while the socket was down
    socket.sent = [];
    socket.push(AUTH_OK);
    expect(socket.ofType("chat.subscribe")).toEqual([
      { type: "chat.subscribe", v: 1, thread_id: room.id, after_seq: 2 },
    ]);
    for (const message of server.byId(room.id).messages) socket.push(event(message)); // overlap
    expect(seqs(room.messages.value)).toEqual([1, 2, 3]);
  });

  it("sends what was queued and offers again what the old socket may have lost", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    expect(chat.send(room, "in flight")).toBe("sending");
    socket.open = false;
    expect(chat.send(room, "offline")).toBe("queued");
    socket.open = true;
    socket.push(AUTH_OK);
    const sends = socket.ofType("chat.send");
    expect(sends.map((s) => s.body)).toEqual(["in flight", "offline"]);
    expect(room.outgoing.value.map((o) => [o.body, o.state])).toEqual([
      ["in flight", "unsent"],
      ["offline", "sending"],
    ]);
    // The echo of each confirms it.
    for (const send of sends) socket.push(server.post(room.id, ME.id, send.body, send.client_id));
    expect(room.outgoing.value).toEqual([]);
    expect(room.messages.value.map((m) => m.body)).toEqual(["in flight", "offline"]);
  });
});

describe("what the server does not take", () => {
  it("a rate-limited message bounces back with the wait, and nothing is sent during it", async () => {
    const { socket, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    chat.send(room, "too fast");
    const [send] = socket.ofType("chat.send");
    const before = Date.now();
    socket.push({
      type: "chat.rate_limited",
      v: 1,
      thread_id: room.id,
      scope: "room",
      retry_after_s: 4.5,
      client_id: send?.client_id ?? null,
    });
    expect(room.outgoing.value).toEqual([]);
    expect(room.bounced.value).toMatchObject({ body: "too fast", code: "chat_rate_limited" });
    expect(room.limitedUntil.value).toBeGreaterThanOrEqual(before + 4500);
    expect(chat.send(room, "again")).toBe("limited");
    expect(socket.ofType("chat.send")).toHaveLength(1);
  });

  it("a refusal comes back by client id with its code", async () => {
    const { socket, chat } = setup();
    const thread = await chat.openPrivate("bob", "bob");
    chat.send(thread, "hello?");
    const [send] = socket.ofType("chat.send");
    socket.push({
      type: "error",
      v: 1,
      status: 403,
      code: "blocked",
      message: "A block stands between you and this user.",
      path: null,
      ref: send?.client_id ?? null,
    });
    expect(thread.outgoing.value).toEqual([]);
    expect(thread.bounced.value).toMatchObject({ body: "hello?", code: "blocked" });
  });

  it("a held message is said to be held, then said not posted when a moderator rejects it", async () => {
    const { socket, chat } = setup();
    const room = await chat.openRoom("room", "hall");
    chat.send(room, "add me on snapchat");
    const clientId = socket.ofType("chat.send")[0]?.client_id ?? null;
    socket.push({
      type: "error",
      v: 1,
      status: 403,
      code: "message_held",
      message: "Your message is held for a moderator to look at before it is sent.",
      path: null,
      ref: clientId,
    });
    expect(room.bounced.value).toMatchObject({ body: "add me on snapchat", code: "message_held" });
    socket.push({ type: "chat.not_posted", v: 1, thread_id: room.id, held_id: 7, client_id: clientId });
    expect(room.bounced.value).toMatchObject({ code: "held_rejected", body: "" });
    expect(room.messages.value).toEqual([]);
  });
});

describe("private conversations", () => {
  it("someone's first message makes their thread appear, unread", async () => {
    const { socket, server, chat } = setup();
    // Bob opened the pair's thread on his side and wrote.
    const bobSide = new FakeServer("bob");
    bobSide.threads = server.threads;
    const view = await bobSide.open({ scope: "private_1to1", peer_user_id: ME.id, room: null });
    socket.push(server.post(view.thread_id, "bob", "hi ana"));
    await settle();
    const [thread] = chat.threads.value;
    expect(thread?.id).toBe(view.thread_id);
    expect(thread?.peerId).toBe("bob");
    expect(thread?.unread.value).toBe(1);
    expect(thread?.messages.value.map((m) => m.body)).toEqual(["hi ana"]);
    expect(chat.handleOf("bob")).toBe("bob"); // the message named him: the list can too
  });

  it("a message names its author (no presence in Live rooms); an account gone, no one", async () => {
    const { socket, server, chat } = setup();
    const room = await chat.openRoom("live_public", "live_public");
    server.handles.set("zed", null);
    socket.push(server.post(room.id, "cyd", "hello"));
    socket.push(server.post(room.id, "zed", "bye"));
    expect(room.messages.value.map((m) => m.author_handle)).toEqual(["cyd", null]);
    expect([chat.handleOf("cyd"), chat.handleOf("zed")]).toEqual(["cyd", null]);
  });

  it("a room of somewhere else pushed to us is asked about once, then ignored", async () => {
    const { socket, server, chat } = setup();
    await server.open({ scope: "room", room: "elsewhere", peer_user_id: null });
    socket.push(server.post("t-elsewhere", "bob", "one"));
    await settle();
    socket.push(server.post("t-elsewhere", "carl", "two"));
    await settle();
    expect(chat.threads.value).toEqual([]);
    expect(server.calls.filter((call) => call.startsWith("open"))).toHaveLength(2);
  });

  it("are listed again after a reload, with what is still unread", async () => {
    const storage = new MemoryStorage();
    const first = setup(storage);
    const thread = await first.chat.openPrivate("bob", "bob");
    first.socket.push(first.server.post(thread.id, "bob", "read it"));
    first.chat.watch(thread)();
    first.server.post(thread.id, "bob", "not yet");
    const again = setup(storage, first.server);
    again.socket.push(AUTH_OK);
    await settle();
    const [restored] = again.chat.threads.value;
    expect(restored?.id).toBe(thread.id);
    expect(again.chat.handleOf("bob")).toBe("bob");
    expect(restored?.unread.value).toBe(1);
    expect(restored?.messages.value.map((m) => m.body)).toEqual(["read it", "not yet"]);
  });

  it("another user signing in on this tab starts from their own list", async () => {
    const { chat, user } = setup();
    await chat.openPrivate("bob", "bob");
    user.value = { id: "zed", handle: "zed" };
    expect(chat.threads.value).toEqual([]);
  });
});
