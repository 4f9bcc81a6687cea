"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { ApiClientError } from "@/lib/http/client";
import type { AgentSubject } from "@/lib/agents/schemas";
import { useIssueAgentCredential } from "@/lib/agents/queries";
import { Dialog, DialogActions } from "@/components/ui/dialog";

export function IssueCredentialButton({ subjectType, id, rotate }: { subjectType: AgentSubject; id: string; rotate: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const mutation = useIssueAgentCredential(subjectType, id);
  const issued = mutation.data ?? null;
  const error = mutation.error ? (mutation.error instanceof ApiClientError ? mutation.error.message : "Could not issue the credential") : null;
  const pending = mutation.isPending;
  const label = rotate ? "Rotate credential" : "Issue credential";

  const close = () => {
    setOpen(false);
    // The secret lives only in this dialog: gone once it closes.
    mutation.reset();
    router.refresh();
  };

  function issue() {
    mutation.mutate();
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
