// The top bar: signed in, the modes this deployment offers now (feature flags already applied by
// the server) and the account; signed out, the login call to action with the manifest's props.
// On narrow screens the list opens as a bottom sheet (OPS-2).
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { modeLabel, t } from "../i18n";
import { type ModeView, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { roleAllows } from "../shell/router";
import { hasParams } from "../shell/routes";
import { LoginCTA } from "./LoginCTA";
import { Sheet } from "./Sheet";

function ModeLinks({ onPick }: { onPick(): void }): JSX.Element {
  const { catalog, session } = useSdk();
  const shell = useShell();
  const current = shell.mode.value.name;
  const role = session.user.value?.role ?? null;
  // Modes with parameters (a private call's token) are reached by invitation, not from a menu;
  // a staff mode (the operator's console) is listed for its staff only.
  const modes = catalog.modes.filter(
    (mode: ModeView) => !hasParams(mode.route) && roleAllows(role, mode.requires_role ?? null),
  );
  return (
    <ul class="mode-links">
      {modes.map((mode) => (
        <li key={mode.name}>
          <a
            href={mode.route}
            aria-current={mode.name === current ? "page" : undefined}
            onClick={(event) => {
              event.preventDefault();
              onPick();
              shell.goToMode(mode.name);
            }}
          >
            {modeLabel(mode.name)}
          </a>
        </li>
      ))}
    </ul>
  );
}

interface Props {
  after_login_route?: string;
  click_event?: string;
}

export function ModeSwitcher(props: Props): JSX.Element {
  const { api, session } = useSdk();
  const shell = useShell();
  const menuOpen = useSignal(false);
  const user = session.user.value;

  const signOut = async () => {
    menuOpen.value = false;
    try {
      await api.logout();
    } catch {
      // signed out here whatever the server said: the token expires on its own
    }
    session.signOut();
  };

  if (!user) return <LoginCTA {...props} />;
  return (
    <div class="mode-switcher">
      <nav class="mode-nav wide-only" aria-label={t("switcher.label")}>
        <ModeLinks onPick={() => {}} />
      </nav>
      <button
        type="button"
        class="narrow-only menu-button"
        aria-haspopup="dialog"
        onClick={() => {
          menuOpen.value = true;
        }}
      >
        {modeLabel(shell.mode.value.name)}
      </button>
      <span class="account wide-only">{t("switcher.signed_in_as", { handle: user.handle })}</span>
      <button type="button" class="text-button wide-only" onClick={signOut}>
        {t("switcher.sign_out")}
      </button>
      <Sheet
        open={menuOpen.value}
        labelledBy="mode-menu-title"
        onClose={() => {
          menuOpen.value = false;
        }}
      >
        <h2 id="mode-menu-title">{t("switcher.label")}</h2>
        <nav aria-labelledby="mode-menu-title">
          <ModeLinks
            onPick={() => {
              menuOpen.value = false;
            }}
          />
        </nav>
        <p class="account">{t("switcher.signed_in_as", { handle: user.handle })}</p>
        <button type="button" class="secondary" onClick={signOut}>
          {t("switcher.sign_out")}
        </button>
      </Sheet>
    </div>
  );
}
