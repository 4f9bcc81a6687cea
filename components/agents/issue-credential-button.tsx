"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { apiFetch, ApiClientError } from "@/lib/http/client";
import { Dialog, DialogActions } from "@/components/ui/dialog";

type Issued = { keyId: string; config: unknown };

export function IssueCredentialButton({ path, rotate }: { path: string; rotate: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [issued, setIssued] = useState<Issued | null>(null);
  const label = rotate ? "Rotate credential" : "Issue credential";

  const close = () => {
    setOpen(false);
    // The secret lives only in this dialog: gone once it closes.
    setIssued(null);
    setError(null);
    router.refresh();
  };

  async function issue() {
    setPending(true);
    setError(null);
    try {
      setIssued(await apiFetch<Issued>(path, { method: "POST" }));
    } catch (e) {
      setError(e instanceof ApiClientError ? e.message : "Could not issue the credential");
    } finally {
      setPending(false);
    }
  }

  const text = issued ? JSON.stringify(issued.config, null, 2) : "";
  return (
    <div>
      <button type="button" className="btn" onClick={() => setOpen(true)}>
        {label}
      </button>
      <Dialog open={open} onClose={close} title={label}>
        {!issued ? (
          <>
            <p>
              {rotate
                ? "A new key replaces the current one at once: the console stops signing with the old key, so the agent must be given the new config (then SIGHUP or restart it) before it is watched again."
                : "The agent gets its own key. Its config, with the secret, is shown once."}
            </p>
            {error && (
              <div className="alert alert-error" role="alert">
                {error}
              </div>
            )}
            <DialogActions onCancel={close} label={label} pendingLabel="Issuing…" pending={pending} onConfirm={issue} tone={rotate ? "danger" : "primary"} />
          </>
        ) : (
          <>
            <div className="alert alert-warn">This is the only time the secret is shown. Save this config as the agent&apos;s config file (mode 600).</div>
            <pre className="secret-box" aria-label="Agent config">
              {text}
            </pre>
            <p className="muted">
              The agent&apos;s Prometheus <code>/metrics</code> stays closed until you add a <code>&quot;metricsToken&quot;</code> of your own (16+ characters)
              to this file; keep that line when a later rotation gives you a new config.
            </p>
            <div className="dialog-actions">
              <button type="button" className="btn" onClick={() => void navigator.clipboard?.writeText(text)}>
                Copy config
              </button>
              <button type="button" className="btn btn-primary" onClick={close}>
                Done
              </button>
            </div>
          </>
        )}
      </Dialog>
    </div>
  );
}
