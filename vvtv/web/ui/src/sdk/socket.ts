// The event socket `/ws`, typed by the ServerEvent / ClientMessage unions. Browsers cannot set
// headers on a WebSocket, so it authenticates in-band; `auth.expired` is answered in-band with
// `auth.refresh` (the socket stays open), and a dropped socket reconnects with backoff.
import { signal } from "@preact/signals";
import type { Session } from "./session";
import type { ClientMessage, EventOf, ServerEvent, ServerEventType, Tokens } from "./types";

export type SocketState = "idle" | "connecting" | "authenticating" | "open" | "waiting" | "closed";

// Close codes the server uses (vvtv/web/sockets.py): HTTP 401 / 403 in the 4xxx range.
const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_FORBIDDEN = 4403;
const CLOSE_NORMAL = 1000;

type Handler<T extends ServerEventType> = (event: EventOf<T>) => void;

export class EventSocket {
  readonly state = signal<SocketState>("idle");
  /** Consecutive failed connections: the backoff index. */
  private attempts = 0;
  private socket: WebSocket | null = null;
  private handlers = new Map<ServerEventType, Set<(event: ServerEvent) => void>>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pendingRefresh: {
    resolve: (tokens: Tokens) => void;
    reject: (error: Error) => void;
  } | null = null;
  private wanted = false;

  constructor(
    private readonly session: Session,
    private readonly backoffS: readonly number[],
    private readonly url = socketUrl(),
  ) {}

  on<T extends ServerEventType>(type: T, handler: Handler<T>): () => void {
    const set = this.handlers.get(type) ?? new Set();
    this.handlers.set(type, set);
    const wrapped = handler as (event: ServerEvent) => void;
    set.add(wrapped);
    return () => set.delete(wrapped);
  }

  send(message: ClientMessage): boolean {
    if (this.state.value !== "open" || !this.socket) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Keep a socket open while signed in (reconnecting as needed), until `stop`. */
  start(): void {
    this.wanted = true;
    if (this.socket === null && this.state.value !== "waiting") this.connect();
  }

  stop(): void {
    this.wanted = false;
    clearTimeout(this.retryTimer);
    this.socket?.close(CLOSE_NORMAL);
    this.socket = null;
    this.state.value = "idle";
  }

  private connect(): void {
    const token = this.session.accessToken;
    if (!token) {
      this.state.value = "idle";
      return;
    }
    this.state.value = "connecting";
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.state.value = "authenticating";
      socket.send(
        JSON.stringify({
          type: "auth",
          v: 1,
          access_token: this.session.accessToken ?? token,
          device_id: this.session.deviceId,
        } satisfies ClientMessage),
      );
    });
    socket.addEventListener("message", (message) => this.receive(message.data));
    socket.addEventListener("close", (event) => this.closed(socket, event.code));
  }

  private receive(data: unknown): void {
    if (typeof data !== "string") return;
    let event: ServerEvent;
    try {
      event = JSON.parse(data) as ServerEvent;
    } catch {
      return;
    }
    switch (event.type) {
      case "auth.ok":
        this.state.value = "open";
        this.attempts = 0;
        break;
      case "auth.expired":
        void this.session.renew((refreshToken) => this.refreshInBand(refreshToken));
        break;
      case "auth.refreshed": {
        const current = this.session.tokens.value;
        if (current) this.pendingRefresh?.resolve(merge(current, event));
        else this.pendingRefresh?.reject(new Error("signed out"));
        this.pendingRefresh = null;
        break;
      }
      case "banned":
        this.session.signOut("banned");
        break;
      case "error":
        if (this.pendingRefresh) {
          this.pendingRefresh.reject(Object.assign(new Error(event.message), { code: event.code }));
          this.pendingRefresh = null;
        }
        break;
    }
    for (const handler of this.handlers.get(event.type) ?? []) handler(event);
  }

  private refreshInBand(refreshToken: string): Promise<Tokens> {
    return new Promise((resolve, reject) => {
      this.pendingRefresh = { resolve, reject };
      const sent = this.send({ type: "auth.refresh", v: 1, refresh_token: refreshToken });
      if (!sent) {
        this.pendingRefresh = null;
        reject(new Error("socket closed"));
      }
    });
  }

  private closed(socket: WebSocket, code: number): void {
    if (socket !== this.socket) return; // an old socket we already replaced
    this.socket = null;
    this.pendingRefresh?.reject(new Error("socket closed"));
    this.pendingRefresh = null;
    if (!this.wanted || code === CLOSE_FORBIDDEN || !this.session.signedIn.value) {
      this.state.value = "closed";
      return;
    }
    const delays = this.backoffS;
    const delayS = delays[Math.min(this.attempts, delays.length - 1)] ?? 0;
    this.attempts += 1;
    this.state.value = "waiting";
    this.retryTimer = setTimeout(async () => {
      if (code === CLOSE_UNAUTHENTICATED) await this.session.renew().catch(() => null);
      if (this.wanted) this.connect();
    }, delayS * 1000 * jitter());
  }
}

function merge(tokens: Tokens, event: EventOf<"auth.refreshed">): Tokens {
  return {
    ...tokens,
    access_token: event.access_token,
    refresh_token: event.refresh_token,
    access_expires_at: event.access_expires_at,
    refresh_expires_at: event.refresh_expires_at,
  };
}

/** ±20 %: many clients dropped at once do not come back in lockstep. */
function jitter(): number {
  return 0.8 + Math.random() * 0.4;
}

function socketUrl(): string {
  const url = new URL("/ws", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}
