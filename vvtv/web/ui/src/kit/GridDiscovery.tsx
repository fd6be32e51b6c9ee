// The discovery grid (OPS-4): the same presence as the list, through the grid policy (matching
// tags and cameras on first) and the filters of FiltersPanel, as cards with their live tile
// (VideoTile); a large room pages by cursor ("load more"). A card opens the member's ProfileCard.
import type { JSX } from "preact";
import { t } from "../i18n";
import { useShell } from "../shell/context";
import { clearFilters, filtering, gridFilters } from "./FiltersPanel";
import { MemberList, useLiveMembers } from "./LiveMembers";
import { CameraState, NewBadge, PresenceCount, type PresenceProps, PresenceState } from "./People";
import { TilesRefused, VideoTile } from "./VideoTile";

export function GridDiscovery({ ecosystem, query, camera_mode }: PresenceProps): JSX.Element {
  const shell = useShell();
  const filters = gridFilters.value;
  const live = useLiveMembers(ecosystem, query, filters);
  const { room, tiles, view } = live;
  const filtered = filtering(filters);

  return (
    <section
      class="grid-discovery"
      aria-labelledby="grid-title"
      data-status={view?.status ?? "connecting"}
      data-count={view?.members.length ?? 0}
    >
      <header class="grid-head">
        <h1 id="grid-title">{t("grid.title")}</h1>
        <PresenceCount view={view} />
        <button type="button" class="secondary narrow-only" onClick={() => shell.openRail()}>
          {filtered ? t("grid.filters_on") : t("grid.filters")}
        </button>
      </header>
      <TilesRefused room={tiles} />
      <PresenceState
        view={view}
        room={room}
        camera_mode={camera_mode}
        filtered={filtered}
        onClearFilters={clearFilters}
      />
      <MemberList
        live={live}
        layout="cards"
        face={(member) => (
          <>
            <VideoTile member={member} room={tiles} large />
            <span class="member-handle">{member.handle}</span>
            <span class="member-badges">
              <CameraState on={member.is_camera_on} />
              {member.quarantined_new && <NewBadge />}
            </span>
          </>
        )}
      />
    </section>
  );
}
