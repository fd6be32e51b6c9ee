// What the presence readers share (PresenceRail, GridDiscovery, ProfileCard): how a member looks
// without a live tile (an avatar with initials, the camera state, the "new" badge), the hook
// that watches a room and is present in it, the count, and the states of a list with no one in
// it yet. The paged list of members with their live tiles is LiveMembers.
import { type ReadonlySignal, useSignal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";
import { useEffect } from "preact/hooks";
import { locale, modeLabel, t } from "../i18n";
import {
  type PresenceFilters,
  type PresenceMember,
  type PresencePolicy,
  type PresenceView,
  type PresenceWatch,
  useSdk,
} from "../sdk";
import { useShell } from "../shell/context";

/** What a manifest gives a presence reader (its `components:` in config/mode-manifests.yaml): the
 * room, the query, the tiles' media profile, and the mode that turns one's camera on. */
export interface PresenceProps {
  tile_profile?: string;
  ecosystem?: string;
  query?: string;
  camera_mode?: string;
}

/** Up to two letters from a handle: its first two words' (`ana_b` → AB), else its first two. */
export function initials(handle: string): string {
  const words = handle.split(/[._\d]+/).filter((word) => word.length > 0);
  const [first = handle, second] = words;
  return (second ? `${first.charAt(0)}${second.charAt(0)}` : first.slice(0, 2)).toUpperCase();
}

/** A stable hue per user, so a face-less list is still easy to scan. */
function hue(userId: string): number {
  let hash = 0;
  for (const char of userId) hash = (hash * 31 + char.charCodeAt(0)) | 0;
  return Math.abs(hash) % 360;
}

export function Avatar({ member, large = false }: { member: PresenceMember; large?: boolean }) {
  return (
    <span
      class={large ? "avatar avatar-large" : "avatar"}
      style={{ "--avatar-hue": String(hue(member.user_id)) }}
      aria-hidden="true"
    >
      {initials(member.handle)}
    </span>
  );
}

/** The camera's state as an icon named for screen readers, or with words beside it (its name,
 * or `text`). */
export function CameraState({ on, words = false, text }: { on: boolean; words?: boolean; text?: string }) {
  const label = text ?? (on ? t("presence.camera_on") : t("presence.camera_off"));
  return (
    <span class="camera-state" data-on={on ? "true" : "false"}>
      <svg
        class="camera-icon"
        viewBox="0 0 24 24"
        width="20"
        height="20"
        role={words ? undefined : "img"}
        aria-label={words ? undefined : label}
        aria-hidden={words ? "true" : undefined}
      >
        {/* On: a solid camera. Off: its outline, struck through (not told by colour alone). */}
        <g
          fill={on ? "currentColor" : "none"}
          stroke="currentColor"
          stroke-width={on ? 0 : 1.8}
          stroke-linejoin="round"
        >
          <rect x="2" y="6" width="13" height="12" rx="2" />
          <path d="M16 10.5 22 7v10l-6-3.5z" />
        </g>
        {!on && <path d="M3 3l18 18" stroke="currentColor" stroke-width="2" stroke-linecap="round" />}
      </svg>
      {words && <span>{label}</span>}
    </span>
  );
}

export function NewBadge() {
  return <span class="badge badge-new">{t("presence.new")}</span>;
}

/** Watch `ecosystem` through a query while mounted, and be present there as the mounted mode
 * (when the mode lives in it; the first presence there starts with the camera off). */
export function usePresence(
  ecosystem: string | undefined,
  policy: PresencePolicy,
  filters: PresenceFilters,
): { room: string | null; watch: ReadonlySignal<PresenceWatch | null> } {
  const { presence } = useSdk();
  const shell = useShell();
  const mode = shell.mode.value.name;
  const room = ecosystem ?? presence.ecosystemOf(mode);
  const watch = useSignal<PresenceWatch | null>(null);

  useEffect(() => {
    if (room !== null && presence.ecosystemOf(mode) === room) {
      presence.enter(mode, { language: locale.peek() });
    }
  }, [room, mode]);

  const filterKey = JSON.stringify(filters);
  useEffect(() => {
    if (room === null) return;
    const opened = presence.watch({ ecosystem: room, policy, filters, cursor: null, limit: null });
    watch.value = opened;
    return () => {
      opened.close();
      if (watch.peek() === opened) watch.value = null;
    };
  }, [room, policy, filterKey]);

  return { room, watch };
}

/** The list's states before it has anyone to show: waiting for the room, refused, or empty (with
 * what to do about it). `null` once there are members. */
export function PresenceState({
  view,
  room,
  camera_mode,
  filtered = false,
  onClearFilters,
}: {
  view: PresenceView | null;
  room: string | null;
  camera_mode?: string | undefined;
  filtered?: boolean;
  onClearFilters?: () => void;
}): JSX.Element | null {
  const { presence } = useSdk();
  const shell = useShell();
  if (view === null || view.status === "connecting") {
    return (
      <div class="presence-state" role="status">
        <span class="spinner" aria-hidden="true" />
        <p>{t("presence.looking")}</p>
      </div>
    );
  }
  const clear = onClearFilters && (
    <button type="button" class="secondary" onClick={onClearFilters}>
      {t("filters.clear")}
    </button>
  );
  if (view.status === "refused") {
    return (
      <StateNote role="alert" title={t("presence.refused_title")} body={t("presence.refused_body")}>
        {clear}
      </StateNote>
    );
  }
  if (view.members.length > 0) return null;
  if (filtered) {
    return (
      <StateNote title={t("presence.no_match_title")} body={t("presence.no_match_body")}>
        {clear}
      </StateNote>
    );
  }
  const cameraOn = room !== null && presence.cameraOn(room);
  const cameraMode = camera_mode ? shell.modeNamed(camera_mode) : null;
  return (
    <StateNote
      title={t("presence.empty_title")}
      body={cameraOn ? t("presence.empty_body_visible") : t("presence.empty_body")}
    >
      {!cameraOn && cameraMode && (
        <button type="button" class="primary" onClick={() => shell.goToMode(cameraMode.name)}>
          {t("presence.open_camera_in", { mode: modeLabel(cameraMode.name) })}
        </button>
      )}
    </StateNote>
  );
}

/** One of the list's states: what it is, what it means, and what to do about it (`children`). */
function StateNote({
  role = "status",
  title,
  body,
  children,
}: {
  role?: "status" | "alert";
  title: string;
  body: string;
  children?: ComponentChildren;
}): JSX.Element {
  return (
    <div class="presence-state" role={role}>
      <p class="presence-state-title">{title}</p>
      <p>{body}</p>
      {children}
    </div>
  );
}

/** How many are in the room, once it has answered and someone is. */
export function PresenceCount({ view }: { view: PresenceView | null }): JSX.Element | null {
  if (view?.status !== "ready" || view.total === 0) return null;
  return <span class="presence-count">{t("presence.count", { count: view.total })}</span>;
}
