// The discovery grid (OPS-4): the same presence as the list, through the grid policy (matching
// tags and cameras on first) and the filters of FiltersPanel, as cards; a large room pages by
// cursor ("load more"). A card opens the member's ProfileCard.
import type { JSX } from "preact";
import { t } from "../i18n";
import { presencePolicy } from "../sdk";
import { useShell } from "../shell/context";
import { clearFilters, filtering, gridFilters } from "./FiltersPanel";
import { Avatar, CameraState, NewBadge, PresenceState, usePresence } from "./People";
import { showProfile } from "./ProfileCard";

interface Props {
  tile_profile?: string;
  ecosystem?: string;
  query?: string;
  camera_mode?: string;
}

export function GridDiscovery({ ecosystem, query, camera_mode }: Props): JSX.Element {
  const shell = useShell();
  const filters = gridFilters.value;
  const { room, watch } = usePresence(ecosystem, presencePolicy(query), filters);
  const view = watch.value?.view.value ?? null;
  const members = view?.members ?? [];
  const filtered = filtering(filters);

  return (
    <section
      class="grid-discovery"
      aria-labelledby="grid-title"
      data-status={view?.status ?? "connecting"}
      data-count={members.length}
    >
      <header class="grid-head">
        <h1 id="grid-title">{t("grid.title")}</h1>
        {view?.status === "ready" && view.total > 0 && (
          <span class="presence-count">{t("presence.count", { count: view.total })}</span>
        )}
        <button type="button" class="secondary narrow-only" onClick={() => shell.openRail()}>
          {filtered ? t("grid.filters_on") : t("grid.filters")}
        </button>
      </header>
      <PresenceState
        view={view}
        room={room}
        camera_mode={camera_mode}
        filtered={filtered}
        onClearFilters={clearFilters}
      />
      {members.length > 0 && (
        <ul class="member-grid">
          {members.map((member) => (
            <li
              key={member.presence_id}
              class="member"
              data-handle={member.handle}
              data-camera={member.is_camera_on ? "on" : "off"}
            >
              <button
                type="button"
                class="member-card"
                aria-haspopup="dialog"
                onClick={() => showProfile(member)}
              >
                <Avatar member={member} large />
                <span class="member-handle">{member.handle}</span>
                <span class="member-badges">
                  <CameraState on={member.is_camera_on} />
                  {member.quarantined_new && <NewBadge />}
                </span>
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
    </section>
  );
}
