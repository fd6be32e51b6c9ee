// The channel's call to action: sign in (or, when signed in, go where a login lands).
import type { JSX } from "preact";
import { modeLabel, t } from "../i18n";
import { useSdk } from "../sdk";
import type { ClientEventName } from "../sdk/telemetry";
import { useShell } from "../shell/context";

interface Props {
  after_login_route?: string;
  click_event?: string;
}

export function LoginCTA({ after_login_route, click_event }: Props): JSX.Element {
  const { session, telemetry } = useSdk();
  const shell = useShell();
  const landing = shell.landingMode();

  if (session.signedIn.value && landing) {
    return (
      <button type="button" class="cta" onClick={() => shell.goToMode(landing.name)}>
        {t("cta.enter", { mode: modeLabel(landing.name) })}
      </button>
    );
  }
  return (
    <button
      type="button"
      class="cta"
      onClick={() => {
        // The manifest names a declared client event (the server checks the reference).
        if (click_event) telemetry.track(click_event as ClientEventName, { from_mode: shell.mode.value.name });
        shell.openLogin(after_login_route ?? null);
      }}
    >
      {t("cta.login")}
    </button>
  );
}
