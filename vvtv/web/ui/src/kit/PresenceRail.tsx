// Who is here (PRS-3's list policy), live: each member's tile (their camera live while in view,
// else their avatar: VideoTile), handle, camera state and "new" badge; a member opens their card. On narrow screens this is the
// shell's drawer. Which room and which query come from the manifest's props.
import type { JSX } from "preact";
import { modeLabel, t } from "../i18n";
import { NO_FILTERS, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { MemberList, useLiveMembers } from "./LiveMembers";
import { CameraState, NewBadge, PresenceCount, type PresenceProps, PresenceState } from "./People";
import { TilesRefused, VideoTile } from "./VideoTile";

export function PresenceRail({ ecosystem, query, camera_mode }: PresenceProps): JSX.Element {
  const { presence } = useSdk();
  const shell = useShell();
  const live = useLiveMembers(ecosystem, query, NO_FILTERS);
  const { room, tiles, view } = live;
  const members = view?.members ?? [];
  const cameraOn = room !== null && presence.cameraOn(room);
  const cameraMode = camera_mode ? shell.modeNamed(camera_mode) : null;

  return (
    <section
      class="presence-rail"
      aria-labelledby="presence-rail-title"
      data-status={view?.status ?? "connecting"}
      data-count={members.length}
    >
      <header class="presence-head">
        <h2 id="presence-rail-title">{t("presence.here_now")}</h2>
        <PresenceCount view={view} />
      </header>
      <TilesRefused room={tiles} />
      <PresenceState view={view} room={room} camera_mode={camera_mode} />
      <MemberList
        live={live}
        layout="rows"
        face={(member) => (
          <>
            <VideoTile member={member} room={tiles} />
            <span class="member-name">
              <span class="member-handle">{member.handle}</span>
              {member.quarantined_new && <NewBadge />}
            </span>
            <CameraState on={member.is_camera_on} />
          </>
        )}
      />
      {members.length > 0 && (
        <footer class="presence-self">
          <CameraState
            on={cameraOn}
            words
            text={cameraOn ? t("presence.self_camera_on") : t("presence.self_camera_off")}
          />
          {!cameraOn && cameraMode && (
            <button
              type="button"
              class="text-button"
              onClick={() => shell.goToMode(cameraMode.name)}
            >
              {t("presence.open_camera_in", { mode: modeLabel(cameraMode.name) })}
            </button>
          )}
        </footer>
      )}
    </section>
  );
}
