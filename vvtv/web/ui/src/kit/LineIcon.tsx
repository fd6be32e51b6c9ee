// The kit's outline icons: one stroked path on a 24-unit square, in the text's colour, drawn at
// `size` pixels; decorative (the button around it carries the words).
import type { JSX } from "preact";

export function LineIcon({ path, size }: { path: string; size: number }): JSX.Element {
  return (
    <svg viewBox="0 0 24 24" width={size} height={size} aria-hidden="true">
      <path d={path} fill="none" stroke="currentColor" stroke-width="1.8" stroke-linejoin="round" />
    </svg>
  );
}
