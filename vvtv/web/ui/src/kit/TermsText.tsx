// The terms of use a signup accepts (AUTH-2), readable in the login sheet before anyone ticks the
// box: fetched once, shown as the config's text (a block's first line heads it when it has more).
import type { JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";
import { useSdk } from "../sdk";
import { RetryButton, useRetryableLoad } from "./Retry";

function blocks(text: string): { head: string | null; body: string }[] {
  return text.split(/\n\s*\n/).map((block) => {
    const [first = "", ...rest] = block.trim().split("\n");
    return rest.length > 0 ? { head: first, body: rest.join("\n") } : { head: null, body: first };
  });
}

export function TermsText({ onBack }: { onBack(): void }): JSX.Element {
  const { api, settings } = useSdk();
  const { value: text, failed, attempt } = useRetryableLoad(() => api.terms());
  const title = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    title.current?.focus(); // a screen reader lands on what replaced the form
  }, []);

  return (
    <div class="terms" data-state={text.value ? "ready" : failed.value ? "failed" : "loading"}>
      <h2 id="login-title" ref={title} tabIndex={-1}>
        {t("terms.title", { version: settings.terms_version })}
      </h2>
      {text.value ? (
        <div class="terms-text">
          {blocks(text.value).map(({ head, body }, index) => (
            <section key={index}>
              {head && <h3>{head}</h3>}
              <p>{body}</p>
            </section>
          ))}
        </div>
      ) : failed.value ? (
        <p class="form-error" role="alert">
          {t("terms.failed")}{" "}
          <RetryButton attempt={attempt} label={t("app.retry")} look="text-button" />
        </p>
      ) : (
        <span class="spinner" role="status" aria-label={t("app.loading")} />
      )}
      <button type="button" class="secondary" onClick={onBack}>
        {t("terms.back")}
      </button>
    </div>
  );
}
