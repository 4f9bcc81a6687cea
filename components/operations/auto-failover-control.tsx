"use client";
// Automatic failover for one cluster: admins turn it on or off, operators
// pause and unpause it (planned work). Each change asks for a reason.
import { api } from "@/lib/api/contract";
import { useReasonedPost } from "./use-reasoned-post";

export function AutoFailoverControl({
  clusterId,
  enabled,
  paused,
  canToggle,
  canPause,
}: {
  clusterId: string;
  enabled: boolean;
  paused: boolean;
  canToggle: boolean;
  canPause: boolean;
}) {
  const { post, pending, error } = useReasonedPost(api.databaseActions.autoFailover, { id: clusterId });
  const change = (body: { enabled?: boolean; paused?: boolean }, what: string) => post(body, `Reason to ${what} automatic failover (goes to the audit trail):`);
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
