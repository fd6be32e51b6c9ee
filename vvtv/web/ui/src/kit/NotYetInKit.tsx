// A component the manifest names that this build of the kit does not ship yet: an empty slot.
import type { JSX } from "preact";

export function NotYetInKit(): JSX.Element {
  return <div class="slot-empty" aria-hidden="true" />;
}
