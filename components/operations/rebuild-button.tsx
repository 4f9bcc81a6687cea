"use client";
// "Rebuild" on a replica's page: it follows the current primary as it is when
// it can, else after pg_rewind, else as a fresh clone — a durable operation
// whose progress opens. Primary-styled when the member needs it (fenced, not
// streaming), quiet otherwise (a replica that streams may still be damaged).
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiClientError } from "@/lib/http/client";
import { useRebuild } from "@/lib/operations/queries";

export function RebuildButton({ id, name, needed }: { id: string; name: string; needed: boolean }) {
  const router = useRouter();
  const rebuild = useRebuild(id);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    const reason = window.prompt(
      `Rebuild ${name} as a replica of the current primary: it is stopped, then follows as it is, or after pg_rewind, or as a fresh clone (its old data folder kept until the clone runs). Reason, for the audit trail:`,
    );
    if (!reason) return;
    setPending(true);
    setError(null);
    try {
      const op = await rebuild.mutateAsync(reason);
      router.push(`/operations/${op.id}`);
    } catch (e) {
      setPending(false);
      setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    }
  }
  return (
    <>
      <button type="button" className={needed ? "btn btn-primary" : "btn"} onClick={() => void start()} disabled={pending}>
        {pending ? "Starting…" : "Rebuild"}
      </button>
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </>
  );
}
