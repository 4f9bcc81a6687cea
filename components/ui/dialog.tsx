"use client";
import { useEffect, useRef } from "react";

/** A modal on the native <dialog>: focus trap, Escape and backdrop come from the browser. */
export function Dialog({ open, onClose, title, children }: { open: boolean; onClose: () => void; title: string; children: React.ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) el.showModal();
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog ref={ref} className="dialog" onClose={onClose} aria-label={title}>
      {open && (
        <div className="dialog-body">
          <h2>{title}</h2>
          {children}
        </div>
      )}
    </dialog>
  );
}

/**
 * The foot of a dialog: Cancel, then its one action, which says what is
 * happening while it runs. Without `onConfirm` the action submits the
 * dialog's form.
 */
export function DialogActions({
  onCancel,
  label,
  pendingLabel,
  pending,
  onConfirm,
  tone = "primary",
  disabled = false,
  focusCancel,
  lockCancel,
}: {
  onCancel: () => void;
  label: string;
  pendingLabel: string;
  pending: boolean;
  onConfirm?: () => void;
  tone?: "primary" | "danger";
  disabled?: boolean;
  /** A confirmation gives the focus to the safe choice. */
  focusCancel?: boolean;
  /** No cancelling while the request runs. */
  lockCancel?: boolean;
}) {
  return (
    <div className="dialog-actions">
      <button type="button" className="btn" onClick={onCancel} disabled={lockCancel ? pending : undefined} autoFocus={focusCancel}>
        Cancel
      </button>
      <button type={onConfirm ? "button" : "submit"} className={`btn btn-${tone}`} onClick={onConfirm} disabled={pending || disabled}>
        {pending ? pendingLabel : label}
      </button>
    </div>
  );
}
