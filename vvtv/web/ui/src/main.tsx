// Boot: load the mode catalog (and the client settings it carries), then hand over to the shell.
import { useSignal } from "@preact/signals";
import { type JSX, render } from "preact";
import { useEffect } from "preact/hooks";
import { t } from "./i18n";
import { connect, type Sdk } from "./sdk";
import { Shell } from "./shell/Shell";
import "./styles.css";

function Boot(): JSX.Element {
  const sdk = useSignal<Sdk | null>(null);
  const failed = useSignal(false);
  const attempt = useSignal(0);

  useEffect(() => {
    failed.value = false;
    connect()
      .then((ready) => {
        ready.telemetry.track("app_open", { route: window.location.pathname });
        sdk.value = ready;
      })
      .catch(() => {
        failed.value = true;
      });
  }, [attempt.value]);

  if (sdk.value) return <Shell sdk={sdk.value} />;
  return (
    <div class="boot" role="status">
      <p class="brand">{t("app.brand")}</p>
      {failed.value ? (
        <>
          <p>{t("app.boot_failed")}</p>
          <button
            type="button"
            class="primary"
            onClick={() => {
              attempt.value += 1;
            }}
          >
            {t("app.retry")}
          </button>
        </>
      ) : (
        <span class="spinner" aria-label={t("app.loading")} />
      )}
    </div>
  );
}

const root = document.getElementById("app");
if (root) render(<Boot />, root);
