// One member's live tile (UI-3, THB-1..5): their camera, live, while the tile is in view and the
// server granted it a slot; their avatar while their camera is off, before the slot plays, or
// once out of view; a "budget" note when this device already shows all the live tiles it may.
// Visibility is the browser's (IntersectionObserver), reported to the server, which decides. A
// camera the server's automated frame checks flagged plays blurred, with a note, until cleared.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";
import { type PresenceMember, type TileRoom, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { Avatar } from "./People";

/** The tiles of the mounted mode while mounted (signed in): a session in it, its pool, and your
 * camera published there while your presence in `room` says it is on. */
/** One line where tiles would be when the server gave this tab none: people stay avatars, and
 * the person knows why (another tab holds the sessions they may have, or tiles are off). */
export function TilesRefused({ room }: { room: TileRoom | null }): JSX.Element | null {
  const code = room?.refused.value ?? null;
  if (code === null) return null;
  return (
    <p class="hint tiles-refused" role="status" data-code={code}>
      {t(code === "too_many_sessions" ? "tiles.too_many_tabs" : "tiles.unavailable")}
    </p>
  );
}

export function useTiles(room: string | null): TileRoom | null {
  const { tiles, presence, session } = useSdk();
  const shell = useShell();
  const mode = shell.mode.value.name;
  const signedIn = session.signedIn.value;
  const opened = useSignal<TileRoom | null>(null);
  const cameraOn = room !== null && presence.cameraOn(room);

  useEffect(() => {
    if (!signedIn || room === null) return;
    const tileRoom = tiles.open(mode);
    opened.value = tileRoom;
    tileRoom.start().catch(() => {}); // refused (e.g. the mode is off): the avatars stay
    return () => {
      tileRoom.close();
      if (opened.peek() === tileRoom) opened.value = null;
    };
  }, [mode, room, signedIn]);

  useEffect(() => {
    opened.value?.setCamera(cameraOn);
  }, [opened.value, cameraOn]);

  return opened.value;
}

export function VideoTile({
  member,
  room,
  large = false,
}: {
  member: PresenceMember;
  room: TileRoom | null;
  large?: boolean;
}): JSX.Element {
  const element = useRef<HTMLSpanElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const id = member.user_id;
  const camera = member.is_camera_on && room !== null;
  const view = room?.tile(id).value;
  const state = camera ? (view?.state ?? "off") : "off";
  // Flagged by the server's frame checks: blurred for this viewer, with a note, until cleared.
  const flagged = camera && (room?.blurred(id).value ?? false);

  useEffect(() => {
    const target = element.current;
    if (!camera || !room || !target) return;
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) room.visible(id);
        else room.hidden(id);
      }
    });
    observer.observe(target);
    return () => {
      observer.disconnect();
      room.hidden(id);
    };
  }, [camera, room, id]);

  const stream = state === "live" ? (view?.stream ?? null) : null;
  // Shield Mode blurs new accounts' tiles for everyone else (issue 16).
  const { notices, session } = useSdk();
  const shielded =
    (notices.shield.value?.blur_new_tiles ?? false) &&
    member.quarantined_new &&
    member.user_id !== session.user.value?.id;
  const blurred = flagged || shielded;
  useEffect(() => {
    if (video.current && video.current.srcObject !== stream) video.current.srcObject = stream;
  }, [stream]);

  return (
    <span
      ref={element}
      class={large ? "video-tile video-tile-large" : "video-tile"}
      data-state={state}
      data-blurred={blurred ? "true" : undefined}
      title={state === "budget" ? t("tiles.budget_hint", { count: room?.budget ?? 0 }) : undefined}
    >
      {stream ? (
        <video
          ref={video}
          autoplay
          muted
          playsInline
          aria-label={t("tiles.camera_of", { handle: member.handle })}
        />
      ) : (
        <Avatar member={member} large={large} />
      )}
      {state === "budget" && <span class="tile-note">{t("tiles.budget")}</span>}
      {stream && flagged && <span class="tile-note">{t("tiles.blurred")}</span>}
    </span>
  );
}
