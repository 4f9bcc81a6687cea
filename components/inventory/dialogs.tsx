"use client";
// Edit and delete for an inventory record, each in the shared native dialog.
// A dialog is mounted only while open, and the focus goes back to the button
// that opened it when it closes.
import { useRouter } from "next/navigation";
import { useCallback, useRef, useState } from "react";
import { Dialog, DialogActions } from "@/components/ui/dialog";
import { ApiClientError } from "@/lib/http/client";
import { useDeleteEntity, type InventoryEntity } from "@/lib/inventory/queries";

/** open/close state for a dialog, with the focus returned to its trigger. */
export function useDialog<T = true>() {
  const [value, setValue] = useState<T | null>(null);
  const trigger = useRef<HTMLElement | null>(null);
  const show = useCallback((v: T, from?: HTMLElement | null) => {
    trigger.current = from ?? (document.activeElement as HTMLElement | null);
    setValue(v);
  }, []);
  const hide = useCallback(() => {
    setValue(null);
    const el = trigger.current;
    // After React has removed the dialog; skip if the trigger is gone (row removed, page left).
    requestAnimationFrame(() => {
      if (el?.isConnected) el.focus();
    });
  }, []);
  return { value, open: value !== null, show, hide };
}

/** A button that opens a dialog to read something (a diff, a comparison), closed with Close. */
export function ReadButton({ label, title, children }: { label: string; title: string; children: React.ReactNode }) {
  const dialog = useDialog();
  return (
    <>
      <button type="button" className="btn" onClick={(e) => dialog.show(true, e.currentTarget)}>
        {label}
      </button>
      {dialog.open && (
        <Dialog open title={title} onClose={dialog.hide}>
          {children}
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={dialog.hide}>
              Close
            </button>
          </div>
        </Dialog>
      )}
    </>
  );
}

/**
 * A button whose action needs a confirmation: the dialog says what will
 * happen, runs `run` on confirm, and goes where it answers (or shows why not).
 */
export function ConfirmButton({
  label,
  title,
  children,
  confirmLabel,
  pendingLabel,
  run,
}: {
  label: string;
  title: string;
  children: React.ReactNode;
  confirmLabel: string;
  pendingLabel: string;
  /** Does the work; resolves to the page to open next. */
  run: () => Promise<string>;
}) {
  const router = useRouter();
  const dialog = useDialog();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function confirm() {
    setPending(true);
    setError(null);
    try {
      const next = await run();
      router.push(next);
      router.refresh();
    } catch (e) {
      setPending(false);
      setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    }
  }
  return (
    <>
      <button type="button" className="btn" onClick={(e) => dialog.show(true, e.currentTarget)}>
        {label}
      </button>
      {dialog.open && (
        <Dialog open title={title} onClose={dialog.hide}>
          <div className="stack">
            {children}
            {error && (
              <div className="alert alert-error" role="alert">
                {error}
              </div>
            )}
          </div>
          <DialogActions onCancel={dialog.hide} onConfirm={confirm} label={confirmLabel} pendingLabel={pendingLabel} pending={pending} focusCancel lockCancel />
        </Dialog>
      )}
    </>
  );
}

export function EditButton({ title, children }: { title: string; children: (close: () => void) => React.ReactNode }) {
  const dialog = useDialog();
  return (
    <>
      <button type="button" className="btn" onClick={(e) => dialog.show(true, e.currentTarget)}>
        Edit
      </button>
      {dialog.open && (
        <Dialog open title={title} onClose={dialog.hide}>
          {children(dialog.hide)}
        </Dialog>
      )}
    </>
  );
}

/**
 * "Delete" with a confirmation that says what goes with the record. The
 * server has the last word: its refusal (409, e.g. a cluster still in use) is
 * shown as it comes.
 */
export function DeleteButton({
  entity,
  id,
  what,
  name,
  redirectTo,
  children,
}: {
  entity: InventoryEntity;
  id: string;
  /** "node", "load balancer", … */
  what: string;
  name: string;
  redirectTo: string;
  /** What the deletion takes with it, in words. */
  children?: React.ReactNode;
}) {
  const router = useRouter();
  const dialog = useDialog();
  const remove = useDeleteEntity(entity);
  const [error, setError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const pending = remove.isPending || leaving;

  async function confirm() {
    setError(null);
    try {
      await remove.mutateAsync(id);
    } catch (e) {
      if (!(e instanceof ApiClientError && e.status === 404)) {
        setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached. Nothing was deleted.");
        return;
      }
      // Already gone (someone else deleted it): leave all the same.
    }
    setLeaving(true);
    router.push(redirectTo);
    router.refresh();
  }

  return (
    <>
      <button type="button" className="btn btn-danger" onClick={(e) => dialog.show(true, e.currentTarget)}>
        Delete
      </button>
      {dialog.open && (
        <Dialog
          open
          title={`Delete ${what} ${name}?`}
          onClose={() => {
            setError(null);
            dialog.hide();
          }}
        >
          <div className="stack">
            {children}
            <p>This cannot be undone. The audit trail keeps a record of it.</p>
            {error && (
              <div className="alert alert-error" role="alert">
                {error}
              </div>
            )}
          </div>
          <DialogActions
            onCancel={dialog.hide}
            focusCancel
            lockCancel
            onConfirm={confirm}
            tone="danger"
            label={`Delete ${what}`}
            pendingLabel="Deleting…"
            pending={pending}
          />
        </Dialog>
      )}
    </>
  );
}
