"use client";
// The cluster's synchronous replication: shown to everyone, changed by admins
// with a reason. The worker applies it to the primary within a second; until
// an admin picks a mode the console leaves synchronous_standby_names alone.
import { useState } from "react";
import { api } from "@/lib/api/contract";
import { useReasonedPost } from "./use-reasoned-post";

type Mode = "UNMANAGED" | "ASYNC" | "SYNC" | "QUORUM";
type OnLoss = "WAIT" | "DEGRADE";

/** `observed`: the primary's value now, for an unmanaged cluster (null: no primary answered). */
export function describeReplicationMode(mode: Mode, quorum: number, onLoss: OnLoss, observed: string | null): string {
  if (mode === "UNMANAGED")
    return `Not managed by Clusterdeck: synchronous_standby_names on the primary is ${observed === null ? "unknown (its agent did not answer)" : observed === "" ? "empty (asynchronous)" : `'${observed}'`}`;
  if (mode === "ASYNC") return "Asynchronous: commits do not wait for a standby";
  const who = mode === "SYNC" ? "one synchronous standby" : `any ${quorum} standby(s) (quorum)`;
  return `${who} acknowledges every commit; without one: ${onLoss === "WAIT" ? "commits wait (no acknowledged write is lost)" : "degrade to async, with an event"}`;
}

export function ReplicationModeControl(props: {
  clusterId: string;
  mode: Mode;
  quorum: number;
  onLoss: OnLoss;
  degraded: boolean;
  observed: string | null;
  canChange: boolean;
}) {
  const [mode, setMode] = useState<Mode>(props.mode);
  const [quorum, setQuorum] = useState(props.quorum);
  const [onLoss, setOnLoss] = useState<OnLoss>(props.onLoss);
  const { post, pending, error } = useReasonedPost(api.databaseActions.replicationMode, { id: props.clusterId });
  const changed = mode !== props.mode || onLoss !== props.onLoss || (mode === "QUORUM" && quorum !== props.quorum);
  const waits = mode === "SYNC" || mode === "QUORUM";
  return (
    <span className="stack" style={{ gap: 4 }}>
      <span data-testid="replication-mode">
        {describeReplicationMode(props.mode, props.quorum, props.onLoss, props.observed)}
        {props.degraded && <span className="error"> · degraded: no synchronous standby, running async until one is back</span>}
      </span>
      {props.canChange && (
        <span className="row" style={{ display: "inline-flex" }}>
          <select aria-label="Replication mode" value={mode} onChange={(e) => setMode(e.target.value as Mode)}>
            <option value="UNMANAGED">Not managed (left as set by hand)</option>
            <option value="ASYNC">Async</option>
            <option value="SYNC">Sync (one standby)</option>
            <option value="QUORUM">Quorum (ANY n)</option>
          </select>
          {mode === "QUORUM" && (
            <input
              aria-label="Quorum"
              type="number"
              min={1}
              max={99}
              value={quorum}
              onChange={(e) => setQuorum(Number(e.target.value) || 1)}
              style={{ width: 60 }}
            />
          )}
          {waits && (
            <select aria-label="When the last synchronous standby is lost" value={onLoss} onChange={(e) => setOnLoss(e.target.value as OnLoss)}>
              <option value="WAIT">Wait (lose nothing)</option>
              <option value="DEGRADE">Degrade to async</option>
            </select>
          )}
          <button
            type="button"
            className="btn"
            disabled={pending || !changed}
            onClick={() =>
              void post({ mode, quorum: mode === "QUORUM" ? quorum : 1, onLoss }, "Reason to change synchronous replication (goes to the audit trail):")
            }
          >
            Save
          </button>
        </span>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </span>
  );
}
