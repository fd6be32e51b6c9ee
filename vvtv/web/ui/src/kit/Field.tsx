// A form's labelled field: the label, the control (`children`) and, when there is one, the hint
// the control points to with `aria-describedby={hintId}`.
import type { ComponentChildren, JSX } from "preact";

export function Field({
  label,
  hint,
  hintId,
  children,
}: {
  label: string;
  hint?: string | false;
  hintId?: string;
  children: ComponentChildren;
}): JSX.Element {
  return (
    <label class="field">
      <span>{label}</span>
      {children}
      {hint && (
        <small id={hintId} class="hint">
          {hint}
        </small>
      )}
    </label>
  );
}
