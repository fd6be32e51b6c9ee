// What one presence subscription shows, as a pure reducer over the room's events in the order they
// arrive: a `presence.snapshot` starts the view, `presence.update`s move it on. A small room sends
// the whole list once and then diffs; a large one (`paged`) sends the page the query looks at,
// whole, each time. There, "load more" asks for the next page, so the pages before it are kept
// as they were when they were live, and only the last one stays live.
import type { EventOf, Schemas } from "./types";

export type PresenceMember = Schemas["PresenceMember"];

export type PresenceStatus = "connecting" | "ready" | "refused";

export interface PresenceView {
  status: PresenceStatus;
  /** Everyone shown, in the room's order: the kept pages, then the live one. */
  members: readonly PresenceMember[];
  /** Everyone the query matches for this viewer (more than `members` while pages remain). */
  total: number;
  /** The cursor of the page after the last one shown; null once everything is shown. */
  nextCursor: string | null;
  paged: boolean;
  /** Internals of a paged view: the pages before the live one, and the live page's cursor. */
  kept: readonly PresenceMember[];
  live: readonly PresenceMember[];
  liveCursor: string | null;
  /** Why the server refused the query (a problem code), while `status` is "refused". */
  refusal: string | null;
}

export const EMPTY_VIEW: PresenceView = {
  status: "connecting",
  members: [],
  total: 0,
  nextCursor: null,
  paged: false,
  kept: [],
  live: [],
  liveCursor: null,
  refusal: null,
};

/** Kept pages, then the live one; someone in both (moved up while pages were loaded) is shown
 * once, where the live page has them. */
function shown(kept: readonly PresenceMember[], live: readonly PresenceMember[]) {
  const inLive = new Set(live.map((member) => member.presence_id));
  return [...kept.filter((member) => !inLive.has(member.presence_id)), ...live];
}

function withPages(
  view: PresenceView,
  kept: readonly PresenceMember[],
  live: readonly PresenceMember[],
): PresenceView {
  return { ...view, kept, live, members: shown(kept, live) };
}

/** A snapshot answers the subscription asked with `cursor`: a new page is appended to what was
 * shown (the earlier pages are kept), the same page or the first replaces the live one, and a
 * small room's snapshot is the whole list. */
export function applySnapshot(
  view: PresenceView,
  snapshot: EventOf<"presence.snapshot">,
  cursor: string | null,
): PresenceView {
  const { page, paged } = snapshot;
  const next = {
    ...view,
    status: "ready" as const,
    total: page.total,
    nextCursor: page.next_cursor,
    paged,
    liveCursor: paged ? cursor : null,
    refusal: null,
  };
  if (!paged || cursor === null) return withPages(next, [], page.members);
  if (view.paged && cursor === view.liveCursor) return withPages(next, view.kept, page.members);
  return withPages(next, view.members, page.members);
}

/** Updates before the first snapshot belong to no view yet, and are dropped. */
export function applyUpdate(view: PresenceView, update: EventOf<"presence.update">): PresenceView {
  if (view.status !== "ready") return view;
  if (update.page) {
    return withPages(
      { ...view, total: update.total, nextCursor: update.page.next_cursor },
      view.kept,
      update.page.members,
    );
  }
  // Who left first: someone back under a new presence id leaves and joins in one update.
  const gone = new Set(update.left);
  const live = view.live.filter((member) => !gone.has(member.presence_id));
  const fresh = new Map(
    [...update.changed, ...update.joined].map((member) => [member.presence_id, member]),
  );
  const updated = live.map((member) => fresh.get(member.presence_id) ?? member);
  const known = new Set(updated.map((member) => member.presence_id));
  for (const member of [...update.changed, ...update.joined]) {
    if (!known.has(member.presence_id)) {
      updated.push(member);
      known.add(member.presence_id);
    }
  }
  return withPages({ ...view, total: update.total }, view.kept, updated);
}

/** Someone this viewer just blocked: gone from every page at once (the room confirms a tick
 * later, and never lists them again). */
export function withoutUser(view: PresenceView, userId: string): PresenceView {
  const others = (members: readonly PresenceMember[]) =>
    members.filter((member) => member.user_id !== userId);
  const removed = view.members.length - others(view.members).length;
  return withPages(
    { ...view, total: Math.max(0, view.total - removed) },
    others(view.kept),
    others(view.live),
  );
}

export function refused(view: PresenceView, code: string): PresenceView {
  return { ...view, status: "refused", refusal: code };
}
