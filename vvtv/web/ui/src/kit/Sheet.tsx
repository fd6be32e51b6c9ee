// A modal sheet on the native <dialog> (focus trap, Escape, inert page for free): a bottom sheet
// on narrow screens, a centred card on wide ones (CSS). Its content exists only while open.
import type { ComponentChildren, JSX } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { t } from "../i18n";

interface Props {
  open: boolean;
  labelledBy: string;
  onClose(): void;
  children: ComponentChildren;
}

export function Sheet({ open, labelledBy, onClose, children }: Props): JSX.Element {
  const dialog = useRef<HTMLDialogElement>(null);

  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={dialog}
      class="sheet"
      aria-labelledby={labelledBy}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
      onClick={(event) => {
        if (event.target === dialog.current) onClose(); // the backdrop
      }}
    >
      {open && (
      <div class="sheet-body">
        <button
          type="button"
          class="sheet-close icon-button"
          aria-label={t("sheet.close")}
          onClick={onClose}
        >
          <span aria-hidden="true">×</span>
        </button>
        {children}
      </div>
      )}
    </dialog>
  );
}
