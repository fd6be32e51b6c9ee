// Trying again after a failure: `attempt` is what the failed effect depends on, so bumping it runs
// the effect anew. `useRetryableLoad` is that effect for a one-shot load (the boot, the terms).
import { type Signal, useSignal } from "@preact/signals";
import type { JSX } from "preact";
import { useEffect } from "preact/hooks";

export interface RetryableLoad<T> {
  value: Signal<T | null>;
  failed: Signal<boolean>;
  attempt: Signal<number>;
}

export function useRetryableLoad<T>(load: () => Promise<T>): RetryableLoad<T> {
  const value = useSignal<T | null>(null);
  const failed = useSignal(false);
  const attempt = useSignal(0);

  useEffect(() => {
    failed.value = false;
    load()
      .then((loaded) => {
        value.value = loaded;
      })
      .catch(() => {
        failed.value = true;
      });
  }, [attempt.value]);

  return { value, failed, attempt };
}

export function RetryButton({
  attempt,
  label,
  look,
}: {
  attempt: Signal<number>;
  label: string;
  look: "primary" | "secondary" | "text-button";
}): JSX.Element {
  return (
    <button
      type="button"
      class={look}
      onClick={() => {
        attempt.value += 1;
      }}
    >
      {label}
    </button>
  );
}
