"use client";
// A deployment's live progress: refetched every second while it runs (and at
// once when the stream says it changed), so no reload is ever needed.
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { DataTable, rowHeader, wrapCell } from "@/components/ui/table";
import { useClientPages } from "@/components/ui/client-pages";
import { ApiClientError, apiFetch } from "@/lib/api/client";
import { SessionsCurve, type DrainProgress } from "@/components/operations/sessions-curve";

export type OperationData = {
  id: string;
  kind: string;
  state: "AWAITING_APPROVAL" | "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  subjectId: string;
  reason: string;
  params: {
    revisionNumber?: number;
    batchSize?: number;
    pauseMs?: number;
    cancelRequested?: boolean;
    nodeName?: string;
    deadlineSeconds?: number;
    escalation?: string;
    force?: boolean;
  };
  progress: DrainProgress;
  steps: { at: string; step: string; detail?: string }[];
  currentStep: string | null;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  deployments: {
    id: string;
    targetName: string;
    targetType: string;
    batch: number;
    status: string;
    error: string | null;
    startedAt: string | null;
    finishedAt: string | null;
  }[];
};

const active = (s: OperationData["state"]) => s === "AWAITING_APPROVAL" || s === "PENDING" || s === "RUNNING";

export function OperationProgress({ initial, canCancel, canApprove }: { initial: OperationData; canCancel: boolean; canApprove: boolean }) {
  const client = useQueryClient();
  const q = useQuery({
    queryKey: ["operations", initial.id],
    queryFn: () => apiFetch<OperationData>(`/api/v1/operations/${initial.id}`),
    initialData: initial,
    refetchInterval: (query) => (query.state.data && active(query.state.data.state) ? 1000 : false),
  });
  const op = q.data;
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const isDeploy = op.kind === "config.deploy";
  const done = op.deployments.filter((d) => d.status === "SUCCEEDED").length;
  const total = op.deployments.length;
  const targetPages = useClientPages(op.deployments);

  async function approve() {
    const reason = window.prompt("Why approve? (goes to the audit trail)");
    if (!reason) return;
    setCancelError(null);
    try {
      await apiFetch(`/api/v1/operations/${op.id}/approve`, { method: "POST", body: { reason } });
      await client.invalidateQueries({ queryKey: ["operations", op.id] });
    } catch (e) {
      setCancelError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    }
  }

  async function cancel() {
    setCancelling(true);
    setCancelError(null);
    try {
      await apiFetch(`/api/v1/operations/${op.id}/cancel`, { method: "POST", body: { reason: "cancelled from the console" } });
      await client.invalidateQueries({ queryKey: ["operations", op.id] });
    } catch (e) {
      setCancelError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    } finally {
      setCancelling(false);
    }
  }

  return (
    <div className="stack">
      <div className="card stack" aria-live="polite">
        <div className="row" style={{ justifyContent: "space-between" }}>
          <div className="row">
            <StatusBadge value={op.state} />
            {isDeploy && (
              <strong data-testid="operation-progress">
                {done} of {total} target{total === 1 ? "" : "s"} done
              </strong>
            )}
            {op.currentStep && active(op.state) && <span className="muted">· {op.currentStep}</span>}
            {op.params.cancelRequested && active(op.state) && <span className="muted">· cancel requested: stops after this batch</span>}
          </div>
          {op.state === "AWAITING_APPROVAL" && canApprove && (
            <button type="button" className="btn btn-primary" onClick={approve}>
              Approve
            </button>
          )}
          {(canCancel || (op.state === "AWAITING_APPROVAL" && canApprove)) && active(op.state) && !op.params.cancelRequested && (
            <button type="button" className="btn btn-danger" onClick={cancel} disabled={cancelling}>
              {cancelling ? "Cancelling…" : isDeploy ? "Cancel after this batch" : "Cancel"}
            </button>
          )}
        </div>
        {op.state === "AWAITING_APPROVAL" && (
          <div className="alert alert-warn" role="status">
            Waiting for a second operator or admin to approve (two-person rule). Nothing has been done yet.
          </div>
        )}
        {isDeploy && <progress max={Math.max(1, total)} value={done} aria-label="Targets done" style={{ width: "100%" }} />}
        {op.kind === "node.drain" && <SessionsCurve progress={op.progress} />}
        {op.error && (
          <div className={`alert ${op.state === "CANCELLED" ? "alert-warn" : "alert-error"}`} role="alert">
            {op.error}
          </div>
        )}
        {cancelError && (
          <div className="alert alert-error" role="alert">
            {cancelError}
          </div>
        )}
        <p className="muted" style={{ margin: 0 }}>
          {isDeploy ? (
            <>
              Revision {op.params.revisionNumber} · batches of {op.params.batchSize}
              {op.params.pauseMs ? ` · ${op.params.pauseMs / 1000} s pause` : ""}
            </>
          ) : op.kind === "node.drain" ? (
            <>
              Deadline {op.params.deadlineSeconds} s, then {op.params.escalation}
              {op.params.force ? " · forced past the capacity check" : ""}
            </>
          ) : null}{" "}
          · reason: {op.reason || "none given"}
        </p>
      </div>

      {isDeploy && (
        <DataTable label="Targets" columns={["Target", "Batch", "Status", "What happened", "Started", "Finished"]}>
          {targetPages.rows.map((d) => (
            <tr key={d.id} data-testid={`deployment-${d.targetName}`}>
              <th scope="row" style={rowHeader}>
                {d.targetName}
              </th>
              <td>{d.batch + 1}</td>
              <td>
                <StatusBadge value={d.status} />
              </td>
              <td style={wrapCell("16em")}>{d.error ?? ""}</td>
              <td>{d.startedAt ? <Time value={d.startedAt} /> : <span className="muted">—</span>}</td>
              <td>{d.finishedAt ? <Time value={d.finishedAt} /> : <span className="muted">—</span>}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {isDeploy && targetPages.controls}

      <section className="card stack" aria-labelledby="op-steps">
        <h2 id="op-steps" style={{ margin: 0, fontSize: 16 }}>
          Steps
        </h2>
        <ol className="steps">
          {op.steps.map((s, i) => (
            <li key={i}>
              <Time value={s.at} /> · <strong>{s.step}</strong>
              {s.detail ? <span className="muted"> — {s.detail}</span> : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}
