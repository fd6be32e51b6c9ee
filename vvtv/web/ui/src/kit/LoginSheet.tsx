// Sign in / create an account in one sheet (AUTH-2: age and terms confirmed at signup). Success
// hands back to the shell, which lands in Party or in the deep link that asked for a login.
import { useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useRef } from "preact/hooks";
import { type CopyKey, modeLabel, t } from "../i18n";
import { ApiError, useSdk } from "../sdk";
import { useShell } from "../shell/context";
import { matchRoute } from "../shell/routes";
import { Field } from "./Field";
import { Sheet } from "./Sheet";
import { TermsText } from "./TermsText";

type Tab = "login" | "signup";

// Problem codes (contracts) → what to tell the person.
const ERRORS: Record<string, CopyKey> = {
  invalid_credentials: "auth.error.invalid_credentials",
  handle_taken: "auth.error.handle_taken",
  weak_password: "auth.error.weak_password",
  login_rate_limited: "auth.error.rate_limited",
  too_many_requests: "auth.error.rate_limited",
  terms_outdated: "auth.error.terms_outdated",
  banned: "auth.error.banned",
  network: "auth.error.network",
};

function explain(error: unknown): string {
  if (!(error instanceof ApiError)) return t("auth.error.generic");
  const { problem } = error;
  if (problem.code === "invalid_field" && problem.path === "$.handle") {
    return t("auth.error.handle_format");
  }
  const key = ERRORS[problem.code];
  if (!key) return t("auth.error.generic");
  return t(key, { seconds: Math.ceil(problem.retry_after_s ?? 0) });
}

export function LoginSheet(): JSX.Element {
  const { api, session, catalog, settings } = useSdk();
  const shell = useShell();
  const tab = useSignal<Tab>("login");
  const busy = useSignal(false);
  const error = useSignal<string | null>(null);
  // Reading the terms replaces the form's view; the form stays (hidden) with what was typed.
  const readingTerms = useSignal(false);
  const readTerms = useRef<HTMLButtonElement>(null);

  const next = shell.loginNext.value;
  const wanted = next ? matchRoute(catalog.modes, next)?.mode : undefined;

  const submit = async (event: JSX.TargetedSubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const handle = String(form.get("handle") ?? "").trim().toLowerCase();
    const password = String(form.get("password") ?? "");
    busy.value = true;
    error.value = null;
    try {
      const tokens =
        tab.value === "signup"
          ? await api.signup(handle, password, settings.terms_version)
          : await api.login(handle, password);
      session.signIn(tokens);
      shell.loggedIn();
    } catch (failure) {
      error.value = explain(failure);
    } finally {
      busy.value = false;
    }
  };

  const signup = tab.value === "signup";
  const reading = signup && readingTerms.value;
  return (
    <Sheet
      open={shell.loginOpen.value}
      labelledBy="login-title"
      onClose={() => {
        readingTerms.value = false;
        shell.closeLogin();
      }}
    >
      {reading && (
        <TermsText
          onBack={() => {
            readingTerms.value = false;
            requestAnimationFrame(() => readTerms.current?.focus());
          }}
        />
      )}
      <div class="login" hidden={reading}>
        {!reading && (
          <h2 id="login-title">{signup ? t("auth.title_signup") : t("auth.title_login")}</h2>
        )}
        {wanted?.requires_auth && (
          <p class="sheet-lead">
            {t(signup ? "auth.continue_to_signup" : "auth.continue_to", {
              mode: modeLabel(wanted.name),
            })}
          </p>
        )}
        <form class="form" onSubmit={submit} noValidate={false}>
          <Field
            label={t("auth.handle")}
            hint={signup && t("auth.handle_hint")}
            hintId="handle-hint"
          >
            <input
              name="handle"
              required
              autoComplete="username"
              autoCapitalize="none"
              spellcheck={false}
              aria-describedby={signup ? "handle-hint" : undefined}
            />
          </Field>
          <Field
            label={t("auth.password")}
            hint={signup && t("auth.password_hint", { min: settings.password_min_length })}
            hintId="password-hint"
          >
            <input
              name="password"
              type="password"
              required
              minLength={signup ? settings.password_min_length : undefined}
              maxLength={settings.password_max_length}
              autoComplete={signup ? "new-password" : "current-password"}
              aria-describedby={signup ? "password-hint" : undefined}
            />
          </Field>
          {signup && (
            <>
              <label class="check">
                <input name="age" type="checkbox" required />
                <span>{t("auth.age")}</span>
              </label>
              <label class="check">
                <input name="terms" type="checkbox" required />
                <span>{t("auth.terms", { version: settings.terms_version })}</span>
              </label>
              <button
                type="button"
                class="text-button read-terms"
                ref={readTerms}
                onClick={() => {
                  readingTerms.value = true;
                }}
              >
                {t("auth.read_terms")}
              </button>
            </>
          )}
          {error.value && (
            <p class="form-error" role="alert">
              {error.value}
            </p>
          )}
          <button type="submit" class="primary" disabled={busy.value}>
            {busy.value
              ? t("auth.busy")
              : signup
                ? t("auth.submit_signup")
                : t("auth.submit_login")}
          </button>
        </form>
        <button
          type="button"
          class="text-button"
          onClick={() => {
            tab.value = signup ? "login" : "signup";
            error.value = null;
          }}
        >
          {signup ? t("auth.switch_to_login") : t("auth.switch_to_signup")}
        </button>
      </div>
    </Sheet>
  );
}
