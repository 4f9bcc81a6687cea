"use client";
// Any operation's live progress: refetched every second while it runs (and at
// once when the stream says it changed), so no reload is ever needed. What is
// common (state, approval, cancel, error, steps) is here; what a kind adds
// (a deployment's targets, a drain's session curve) is its part below, keyed
// by the registry's kinds (lib/operations/kinds.ts).
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { DataTable, rowHeader, wrapCell } from "@/components/ui/table";
import { useClientPages } from "@/components/ui/client-pages";
import { ApiClientError, apiFetch } from "@/lib/http/client";
import { SessionsCurve } from "@/components/operations/sessions-curve";
import { drainProgress, isOperationKind, operationKinds, readParams, type OperationKind } from "@/lib/operations/kinds";

export type OperationData = {
  id: string;
  kind: string;
  state: "AWAITING_APPROVAL" | "PENDING" | "RUNNING" | "SUCCEEDED" | "FAILED" | "CANCELLED";
  subjectId: string;
  reason: string;
  /** Read through the kind's schema by its part (masked on the way out: may not parse). */
  params: unknown;
  progress: unknown;
  cancelRequestedAt: string | null;
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

/** What a kind adds to the common view. Each reads its own params through the registry's schema. */
type KindPart = {
  /** Beside the state badge: how far it got. */
  headline?: (op: OperationData) => React.ReactNode;
  /** Under the header: a bar, a curve. */
  live?: (op: OperationData) => React.ReactNode;
  /** The settings it runs with, in a line. */
  settings?: (op: OperationData) => React.ReactNode;
  /** Below the card: per-target detail. */
  detail?: (op: OperationData) => React.ReactNode;
};

const targetsDone = (op: OperationData) => op.deployments.filter((d) => d.status === "SUCCEEDED").length;

const parts: Partial<Record<OperationKind, KindPart>> = {
  "config.deploy": {
    headline: (op) => (
      <strong data-testid="operation-progress">
        {targetsDone(op)} of {op.deployments.length} target{op.deployments.length === 1 ? "" : "s"} done
      </strong>
    ),
    live: (op) => <progress max={Math.max(1, op.deployments.length)} value={targetsDone(op)} aria-label="Targets done" style={{ width: "100%" }} />,
    settings: (op) => {
      const p = readParams("config.deploy", op.params);
      return p ? `Revision ${p.revisionNumber} · batches of ${p.batchSize}${p.pauseMs ? ` · ${p.pauseMs / 1000} s pause` : ""}` : null;
    },
    detail: (op) => <DeploymentTargets deployments={op.deployments} />,
  },
  "node.drain": {
    live: (op) => {
      const progress = drainProgress.safeParse(op.progress);
      return <SessionsCurve progress={progress.success ? progress.data : { samples: [] }} />;
    },
    settings: (op) => {
      const p = readParams("node.drain", op.params);
      return p ? `Deadline ${p.deadlineSeconds} s, then ${p.escalation}${p.force ? " · forced past the capacity check" : ""}` : null;
    },
  },
};

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
  const kind = isOperationKind(op.kind) ? op.kind : null;
  const part: KindPart = (kind && parts[kind]) || {};
  const cancelRule = kind ? operationKinds[kind].cancel : null;
  const settings = part.settings?.(op);

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
            {part.headline?.(op)}
            {op.currentStep && active(op.state) && <span className="muted">· {op.currentStep}</span>}
            {op.cancelRequestedAt && active(op.state) && cancelRule && <span className="muted">· cancel requested: {cancelRule.note}</span>}
          </div>
          {op.state === "AWAITING_APPROVAL" && canApprove && (
            <button type="button" className="btn btn-primary" onClick={approve}>
              Approve
            </button>
          )}
          {(canCancel || (op.state === "AWAITING_APPROVAL" && canApprove)) && active(op.state) && !op.cancelRequestedAt && (
            <button type="button" className="btn btn-danger" onClick={cancel} disabled={cancelling}>
              {cancelling ? "Cancelling…" : op.state === "AWAITING_APPROVAL" ? "Cancel" : (cancelRule?.button ?? "Cancel")}
            </button>
          )}
        </div>
        {op.state === "AWAITING_APPROVAL" && (
          <div className="alert alert-warn" role="status">
            Waiting for a second operator or admin to approve (two-person rule). Nothing has been done yet.
          </div>
        )}
        {part.live?.(op)}
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
          {settings ? <>{settings} · </> : null}reason: {op.reason || "none given"}
        </p>
      </div>

      {part.detail?.(op)}

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

/** A deployment's targets, a page at a time. */
function DeploymentTargets({ deployments }: { deployments: OperationData["deployments"] }) {
  const targetPages = useClientPages(deployments);
  return (
    <>
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
      {targetPages.controls}
    </>
  );
}
