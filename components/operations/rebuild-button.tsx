"use client";
// "Rebuild" on a former primary's page: pg_rewind from the current primary
// and restart as its standby, as a durable operation whose progress opens.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiClientError } from "@/lib/http/client";
import { useRebuild } from "@/lib/operations/queries";

export function RebuildButton({ id, name }: { id: string; name: string }) {
  const router = useRouter();
  const rebuild = useRebuild(id);
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function start() {
    const reason = window.prompt(`Rebuild ${name} as a replica of the current primary (pg_rewind, then restart as a standby). Reason, for the audit trail:`);
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
      <button type="button" className="btn btn-primary" onClick={() => void start()} disabled={pending}>
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
