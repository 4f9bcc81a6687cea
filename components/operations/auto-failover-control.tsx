"use client";
// Automatic failover for one cluster: admins turn it on or off, operators
// pause and unpause it (planned work). Each change asks for a reason.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiClientError, apiFetch } from "@/lib/api/client";

export function AutoFailoverControl({ clusterId, enabled, paused, canToggle, canPause }: { clusterId: string; enabled: boolean; paused: boolean; canToggle: boolean; canPause: boolean }) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function change(body: { enabled?: boolean; paused?: boolean }, what: string) {
    const reason = window.prompt(`Reason to ${what} automatic failover (goes to the audit trail):`);
    if (!reason) return;
    setPending(true);
    setError(null);
    try {
      await apiFetch(`/api/v1/clusters/${clusterId}/auto-failover`, { method: "POST", body: { ...body, reason } });
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    } finally {
      setPending(false);
    }
  }
  return (
    <span className="row" style={{ display: "inline-flex" }}>
      <span data-testid="auto-failover-state">{enabled ? (paused ? "On, paused" : "On") : "Off"}</span>
      {canToggle && (
        <button type="button" className="btn" disabled={pending} onClick={() => void change({ enabled: !enabled }, enabled ? "turn off" : "turn on")}>
          {enabled ? "Turn off" : "Turn on"}
        </button>
      )}
      {canPause && enabled && (
        <button type="button" className="btn" disabled={pending} onClick={() => void change({ paused: !paused }, paused ? "resume" : "pause")}>
          {paused ? "Unpause" : "Pause"}
        </button>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
