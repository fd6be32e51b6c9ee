// Private-call invites (CNS-1..5) as this tab sees them: the ones to you (every tab of yours is
// asked, the first answer anywhere wins), the one this tab sent, and where an accepted one leads
// (its call). Events come over the socket; a deep link to `/call/:token` (the invite's id) that
// this tab has not heard of asks the server, and an accepted call is remembered for this tab's
// session so that a reload finds its call again after the server forgets the invite.
import { computed, type ReadonlySignal, signal } from "@preact/signals";
import { type Http, unwrap } from "./api";
import type { Session } from "./session";
import type { EventSocket } from "./socket";
import type { EventOf, Schemas } from "./types";

export type ConsentInvite = Schemas["ConsentInvite"];
export type InviteStatus = ConsentInvite["status"];
export type CancelReason = NonNullable<ConsentInvite["reason"]>;

const CALLS_KEY = "vvtv.calls";

export interface InviteState {
  invite: ConsentInvite;
  /** Which end of it you are. */
  role: "inviter" | "invitee";
  peerId: string;
  /** The other person's handle, when this tab learnt it (the invite event, the card you used). */
  peerHandle: string | null;
  /** When an unanswered invite expires, on this device's clock (ms), or null while queued. */
  expiresAt: number | null;
  /** This tab sent it or answers it: an accept leads this tab into the call. */
  here: boolean;
  /** Its outcome was shown and put away (or needs no showing). */
  settled: boolean;
}

/** The call an accepted invite started, as this tab remembers it. */
export interface KnownCall {
  sessionId: string;
  peerId: string;
  peerHandle: string | null;
}

/** What a `/call/:token` address stands for, as far as this tab knows. */
export type TokenView =
  | { kind: "looking" }
  | { kind: "unknown" }
  | { kind: "invite"; state: InviteState }
  | { kind: "call"; call: KnownCall };

/** The other end's handle as the invite names it (null for an account that is gone). */
function handleOf(invite: Partial<ConsentInvite>, role: InviteState["role"]): string | null {
  return (role === "inviter" ? invite.invitee_handle : invite.inviter_handle) ?? null;
}

function readCalls(): Record<string, KnownCall> {
  try {
    return JSON.parse(sessionStorage.getItem(CALLS_KEY) ?? "{}") as Record<string, KnownCall>;
  } catch {
    return {};
  }
}

export class ConsentClient {
  private readonly invites = signal<ReadonlyMap<string, InviteState>>(new Map());
  private readonly calls = signal<Record<string, KnownCall>>(readCalls());
  /** Tokens asked of the server: null while asking, false when it knows no such invite. */
  private readonly asked = signal<ReadonlyMap<string, boolean | null>>(new Map());

  /** Invites to you still waiting for an answer, the oldest first. */
  readonly incoming: ReadonlySignal<InviteState[]> = computed(() =>
    [...this.invites.value.values()].filter(
      (state) => state.role === "invitee" && state.invite.status === "pending",
    ),
  );
  /** The invite this tab sent, until its outcome is put away. */
  readonly outgoing: ReadonlySignal<InviteState | null> = computed(
    () =>
      [...this.invites.value.values()].find(
        (state) => state.role === "inviter" && state.here && !state.settled,
      ) ?? null,
  );
  /** Invites to you that ended without an answer from you (expired, withdrawn), to be told. */
  readonly missed: ReadonlySignal<InviteState[]> = computed(() =>
    [...this.invites.value.values()].filter(
      (state) =>
        state.role === "invitee" &&
        !state.settled &&
        (state.invite.status === "expired" || state.invite.status === "cancelled"),
    ),
  );
  /** An accepted invite whose call this tab should open now. */
  readonly joining: ReadonlySignal<InviteState | null> = computed(
    () =>
      [...this.invites.value.values()].find(
        (state) =>
          state.here &&
          !state.settled &&
          state.invite.status === "accepted" &&
          state.invite.session_id != null,
      ) ?? null,
  );

  constructor(
    private readonly http: Http,
    private readonly session: Session,
    socket: EventSocket,
  ) {
    socket.on("auth.ok", () => void this.resync());
    socket.on("consent.request", (event) => this.requested(event));
    socket.on("consent.accepted", (event) =>
      this.update(event.invite_id, { status: "accepted", session_id: event.session_id }),
    );
    socket.on("consent.declined", (event) => this.update(event.invite_id, { status: "declined" }));
    socket.on("consent.expired", (event) => this.update(event.invite_id, { status: "expired" }));
    socket.on("consent.cancelled", (event) =>
      this.update(event.invite_id, { status: "cancelled", reason: event.reason }),
    );
  }

  /** Ask `userId` for a private call (refusals are ApiErrors: `blocked`, `invite_pending`, …). */
  async invite(userId: string, handle: string): Promise<InviteState> {
    const invite = await unwrap(
      this.http.POST("/consent/invites", { body: { invitee_id: userId } }),
    );
    return this.adopt(invite, handle, true);
  }

  /** Accept here: the call starts for both, and this tab goes into it. */
  async accept(inviteId: string): Promise<void> {
    this.patch(inviteId, { here: true });
    const invite = await this.answer(inviteId, "accept");
    this.update(invite.id, invite);
  }

  async decline(inviteId: string): Promise<void> {
    const invite = await this.answer(inviteId, "decline");
    this.update(invite.id, invite);
  }

  /** Withdraw the invite this tab sent. */
  async cancel(inviteId: string): Promise<void> {
    const invite = await unwrap(
      this.http.DELETE("/consent/invites/{invite_id}", {
        params: { path: { invite_id: inviteId } },
      }),
    );
    this.update(invite.id, invite);
    this.settle(inviteId); // you withdrew it yourself: nothing to tell you
  }

  /** The outcome of an invite was shown (or its call opened): put it away. */
  settle(inviteId: string): void {
    this.patch(inviteId, { settled: true });
  }

  /** What `/call/:token` stands for: a call this tab knows, an invite, or nothing (`looking`
   * until `follow` has asked the server about a token this tab never heard of). */
  view(token: string): TokenView {
    const call = this.calls.value[token];
    if (call) return { kind: "call", call };
    const state = this.invites.value.get(token);
    if (state) {
      const sessionId = state.invite.session_id;
      if (state.invite.status === "accepted" && sessionId != null) {
        return {
          kind: "call",
          call: { sessionId, peerId: state.peerId, peerHandle: state.peerHandle },
        };
      }
      return { kind: "invite", state };
    }
    return this.asked.value.get(token) === false ? { kind: "unknown" } : { kind: "looking" };
  }

  /** A page about `token` opened: ask the server once if this tab never heard of it. */
  follow(token: string): void {
    if (this.calls.peek()[token] || this.invites.peek().has(token)) return;
    if (this.asked.peek().has(token)) return;
    void this.lookUp(token);
  }

  /** A new socket may have missed events, and a tab opened mid-invite heard none: take what the
   * server has now (an invite to you still waiting is asked here too). */
  private async resync(): Promise<void> {
    let invites: ConsentInvite[];
    try {
      ({ invites } = await unwrap(this.http.GET("/consent/invites")));
    } catch {
      return; // the next socket tries again
    }
    const me = this.session.user.peek()?.id;
    for (const invite of invites) {
      if (this.invites.peek().has(invite.id)) this.update(invite.id, invite);
      else if (invite.status === "pending" && invite.invitee_id === me) {
        this.adopt(invite, null, false);
      }
    }
  }

  private async lookUp(token: string): Promise<void> {
    this.asked.value = new Map(this.asked.peek()).set(token, null);
    let found: ConsentInvite | undefined;
    try {
      const { invites } = await unwrap(this.http.GET("/consent/invites"));
      found = invites.find((invite) => invite.id === token);
    } catch {
      found = undefined; // unreachable or refused: the page says the link does not lead anywhere
    }
    if (found && !this.invites.peek().has(token)) this.adopt(found, null, true);
    this.asked.value = new Map(this.asked.peek()).set(token, found !== undefined);
  }

  private answer(inviteId: string, how: "accept" | "decline"): Promise<ConsentInvite> {
    const path =
      how === "accept"
        ? ("/consent/invites/{invite_id}/accept" as const)
        : ("/consent/invites/{invite_id}/decline" as const);
    return unwrap(this.http.POST(path, { params: { path: { invite_id: inviteId } }, body: {} }));
  }

  private requested(event: EventOf<"consent.request">): void {
    const known = this.invites.peek().get(event.invite.id);
    const state = this.adopt(event.invite, event.inviter_handle, known?.here ?? false);
    this.patch(state.invite.id, { expiresAt: Date.parse(event.expires_at) });
  }

  /** Start tracking an invite (from the API or an event); the other end is worked out from who
   * is signed in. */
  private adopt(invite: ConsentInvite, peerHandle: string | null, here: boolean): InviteState {
    const me = this.session.user.peek()?.id;
    const role = invite.inviter_id === me ? "inviter" : "invitee";
    const known = this.invites.peek().get(invite.id);
    const state: InviteState = {
      invite: known ? { ...known.invite, ...invite } : invite,
      role,
      peerId: role === "inviter" ? invite.invitee_id : invite.inviter_id,
      peerHandle: peerHandle ?? handleOf(invite, role) ?? known?.peerHandle ?? null,
      expiresAt: invite.expires_at ? Date.parse(invite.expires_at) : (known?.expiresAt ?? null),
      here: here || (known?.here ?? false),
      settled: known?.settled ?? false,
    };
    this.invites.value = new Map(this.invites.peek()).set(invite.id, state);
    this.remember(state);
    return state;
  }

  /** An invite's new status; one this tab never heard of (another tab's) is none of its business. */
  private update(inviteId: string, change: Partial<ConsentInvite>): void {
    const known = this.invites.peek().get(inviteId);
    if (!known) return;
    const invite = { ...known.invite, ...change };
    // Answered on another device (yours): nothing to tell here, nowhere to go.
    const elsewhere =
      known.role === "invitee" &&
      !known.here &&
      (invite.status === "accepted" || invite.status === "declined");
    const declinedHere = known.role === "invitee" && invite.status === "declined";
    this.patch(inviteId, {
      invite,
      peerHandle: known.peerHandle ?? handleOf(invite, known.role) ?? null,
      settled: known.settled || elsewhere || declinedHere,
    });
    const state = this.invites.peek().get(inviteId);
    if (state) this.remember(state);
  }

  private patch(inviteId: string, change: Partial<InviteState>): void {
    const known = this.invites.peek().get(inviteId);
    if (!known) return;
    this.invites.value = new Map(this.invites.peek()).set(inviteId, { ...known, ...change });
  }

  /** An accepted invite this tab takes part in: its call, kept for reloads of this tab. */
  private remember(state: InviteState): void {
    const sessionId = state.invite.session_id;
    if (state.invite.status !== "accepted" || sessionId == null || !state.here) return;
    const call: KnownCall = { sessionId, peerId: state.peerId, peerHandle: state.peerHandle };
    const calls = { ...this.calls.peek(), [state.invite.id]: call };
    this.calls.value = calls;
    try {
      sessionStorage.setItem(CALLS_KEY, JSON.stringify(calls));
    } catch {
      // Storage full or off: the call still works, a reload just will not find it.
    }
  }
}
