// What a mounted component may ask of the shell. Components name modes only through data (props
// from the manifest, the catalog), never as literals (UI-4).
import type { ReadonlySignal } from "@preact/signals";
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import type { ModeView } from "../sdk";

export interface ShellApi {
  /** The mounted mode (for telemetry and labels; components never branch on it). */
  mode: ReadonlySignal<ModeView>;
  /** The mounted route's parameters (`/call/:token` → `{token}`). */
  params: ReadonlySignal<Record<string, string>>;
  loginOpen: ReadonlySignal<boolean>;
  /** The address a login was asked for (a deep link), if any. */
  loginNext: ReadonlySignal<string | null>;
  navigate(path: string): void;
  /** The mode named `name` if this deployment offers it now (the catalog leaves out the others). */
  modeNamed(name: string): ModeView | null;
  /** Go to the mode named `name`, filling its route's parameters from `params`. */
  goToMode(name: string, params?: Record<string, string>): void;
  openLogin(next?: string | null): void;
  closeLogin(): void;
  loggedIn(): void;
  /** Where a login with no deep link waiting lands. */
  landingMode(): ModeView | null;
  /** Open the rail (the drawer, on narrow screens), e.g. to reach filters kept there. */
  openRail(): void;
}

export const ShellContext = createContext<ShellApi | null>(null);

export function useShell(): ShellApi {
  const shell = useContext(ShellContext);
  if (!shell) throw new Error("useShell outside <ShellContext.Provider>");
  return shell;
}
