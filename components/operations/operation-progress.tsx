"use client";
// Any operation's live progress: refetched every second while it runs (and at
// once when the stream says it changed), so no reload is ever needed. What is
// common (state, approval, cancel, error, steps) is here; what a kind adds
// (a deployment's targets, a drain's session curve) is its part below, keyed
// by the registry's kinds (lib/operations/kinds.ts).
import { useState } from "react";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { DataTable, rowHeader, wrapCell } from "@/components/ui/table";
import { useClientPages } from "@/components/ui/client-pages";
import { ApiClientError } from "@/lib/http/client";
import { SessionsCurve } from "@/components/operations/sessions-curve";
import { isOperationKind, operationKinds, type OperationKind } from "@/lib/operations/kinds";
import type { OperationAnswer, OperationOf, OperationState } from "@/lib/operations/schemas";
import { useApproveOperation, useCancelOperation, useOperation } from "@/lib/operations/queries";
import { FoldedText } from "@/components/ui/folded-text";

const active = (s: OperationState) => s === "AWAITING_APPROVAL" || s === "PENDING" || s === "RUNNING";

/**
 * What a kind adds to the common view, given the operation with its params
 * and progress typed for that kind (null where this release cannot read them).
 */
type KindPart<K extends OperationKind> = {
  /** Beside the state badge: how far it got. */
  headline?(op: OperationOf<K>): React.ReactNode;
  /** Under the header: a bar, a curve. */
  live?(op: OperationOf<K>): React.ReactNode;
  /** The settings it runs with, in a line. */
  settings?(op: OperationOf<K>): React.ReactNode;
  /** Below the card: per-target detail. */
  detail?(op: OperationOf<K>): React.ReactNode;
};

const targetsDone = (op: OperationAnswer) => op.deployments.filter((d) => d.status === "SUCCEEDED").length;

const parts: { [K in OperationKind]?: KindPart<K> } = {
  "config.deploy": {
    headline: (op) => (
      <strong data-testid="operation-progress">
        {targetsDone(op)} of {op.deployments.length} target{op.deployments.length === 1 ? "" : "s"} done
      </strong>
    ),
    live: (op) => <progress max={Math.max(1, op.deployments.length)} value={targetsDone(op)} aria-label="Targets done" style={{ width: "100%" }} />,
    settings: ({ params: p }) => (p ? `Revision ${p.revisionNumber} · batches of ${p.batchSize}${p.pauseMs ? ` · ${p.pauseMs / 1000} s pause` : ""}` : null),
    detail: (op) => <DeploymentTargets deployments={op.deployments} />,
  },
  "node.drain": {
    live: (op) => <SessionsCurve progress={op.progress ?? { samples: [] }} />,
    settings: ({ params: p }) => (p ? `Deadline ${p.deadlineSeconds} s, then ${p.escalation}${p.force ? " · forced past the capacity check" : ""}` : null),
  },
};

/** The part of the operation's kind, bound to the operation (empty for a kind this release does not know). */
function partOf(op: OperationAnswer): { [P in keyof KindPart<OperationKind>]-?: () => React.ReactNode } {
  // The answer's kind picks the part, so the operation is of that part's kind: TypeScript cannot follow
  // a kind chosen at run time into the mapped type, hence these two assertions (the answer was read by
  // that kind's own schemas on the server).
  const part = (isOperationKind(op.kind) ? parts[op.kind] : undefined) as KindPart<OperationKind> | undefined;
  const known = op as OperationOf<OperationKind>;
  return {
    headline: () => part?.headline?.(known),
    live: () => part?.live?.(known),
    settings: () => part?.settings?.(known),
    detail: () => part?.detail?.(known),
  };
}

export function OperationProgress({ initial, canCancel, canApprove }: { initial: OperationAnswer; canCancel: boolean; canApprove: boolean }) {
  const op = useOperation(initial).data;
  const approval = useApproveOperation(op.id);
  const cancellation = useCancelOperation(op.id);
  const [cancelError, setCancelError] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState(false);
  const kind = isOperationKind(op.kind) ? op.kind : null;
  const part = partOf(op);
  const cancelRule = kind ? operationKinds[kind].cancel : null;
  const settings = part.settings();

  async function approve() {
    const reason = window.prompt("Why approve? (goes to the audit trail)");
    if (!reason) return;
    setCancelError(null);
    try {
      await approval.mutateAsync(reason);
    } catch (e) {
      setCancelError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    }
  }

  async function cancel() {
    setCancelling(true);
    setCancelError(null);
    try {
      await cancellation.mutateAsync("cancelled from the console");
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
            {part.headline()}
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
        {part.live()}
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

      {part.detail()}

      <section className="card stack" aria-labelledby="op-steps">
        <h2 id="op-steps" style={{ margin: 0, fontSize: 16 }}>
          Steps
        </h2>
        <ol className="steps">
          {op.steps.map((s, i) => (
            <li key={i}>
              <Time value={s.at} /> · <strong>{s.step}</strong>
              {s.detail ? (
                <span className="muted">
                  {" — "}
                  <FoldedText text={s.detail} />
                </span>
              ) : null}
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

/** A deployment's targets, a page at a time. */
function DeploymentTargets({ deployments }: { deployments: OperationAnswer["deployments"] }) {
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
