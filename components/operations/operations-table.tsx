// The operations page's tables: one row per operation, named, linked to its
// progress page, with its state in words and its step or error.
import Link from "next/link";
import { DataTable, rowHeader, wrapCell } from "@/components/ui/table";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

export type OperationRow = {
  id: string;
  title: string;
  state: string;
  clusterName: string | null;
  currentStep: string | null;
  error: string | null;
  reason: string;
  createdAt: Date;
  finishedAt: Date | null;
};

export function OperationsTable({ label, rows, empty }: { label: string; rows: OperationRow[]; empty: string }) {
  return (
    <DataTable label={label} columns={["Operation", "State", "Cluster", "Step or outcome", "Requested", "Finished"]} empty={rows.length ? undefined : empty}>
      {rows.map((o) => (
        <tr key={o.id}>
          <th scope="row" style={rowHeader}>
            <Link href={`/operations/${o.id}`}>{o.title}</Link>
          </th>
          <td>
            <StatusBadge value={o.state} />
          </td>
          <td>{o.clusterName ?? <span className="muted">—</span>}</td>
          <td style={wrapCell("16rem")}>
            {o.error ? <span className="error">{o.error}</span> : (o.currentStep ?? <span className="muted">{o.reason || "—"}</span>)}
          </td>
          <td>
            <Time value={o.createdAt} />
          </td>
          <td>{o.finishedAt ? <Time value={o.finishedAt} /> : <span className="muted">—</span>}</td>
        </tr>
      ))}
    </DataTable>
  );
}
