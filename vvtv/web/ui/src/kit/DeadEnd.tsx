// A stage with nothing to do on it (an address where no mode is on offer, a mode that is not for
// you, a call that is gone): say what happened, and lead to a mode that the shell opens in place,
// so the address and the history follow as for any mode switch.
import type { JSX } from "preact";
import { modeLabel, t } from "../i18n";
import { useShell } from "../shell/context";

interface Props {
  /** The section's classes (its look) and the id its heading takes (its accessible name). */
  kind: string;
  titleId: string;
  title: string;
  body: string;
  /** The mode to lead to; none, no link. */
  home: { name: string; route: string } | null;
  state?: string;
}

export function DeadEnd({ kind, titleId, title, body, home, state }: Props): JSX.Element {
  const shell = useShell();
  return (
    <section class={kind} data-state={state} aria-labelledby={titleId}>
      <h1 id={titleId}>{title}</h1>
      <p>{body}</p>
      {home && (
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
      )}
    </section>
  );
}
