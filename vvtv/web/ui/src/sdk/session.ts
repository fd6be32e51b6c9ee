// Who is signed in on this device: the tokens (kept across reloads and shared between tabs), and
// their renewal. Refresh tokens rotate and a replayed one is refused, so every renewal, by any tab
// and by HTTP or the socket, runs under one cross-tab lock and first re-reads what another tab
// may already have renewed.
import { computed, signal } from "@preact/signals";
import type { Me, Tokens } from "./types";

const STORAGE_KEY = "vvtv.session";
const DEVICE_KEY = "vvtv.device";
const LOCK = "vvtv.session.refresh";

export type Renew = (refreshToken: string) => Promise<Tokens>;

function readStored(): Tokens | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    return raw ? (JSON.parse(raw) as Tokens) : null;
  } catch {
    return null;
  }
}

function expiresAt(tokens: Tokens, which: "access" | "refresh"): number {
  return Date.parse(which === "access" ? tokens.access_expires_at : tokens.refresh_expires_at);
}

async function exclusively<T>(task: () => Promise<T>): Promise<T> {
  if (typeof navigator !== "undefined" && navigator.locks) {
    return navigator.locks.request(LOCK, task);
  }
  return task();
}

export class Session {
  readonly tokens = signal<Tokens | null>(null);
  readonly user = computed<Me | null>(() => this.tokens.value?.user ?? null);
  readonly signedIn = computed(() => this.tokens.value !== null);
  /** Set when the server ended this login (banned, revoked): the shell says why. */
  readonly endedBecause = signal<string | null>(null);
  private renewing: Promise<Tokens | null> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private refreshLeadMs = 0;
  private retryMs = 0;
  private renewer: Renew | null = null;

  constructor() {
    const stored = readStored();
    if (stored && expiresAt(stored, "refresh") > Date.now()) this.tokens.value = stored;
    window.addEventListener("storage", (event) => {
      if (event.key === STORAGE_KEY) this.adopt(readStored());
    });
  }

  /** How to renew, how long before expiry, and how soon to retry a failed renewal (from the
   * server's client settings). */
  configure(renew: Renew, refreshLeadS: number, retryS: number): void {
    this.renewer = renew;
    this.refreshLeadMs = refreshLeadS * 1000;
    this.retryMs = retryS * 1000;
    this.schedule();
  }

  get deviceId(): string {
    let id = localStorage.getItem(DEVICE_KEY);
    if (!id) {
      id = crypto.randomUUID().replaceAll("-", "");
      localStorage.setItem(DEVICE_KEY, id);
    }
    return id;
  }

  get accessToken(): string | null {
    return this.tokens.value?.access_token ?? null;
  }

  signIn(tokens: Tokens): void {
    this.endedBecause.value = null;
    this.store(tokens);
  }

  signOut(reason: string | null = null): void {
    localStorage.removeItem(STORAGE_KEY);
    this.endedBecause.value = reason;
    this.adopt(null);
  }

  /** A fresh access token, renewing at most once at a time (this tab) and under the cross-tab
   * lock. `renew` defaults to the HTTP renewal; the socket passes its in-band one. */
  renew(renew: Renew | null = null): Promise<Tokens | null> {
    const using = renew ?? this.renewer;
    if (!using) return Promise.resolve(this.tokens.value);
    this.renewing ??= exclusively(async () => {
      const seen = this.tokens.value;
      const stored = readStored();
      if (stored && seen && stored.access_token !== seen.access_token) {
        this.adopt(stored); // another tab renewed while we waited for the lock
        return stored;
      }
      const current = stored ?? seen;
      if (!current) return null;
      try {
        const tokens = await using(current.refresh_token);
        this.store(tokens);
        return tokens;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code === "refresh_invalid" || code === "session_revoked" || code === "banned") {
          this.signOut(code);
          return null;
        }
        throw error;
      }
    }).finally(() => {
      this.renewing = null;
    });
    return this.renewing;
  }

  private store(tokens: Tokens): void {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    this.adopt(tokens);
  }

  private adopt(tokens: Tokens | null): void {
    this.tokens.value = tokens;
    this.schedule();
  }

  private schedule(delayMs: number | null = null): void {
    clearTimeout(this.timer);
    const tokens = this.tokens.value;
    if (!tokens || !this.renewer) return;
    // Renew `lead` before expiry, but never sooner than halfway there (a lead longer than the
    // token's life would otherwise renew in a loop).
    const remaining = expiresAt(tokens, "access") - Date.now();
    const due = Math.max(remaining - this.refreshLeadMs, remaining / 2);
    this.timer = setTimeout(
      () => {
        this.renew().catch(() => this.schedule(this.retryMs)); // offline: try again later
      },
      Math.max(delayMs ?? due, 0),
    );
  }
}
