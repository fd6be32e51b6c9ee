// Boot: load the mode catalog (and the client settings it carries), then hand over to the shell.
import { type JSX, render } from "preact";
import { BRAND, t } from "./i18n";
import { RetryButton, useRetryableLoad } from "./kit/Retry";
import { connect } from "./sdk";
import { Shell } from "./shell/Shell";
import "./styles.css";

function Boot(): JSX.Element {
  const { value: sdk, failed, attempt } = useRetryableLoad(() =>
    connect().then((ready) => {
      ready.telemetry.track("app_open", { route: window.location.pathname });
      return ready;
    }),
  );

  if (sdk.value) return <Shell sdk={sdk.value} />;
  return (
    <div class="boot" role="status">
      <p class="brand">{BRAND}</p>
      {failed.value ? (
        <>
          <p>{t("app.boot_failed")}</p>
          <RetryButton attempt={attempt} label={t("app.retry")} look="primary" />
        </>
      ) : (
        <span class="spinner" aria-label={t("app.loading")} />
      )}
    </div>
  );
}

const root = document.getElementById("app");
if (root) render(<Boot />, root);
