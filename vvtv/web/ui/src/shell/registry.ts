// Kit components by the names the manifests use (config/mode-manifests.yaml `components:`).
import type { ComponentType } from "preact";
import { LoginCTA } from "../kit/LoginCTA";
import { LoginSheet } from "../kit/LoginSheet";
import { MainPlayer } from "../kit/MainPlayer";
import { MirrorView } from "../kit/MirrorView";
import { ModeSwitcher } from "../kit/ModeSwitcher";
import { NotYetInKit } from "../kit/NotYetInKit";

type Kit = Record<string, ComponentType<any>>;

const KIT: Kit = { MainPlayer, LoginCTA, LoginSheet, ModeSwitcher, MirrorView };

/** The component a manifest names; a kit component this build does not have yet renders as an
 * empty, labelled slot, so a newer server config never breaks an older UI. */
export function componentFor(name: string): ComponentType<Record<string, unknown>> {
  return KIT[name] ?? NotYetInKit;
}
