"use client";
// A drain's session count over time, as the worker sampled it, with the
// estimated finish and the deadline.
import { CartesianGrid, Line, LineChart, ReferenceLine, Tooltip, XAxis, YAxis } from "recharts";
import { utcTime } from "@/lib/metrics/format";
import type { DrainProgress } from "@/lib/operations/kinds";

export function SessionsCurve({ progress }: { progress: DrainProgress }) {
  const rows = progress.samples.map(([t, sessions]) => ({ t, sessions }));
  if (rows.length === 0) return <p className="muted">No sample yet.</p>;
  const first = rows[0]!.t;
  const last = Math.max(rows.at(-1)!.t, progress.estimatedFinish ?? 0);
  return (
    <div className="stack" style={{ gap: 4 }}>
      <p style={{ margin: 0 }} data-testid="drain-sessions">
        <strong>{progress.sessions ?? rows.at(-1)!.sessions}</strong> session(s) left
        {progress.estimatedFinish ? <> · estimated finish {utcTime(progress.estimatedFinish)} UTC</> : rows.at(-1)!.sessions > 0 ? " · no estimate yet" : ""}
        {progress.deadline ? <> · deadline {utcTime(progress.deadline)} UTC</> : null}
      </p>
      <LineChart width={720} height={200} data={rows} margin={{ top: 8, right: 16, bottom: 8, left: 0 }} aria-label="Sessions on the node during the drain">
        <CartesianGrid strokeDasharray="3 3" opacity={0.4} />
        <XAxis dataKey="t" type="number" domain={[first, last]} tickFormatter={(t: number) => utcTime(t)} fontSize={11} />
        <YAxis allowDecimals={false} fontSize={11} width={40} />
        <Tooltip labelFormatter={(t) => `${utcTime(Number(t))} UTC`} />
        {progress.estimatedFinish ? <ReferenceLine x={progress.estimatedFinish} strokeDasharray="4 4" label={{ value: "estimate", fontSize: 11 }} /> : null}
        <Line type="stepAfter" dataKey="sessions" stroke="var(--accent)" dot={false} isAnimationActive={false} />
      </LineChart>
    </div>
  );
}
