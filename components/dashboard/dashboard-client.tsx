"use client";
import Link from "next/link";
import { useSummary } from "@/lib/inventory/queries";
import type { PlatformSummary } from "@/lib/inventory/schemas";
import { StatusBadge } from "@/components/ui/badge";

const healthOrder = ["UP", "DEGRADED", "UNREACHABLE", "DOWN", "UNKNOWN"];

function HealthCounts({ counts }: { counts: Partial<Record<string, number>> }) {
  const present = healthOrder.filter((h) => (counts[h] ?? 0) > 0);
  if (present.length === 0) return <span className="muted">none yet</span>;
  return (
    <span className="row">
      {present.map((h) => (
        <span key={h} className="row" style={{ gap: 4 }}>
          <StatusBadge value={h} /> {counts[h]}
        </span>
      ))}
    </span>
  );
}

export function DashboardClient({ initial }: { initial: PlatformSummary }) {
  const { data: s } = useSummary(initial);
  const headroom = s.capacity.inService - s.capacity.activeSessions;
  return (
    <div className="stack">
      <section className="grid grid-4" aria-label="Tiers">
        <div className="card stack" data-testid="tier-load-balancers">
          <span className="stat-label">Load balancers</span>
          <Link href="/load-balancers" className="stat">
            {s.loadBalancers.total}
          </Link>
          <HealthCounts counts={s.loadBalancers.byHealth} />
        </div>
        <div className="card stack" data-testid="tier-nodes">
          <span className="stat-label">App nodes</span>
          <Link href="/nodes" className="stat">
            {s.nodes.total}
          </Link>
          <HealthCounts counts={s.nodes.byHealth} />
          <span className="muted">
            {Object.entries(s.nodes.byAdminState)
              .map(([k, v]) => `${v} ${k.toLowerCase()}`)
              .join(" · ") || "—"}
          </span>
        </div>
        <div className="card stack" data-testid="tier-databases">
          <span className="stat-label">Databases</span>
          <Link href="/databases" className="stat">
            {s.databases.total}
          </Link>
          <span className="muted">
            {s.databases.primaries} primary · {s.databases.replicas} replica{s.databases.replicas === 1 ? "" : "s"}
          </span>
          <HealthCounts counts={s.databases.byHealth} />
        </div>
        <div className="card stack" data-testid="capacity">
          <span className="stat-label">Capacity in service (sessions)</span>
          <span className="stat">{s.capacity.inService.toLocaleString("en")}</span>
          <span className="muted">
            {s.capacity.activeSessions.toLocaleString("en")} active · headroom {headroom.toLocaleString("en")}
          </span>
          {/* Announced when it changes: losing N+1 in the night is news. */}
          <span role="status" data-testid="n-plus-one">
            {s.nodes.total > 0 &&
              (s.capacity.inService === 0 ? (
                <span className="badge badge-down">No healthy node reporting</span>
              ) : s.capacity.survivesLosingLargest ? (
                <span className="badge badge-ok">Survives losing one node</span>
              ) : (
                <span className="badge badge-warn">Cannot lose a node (N+1 not met)</span>
              ))}
          </span>
        </div>
      </section>
      <p className="muted">
        {s.clusters} cluster{s.clusters === 1 ? "" : "s"} in the inventory. Health shows UNKNOWN until an agent reports for it.
      </p>
    </div>
  );
}
