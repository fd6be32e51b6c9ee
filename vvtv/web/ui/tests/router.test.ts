// The ModeRouter's rules (UI-2, UI-8) as a pure state machine, over a catalog shaped like the
// server's GET /modes.
import { describe, expect, it } from "vitest";
import type { ModeCatalog, ModeView } from "../src/sdk/types";
import { landingPath, reduce, resolve, type RouterState } from "../src/shell/router";
import { buildRoute, matchRoute } from "../src/shell/routes";

function mode(name: string, route: string, requiresAuth: boolean, transitions = {}): ModeView {
  return {
    name,
    route,
    ecosystem: name,
    requires_auth: requiresAuth,
    media_profile: null,
    chat_scope: null,
    requires_role: null,
    regions: { stage: { component: `${name}Stage`, props: {} }, rail: null, topbar: null, overlays: [] },
    transitions,
  };
}

const catalog = {
  config_version: "test",
  default_mode: "channel",
  login_lands_in: "lobby",
  modes: [
    mode("channel", "/", false, { lobby: "crossfade", selfie: "cut" }),
    mode("lobby", "/lobby", true, { channel: "crossfade", call: "placeholder" }),
    mode("selfie", "/selfie", true, { lobby: "cut" }),
    mode("call", "/call/:token", true, { lobby: "cut" }),
  ],
} as unknown as ModeCatalog;

const out = { catalog, signedIn: false };
const inside = { catalog, signedIn: true };

describe("resolve", () => {
  it("mounts a public mode for anyone", () => {
    const state = resolve(null, "/", out);
    expect(state.mode.name).toBe("channel");
    expect(state.login).toEqual({ open: false, next: null });
    expect(state.handover).toBeNull();
  });

  it("keeps a deep link in the address bar while the login sheet asks for it", () => {
    const state = resolve(null, "/selfie", out);
    expect(state.mode.name).toBe("channel");
    expect(state.path).toBe("/selfie");
    expect(state.login).toEqual({ open: true, next: "/selfie" });
  });

  it("shows the not-found screen where no mode is offered, and keeps the address", () => {
    for (const path of ["/switched-off-by-the-tier", "/lobby/extra", "/call/"]) {
      const state = resolve(null, path, inside);
      expect(state.notFound).toBe(true);
      expect(state.mode.name).toBe("channel"); // the frame: its top bar and overlays
      expect(state.path).toBe(path);
      expect(state.login.open).toBe(false);
    }
    expect(resolve(null, "/", inside).notFound).toBe(false);
    expect(resolve(null, "/selfie", out).notFound).toBe(false); // a login is asked for, not a 404
  });

  it("reads route parameters", () => {
    const state = resolve(null, "/call/abc_123", inside);
    expect(state.mode.name).toBe("call");
    expect(state.params).toEqual({ token: "abc_123" });
    expect(state.path).toBe("/call/abc_123");
  });

  it("takes the handover hint from the manifest being left", () => {
    const lobby = resolve(null, "/lobby", inside);
    expect(resolve(lobby, "/call/x", inside).handover).toEqual({ from: "lobby", hint: "placeholder" });
    expect(resolve(lobby, "/", inside).handover).toEqual({ from: "lobby", hint: "crossfade" });
    const selfie = resolve(lobby, "/selfie", inside);
    expect(selfie.handover).toEqual({ from: "lobby", hint: "cut" }); // no hint declared: a cut
    expect(resolve(selfie, "/selfie", inside).handover).toBeNull(); // same mode: no handover
  });
});

describe("reduce", () => {
  const gated = (): RouterState => resolve(null, "/selfie", out);

  it("a login lands in the deep link that asked for it", () => {
    const state = reduce(gated(), { type: "logged_in" }, inside);
    expect(state.mode.name).toBe("selfie");
    expect(state.path).toBe("/selfie");
    expect(state.login.open).toBe(false);
    expect(state.handover).toEqual({ from: "channel", hint: "cut" });
  });

  it("a login with no deep link lands where the catalog says (no dashboard)", () => {
    const opened = reduce(resolve(null, "/", out), { type: "open_login", next: null }, out);
    expect(opened.login).toEqual({ open: true, next: null });
    const state = reduce(opened, { type: "logged_in" }, inside);
    expect(state.mode.name).toBe("lobby");
    expect(state.path).toBe(landingPath(catalog));
    expect(state.handover).toEqual({ from: "channel", hint: "crossfade" });
  });

  it("closing the sheet over a deep link leaves that address", () => {
    const state = reduce(gated(), { type: "close_login" }, out);
    expect(state.login).toEqual({ open: false, next: null });
    expect(state.path).toBe("/");
  });

  it("closing a sheet opened by the call to action keeps the address", () => {
    const opened = reduce(resolve(null, "/", out), { type: "open_login", next: "/lobby" }, out);
    const state = reduce(opened, { type: "close_login" }, out);
    expect(state.path).toBe("/");
    expect(state.mode.name).toBe("channel");
  });

  it("signing out leaves a mode that needs a login, and only such a mode", () => {
    const lobby = resolve(null, "/lobby", inside);
    expect(reduce(lobby, { type: "logged_out" }, out).mode.name).toBe("channel");
    const channel = resolve(null, "/", inside);
    expect(reduce(channel, { type: "logged_out" }, out).path).toBe("/");
  });

  it("navigation follows the address, out of the not-found screen too", () => {
    const lost = resolve(null, "/nowhere", inside);
    const home = reduce(lost, { type: "navigate", path: "/" }, inside);
    expect(home.notFound).toBe(false);
    expect(home.path).toBe("/");
    expect(reduce(lost, { type: "navigate", path: "/lobby" }, inside).mode.name).toBe("lobby");
    const signedIn = reduce({ ...lost, login: { open: true, next: null } }, { type: "logged_in" }, inside);
    expect(signedIn.mode.name).toBe("lobby"); // a login from the not-found screen lands as usual
    expect(signedIn.notFound).toBe(false);
  });
});

describe("routes", () => {
  it("matches and builds parameterised routes, escaping parameters", () => {
    expect(matchRoute(catalog.modes, "/lobby/")?.mode.name).toBe("lobby");
    expect(matchRoute(catalog.modes, "/lobby/extra")).toBeNull();
    expect(matchRoute(catalog.modes, "/call/a%20b")?.params).toEqual({ token: "a b" });
    expect(buildRoute("/call/:token", { token: "a b" })).toBe("/call/a%20b");
  });
});

describe("staff modes", () => {
  const console_ = { ...mode("desk", "/desk", true), requires_role: "admin" as const };
  const staffed = { ...catalog, modes: [...catalog.modes, console_] } as ModeCatalog;

  it("mounts a staff mode for its role, tells anyone else it is not for them", () => {
    const admin = resolve(null, "/desk", { catalog: staffed, signedIn: true, role: "admin" });
    expect([admin.mode.name, admin.notAllowed]).toEqual(["desk", false]);
    const user = resolve(null, "/desk", { catalog: staffed, signedIn: true, role: "user" });
    expect([user.mode.name, user.notAllowed, user.path]).toEqual(["desk", true, "/desk"]);
    const mod = resolve(null, "/desk", { catalog: staffed, signedIn: true, role: "mod" });
    expect(mod.notAllowed).toBe(true);
  });

  it("asks a signed-out person to sign in first, then decides by their role", () => {
    const out = resolve(null, "/desk", { catalog: staffed, signedIn: false, role: null });
    expect([out.mode.name, out.login]).toEqual(["channel", { open: true, next: "/desk" }]);
    expect(out.notAllowed).toBe(false);
    const user = reduce(out, { type: "logged_in" }, { catalog: staffed, signedIn: true, role: "user" });
    expect([user.mode.name, user.notAllowed]).toEqual(["desk", true]);
    const admin = reduce(out, { type: "logged_in" }, { catalog: staffed, signedIn: true, role: "admin" });
    expect([admin.mode.name, admin.notAllowed]).toEqual(["desk", false]);
  });
});
