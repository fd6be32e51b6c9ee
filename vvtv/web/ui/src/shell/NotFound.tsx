// The stage at an address where no mode is on offer (a mistyped link, a mode the tier switched
// off): say so, and lead back to the default mode. The server answers such a page with a 404.
import type { JSX } from "preact";
import { modeLabel, t } from "../i18n";
import { useShell } from "./context";

export function NotFound({ home }: { home: { name: string; route: string } }): JSX.Element {
  const shell = useShell();
  return (
    <section class="not-found" aria-labelledby="not-found-title">
      <h1 id="not-found-title">{t("notfound.title")}</h1>
      <p>{t("notfound.body")}</p>
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
