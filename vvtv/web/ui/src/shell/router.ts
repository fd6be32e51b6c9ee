// The ModeRouter (UI-2) as a pure state machine: which mode is mounted for which address, whether
// the login sheet is open and where a successful login leads. No DOM here; Shell drives it.
import type { HandoverHint, ModeCatalog, ModeView } from "../sdk";
import { buildRoute, matchRoute } from "./routes";

export interface RouterState {
  /** The mounted composition. */
  mode: ModeView;
  params: Record<string, string>;
  /** What the address bar shows: a deep link stays there while the login sheet asks for it. */
  path: string;
  /** How the previous composition hands over to this one (from the previous manifest). */
  handover: { from: string; hint: HandoverHint } | null;
  login: { open: boolean; next: string | null };
  /** No mode on offer at this address (none such, or one the tier switched off): the stage shows
   * the not-found screen inside the default mode's frame, and the address stays. */
  notFound: boolean;
  /** The mode is for staff (the operator's console) and the signed-in person is not: its frame
   * is mounted, its stage says it is not for them. */
  notAllowed: boolean;
}

export type RouterEvent =
  | { type: "navigate"; path: string }
  | { type: "open_login"; next: string | null }
  | { type: "close_login" }
  | { type: "logged_in" }
  | { type: "logged_out" };

export interface RouterContext {
  catalog: ModeCatalog;
  signedIn: boolean;
  /** The signed-in person's role (`user`, `mod`, `admin`); null signed out. */
  role?: string | null;
}

// Each role may do what the ones before it may (AUTH-4).
const ROLES = ["user", "mod", "admin"];

/** Whether `role` may use a mode that requires `required` (null: any signed-in person). */
export function roleAllows(role: string | null | undefined, required: string | null): boolean {
  if (required === null) return true;
  return role != null && ROLES.indexOf(role) >= ROLES.indexOf(required);
}

function byName(catalog: ModeCatalog, name: string): ModeView {
  const mode = catalog.modes.find((candidate) => candidate.name === name);
  if (!mode) throw new Error(`mode ${name} is not in the catalog`);
  return mode;
}

function defaultMode(catalog: ModeCatalog): ModeView {
  return byName(catalog, catalog.default_mode);
}

/** Where a login with no deep link waiting lands (UI-8: no dashboard, straight into Party). */
export function landingPath(catalog: ModeCatalog): string {
  const landing = catalog.modes.find((mode) => mode.name === catalog.login_lands_in);
  return landing ? landing.route : defaultMode(catalog).route;
}

function mount(
  state: RouterState | null,
  mode: ModeView,
  params: Record<string, string>,
  path: string,
): Pick<RouterState, "mode" | "params" | "path" | "handover"> {
  const from = state?.mode;
  const handover =
    from && from.name !== mode.name
      ? { from: from.name, hint: from.transitions[mode.name] ?? "cut" }
      : null;
  return { mode, params, path, handover };
}

/** The state for `path`: its mode if open to the caller; the default mode with the login sheet
 * asking for it when it needs a login; the not-found screen when no mode on offer is there. */
export function resolve(
  state: RouterState | null,
  path: string,
  { catalog, signedIn, role }: RouterContext,
): RouterState {
  const match = matchRoute(catalog.modes, path);
  const needsLogin = match !== null && match.mode.requires_auth && !signedIn;
  if (!match || needsLogin) {
    // The default mode at this address: with the login sheet, or as the not-found screen.
    return {
      ...mount(state, defaultMode(catalog), {}, path),
      login: needsLogin ? { open: true, next: path } : { open: false, next: null },
      notFound: !match,
      notAllowed: false,
    };
  }
  return {
    ...mount(state, match.mode, match.params, buildRoute(match.mode.route, match.params)),
    login: { open: false, next: null },
    notFound: false,
    notAllowed: !roleAllows(role, match.mode.requires_role ?? null),
  };
}

export function reduce(
  state: RouterState,
  event: RouterEvent,
  context: RouterContext,
): RouterState {
  switch (event.type) {
    case "navigate":
      return resolve(state, event.path, context);
    case "open_login":
      return { ...state, login: { open: true, next: event.next ?? state.login.next } };
    case "close_login": {
      // Closing the sheet over a deep link that needs a login leaves that address.
      const leaving = state.login.next !== null && state.path === state.login.next;
      const closed = { ...state, login: { open: false, next: null } };
      return leaving ? { ...closed, path: state.mode.route } : closed;
    }
    case "logged_in":
      return resolve(state, state.login.next ?? landingPath(context.catalog), context);
    case "logged_out":
      return state.mode.requires_auth
        ? resolve(state, defaultMode(context.catalog).route, context)
        : { ...state, login: { open: false, next: null } };
  }
}
