// A room's members with their live tiles, as PresenceRail lists them and GridDiscovery shows them
// as cards: the room watched through the manifest's query and its tiles opened (useLiveMembers),
// then the paged list of members, each opening their card (MemberList).
import type { ReadonlySignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { t } from "../i18n";
import {
  type PresenceFilters,
  type PresenceMember,
  type PresenceView,
  type PresenceWatch,
  presencePolicy,
  type TileRoom,
} from "../sdk";
import { usePresence } from "./People";
import { showProfile } from "./ProfileCard";
import { useTiles } from "./VideoTile";

/** A watched room, its tiles, and what it shows now. */
export interface LiveMembers {
  room: string | null;
  watch: ReadonlySignal<PresenceWatch | null>;
  tiles: TileRoom | null;
  view: PresenceView | null;
}

/** Watch `ecosystem` through the `query` policy and `filters` (present there as usePresence is),
 * with the tiles of its members in view. */
export function useLiveMembers(
  ecosystem: string | undefined,
  query: string | undefined,
  filters: PresenceFilters,
): LiveMembers {
  const { room, watch } = usePresence(ecosystem, presencePolicy(query), filters);
  const tiles = useTiles(room);
  return { room, watch, tiles, view: watch.value?.view.value ?? null };
}

// How a list draws its members: the grid's cards, or the rail's rows.
const LAYOUTS = {
  cards: { list: "member-grid", button: "member-card" },
  rows: { list: "member-list", button: "member-row" },
} as const;

/** The members so far, each a button that opens their card (from their tile while their camera
 * is on, so a report from it names the tile) and shows what `face` draws of them; then "load
 * more" while the room has another page. */
export function MemberList({
  live: { view, watch },
  layout,
  face,
}: {
  live: LiveMembers;
  layout: keyof typeof LAYOUTS;
  face: (member: PresenceMember) => ComponentChildren;
}): JSX.Element {
  const members = view?.members ?? [];
  return (
    <>
      {members.length > 0 && (
        <ul class={LAYOUTS[layout].list}>
          {members.map((member) => (
            <li
              key={member.presence_id}
              class="member"
              data-handle={member.handle}
              data-camera={member.is_camera_on ? "on" : "off"}
            >
              <button
                type="button"
                class={LAYOUTS[layout].button}
                aria-haspopup="dialog"
                onClick={() => showProfile(member, member.is_camera_on ? "tile" : "profile_card")}
              >
                {face(member)}
              </button>
            </li>
          ))}
        </ul>
      )}
      {view?.nextCursor && (
        <button type="button" class="secondary load-more" onClick={() => watch.value?.loadMore()}>
          {t("presence.load_more")}
        </button>
      )}
    </>
  );
}
