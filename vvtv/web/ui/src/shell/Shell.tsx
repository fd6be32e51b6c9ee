// The shell (UI-1): five regions (TopBar, Stage, Rail/Drawer, Overlays) filled by the ModeRouter
// from the mode manifests the server sends. Which component goes where is data, never code.
import { computed, useComputed, useSignal, useSignalEffect } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect, useMemo, useRef } from "preact/hooks";
import { BRAND, type CopyKey, t } from "../i18n";
import { DeadEnd } from "../kit/DeadEnd";
import { Dismiss } from "../kit/Dismiss";
import { LocaleSwitch } from "../kit/LocaleSwitch";
import { type Sdk, SdkContext } from "../sdk";
import { type ShellApi, ShellContext } from "./context";
import { Region } from "./Region";
import { everywhereMounts, followsEverywhere } from "./registry";
import { type RouterEvent, type RouterState, reduce, resolve } from "./router";
import { buildRoute } from "./routes";
import { QuarantineNotice } from "./QuarantineNotice";
import { ServiceNotice } from "./ServiceNotice";
import { WarningNotice } from "./WarningNotice";
import { TransitionLayer } from "./TransitionLayer";

// Why the server ended this login → what to tell the person.
const ENDED = {
  banned: "session.ended_banned",
  other: "session.ended",
} as const satisfies Record<string, CopyKey>;

function endedReason(code: string): keyof typeof ENDED {
  return code === "banned" ? code : "other";
}

const MS_PER_S = 1000;

function currentPath(): string {
  return window.location.pathname;
}

export function Shell({ sdk }: { sdk: Sdk }): JSX.Element {
  const { catalog, session, socket, presence, telemetry, settings } = sdk;
  const context = () => ({
    catalog,
    signedIn: session.signedIn.peek(),
    role: session.user.peek()?.role ?? null,
  });
  const router = useSignal<RouterState>(resolve(null, currentPath(), context()));
  const drawerOpen = useSignal(false);

  const dispatch = (event: RouterEvent) => {
    router.value = reduce(router.peek(), event, context());
  };

  const shell = useMemo<ShellApi>(() => {
    const modeNamed = (name: string) => catalog.modes.find((mode) => mode.name === name) ?? null;
    return {
      mode: computed(() => router.value.mode),
      params: computed(() => router.value.params),
      loginOpen: computed(() => router.value.login.open),
      loginNext: computed(() => router.value.login.next),
      navigate: (path) => dispatch({ type: "navigate", path }),
      modeNamed,
      goToMode: (name, params = {}) => {
        const mode = modeNamed(name);
        if (mode) dispatch({ type: "navigate", path: buildRoute(mode.route, params) });
      },
      openLogin: (next = null) => dispatch({ type: "open_login", next }),
      closeLogin: () => dispatch({ type: "close_login" }),
      loggedIn: () => dispatch({ type: "logged_in" }),
      landingMode: () => modeNamed(catalog.login_lands_in),
      openRail: () => {
        drawerOpen.value = true;
      },
    };
  }, []);

  // The address bar follows the router; back/forward drive it.
  useSignalEffect(() => {
    const { path } = router.value;
    if (path !== currentPath()) window.history.pushState(null, "", path);
  });
  useEffect(() => {
    const onPop = () => dispatch({ type: "navigate", path: currentPath() });
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, []);

  // Overlays that sit at the top (an invite, Random's card) start under the notices, not over
  // them: the shell says how tall the notices' cell is now (`--notices-h`).
  const notices = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const cell = notices.current;
    const shell = cell?.parentElement;
    if (!cell || !shell) return;
    const observer = new ResizeObserver(() =>
      shell.style.setProperty("--notices-h", `${cell.offsetHeight}px`),
    );
    observer.observe(cell);
    return () => observer.disconnect();
  }, []);

  // Signed out (here, in another tab, or by the server): leave modes that need a login. The
  // socket lives while someone is signed in.
  const wasSignedIn = useRef(session.signedIn.peek());
  useSignalEffect(() => {
    const signedIn = session.signedIn.value;
    if (signedIn) socket.start();
    else socket.stop();
    if (wasSignedIn.current && !signedIn) dispatch({ type: "logged_out" });
    wasSignedIn.current = signedIn;
  });

  // Every mounted mode is reported once (TEL-1 funnel), and left with how long it was on; the
  // sheet opening is not a new mode, and the not-found screen is none.
  const reported = useRef<string | null>(null);
  const enteredAt = useRef(0);
  useSignalEffect(() => {
    const { mode, handover, notFound } = router.value;
    if (notFound || reported.current === mode.name) return;
    if (reported.current !== null) {
      const durationS = (Date.now() - enteredAt.current) / MS_PER_S;
      telemetry.track("leave_mode", { mode: reported.current, duration_s: durationS });
    }
    reported.current = mode.name;
    enteredAt.current = Date.now();
    telemetry.track("enter_mode", {
      mode: mode.name,
      ...(handover ? { from_mode: handover.from, handover: handover.hint } : {}),
    });
  });

  // Presence follows the mounted mode: leaving its ecosystem (back to the channel, say) leaves
  // the room at once instead of after the heartbeat TTL. Joining is the presence readers' call.
  useSignalEffect(() => {
    presence.stayIn(router.value.mode.ecosystem);
  });

  // A new composition closes the drawer it may have left open.
  const mountedMode = useComputed(() => router.value.mode.name);
  useSignalEffect(() => {
    void mountedMode.value;
    drawerOpen.value = false;
  });

  // Overlays that follow a signed-in person into every mode (an invite reaches you wherever you
  // are, CNS-1) are mounted once, here, with the props a manifest gives them: not per mode, so a
  // mode change never drops them, and modes whose manifests leave them out (the channel, Mirror)
  // still show them.
  const everywhere = useMemo(() => everywhereMounts(catalog), []);

  const state = router.value;
  const { regions } = state.mode;
  const hasRail = regions.rail != null;
  const style = useComputed(() => ({ "--transition-ms": `${settings.transition_ms}ms` }));

  return (
    <SdkContext.Provider value={sdk}>
      <ShellContext.Provider value={shell}>
        <div
          class="shell"
          data-mode={state.mode.name}
          data-not-found={state.notFound ? "true" : undefined}
          data-not-allowed={state.notAllowed ? "true" : undefined}
          data-login={state.login.open ? "open" : "closed"}
          data-socket={socket.state.value}
          data-drawer={drawerOpen.value ? "open" : "closed"}
          style={style.value}
        >
          <header class="topbar">
            <a
              class="brand"
              href={catalog.modes.find((mode) => mode.name === catalog.default_mode)?.route}
              onClick={(event) => {
                event.preventDefault();
                shell.goToMode(catalog.default_mode);
              }}
            >
              {BRAND}
            </a>
            <div class="topbar-main">
              {regions.topbar && <Region mount={regions.topbar} region="topbar" />}
            </div>
            {socket.state.value === "waiting" && (
              <span class="connection" role="status">
                {t("app.reconnecting")}
              </span>
            )}
            <LocaleSwitch />
            {hasRail && (
              <button
                type="button"
                class="drawer-toggle icon-button"
                aria-expanded={drawerOpen.value}
                aria-controls="rail"
                aria-label={drawerOpen.value ? t("shell.drawer_close") : t("shell.drawer_open")}
                onClick={() => {
                  drawerOpen.value = !drawerOpen.value;
                }}
              >
                <span aria-hidden="true" class="drawer-icon" />
              </button>
            )}
          </header>
          {/* One cell for every notice, stacked: two at once never cover each other. */}
          <div class="notices" ref={notices}>
          {session.endedBecause.value && (
            <div class="notice" role="alert">
              <span>{t(ENDED[endedReason(session.endedBecause.value)])}</span>
              <Dismiss
                onDismiss={() => {
                  session.endedBecause.value = null;
                }}
              />
            </div>
          )}
          {session.signedIn.value && <ServiceNotice />}
          {session.signedIn.value && <WarningNotice />}
          {session.signedIn.value && <QuarantineNotice />}
          </div>
          <main class="stage" id="stage">
            {state.notFound ? (
              // No mode on offer here (a mistyped link, a mode the tier switched off); the
              // server answers such a page with a 404.
              <DeadEnd
                kind="not-found"
                titleId="not-found-title"
                title={t("notfound.title")}
                body={t("notfound.body")}
                home={state.mode}
              />
            ) : state.notAllowed ? (
              // A mode not for the signed-in person (the operator's console for anyone but an
              // admin); the server refuses its API too.
              <DeadEnd
                kind="not-found not-allowed"
                titleId="not-allowed-title"
                title={t("notallowed.title")}
                body={t("notallowed.body")}
                home={shell.modeNamed(catalog.default_mode) ?? state.mode}
              />
            ) : (
              <TransitionLayer handover={state.handover} stage={regions.stage} />
            )}
          </main>
          {hasRail && regions.rail && (
            <>
              <aside
                class="rail"
                id="rail"
                aria-label={t("shell.rail")}
                data-open={drawerOpen.value}
              >
                <Region mount={regions.rail} region="rail" />
              </aside>
              {drawerOpen.value && (
                <div
                  class="scrim"
                  aria-hidden="true"
                  onClick={() => {
                    drawerOpen.value = false;
                  }}
                />
              )}
            </>
          )}
          <div class="overlays">
            {(regions.overlays ?? [])
              .filter((mount) => !followsEverywhere(mount.component))
              .map((mount) => (
                <Region key={mount.component} mount={mount} region="overlays" />
              ))}
            {session.signedIn.value &&
              everywhere.map((mount) => (
                <Region key={mount.component} mount={mount} region="overlays" />
              ))}
          </div>
        </div>
      </ShellContext.Provider>
    </SdkContext.Provider>
  );
}
