// The stage of a mode that is not for the signed-in person (the operator's console for anyone but
// an admin): say so plainly, and lead back to the default mode. The server refuses its API too.
import type { JSX } from "preact";
import { modeLabel, t } from "../i18n";
import { useShell } from "./context";

export function NotAllowed({ home }: { home: { name: string; route: string } }): JSX.Element {
  const shell = useShell();
  return (
    <section class="not-found not-allowed" aria-labelledby="not-allowed-title">
      <h1 id="not-allowed-title">{t("notallowed.title")}</h1>
      <p>{t("notallowed.body")}</p>
      <a
        class="cta"
        href={home.route}
        onClick={(event) => {
          event.preventDefault();
          shell.goToMode(home.name);
        }}
      >
        {t("cta.enter", { mode: modeLabel(home.name) })}
      </a>
    </section>
  );
}
