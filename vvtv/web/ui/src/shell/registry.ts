// Kit components by the names the manifests use (config/mode-manifests.yaml `components:`).
import type { ComponentType } from "preact";
import { CallUI } from "../kit/CallUI";
import { ConsentOverlay } from "../kit/ConsentOverlay";
import { ChatOverlay } from "../kit/ChatOverlay";
import { FiltersPanel } from "../kit/FiltersPanel";
import { GridDiscovery } from "../kit/GridDiscovery";
import { LoginCTA } from "../kit/LoginCTA";
import { LoginSheet } from "../kit/LoginSheet";
import { MainPlayer } from "../kit/MainPlayer";
import { MatchOverlay } from "../kit/MatchOverlay";
import { MirrorView } from "../kit/MirrorView";
import { ModConsole } from "../kit/ModConsole";
import { ModerationSheet } from "../kit/ModerationSheet";
import { ModeSwitcher } from "../kit/ModeSwitcher";
import { OperatorConsole } from "../kit/OperatorConsole";
import { PresenceRail } from "../kit/PresenceRail";
import { ProfileCard } from "../kit/ProfileCard";
import { RoomChat } from "../kit/RoomChat";
import type { ModeCatalog, MountView } from "../sdk";

// Each component takes its own props; the config validation checks the manifests' props against
// `components:`, so the map keeps no props type and componentFor makes the one cast.
type Kit = Record<string, ComponentType<never>>;

const KIT: Kit = {
  MainPlayer,
  LoginCTA,
  LoginSheet,
  ModeSwitcher,
  MirrorView,
  PresenceRail,
  GridDiscovery,
  FiltersPanel,
  ProfileCard,
  ChatOverlay,
  RoomChat,
  ConsentOverlay,
  CallUI,
  MatchOverlay,
  OperatorConsole,
  ModConsole,
  ModerationSheet,
};

/** Overlays that follow a signed-in person into every mode, mounted once by the shell: an invite
 * reaches you wherever you are (CNS-1); a Report opens the one ModerationSheet from anywhere. */
const EVERYWHERE: ReadonlySet<string> = new Set(["ConsentOverlay", "ModerationSheet"]);

export function followsEverywhere(component: string): boolean {
  return EVERYWHERE.has(component);
}

/** Each such overlay once, with the props of the first manifest that mounts it. */
export function everywhereMounts(catalog: ModeCatalog): MountView[] {
  const found = new Map<string, MountView>();
  for (const mode of catalog.modes) {
    for (const mount of mode.regions.overlays ?? []) {
      if (followsEverywhere(mount.component) && !found.has(mount.component)) {
        found.set(mount.component, mount);
      }
    }
  }
  return [...found.values()];
}

/** The component a manifest names, or null when this build of the kit does not have it yet (a
 * newer server config never breaks an older UI). */
export function componentFor(name: string): ComponentType<Record<string, unknown>> | null {
  return (KIT[name] as ComponentType<Record<string, unknown>> | undefined) ?? null;
}
