"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { NavCount } from "@/lib/auth/navigation";
import { useAttention } from "@/lib/attention/queries";
import { CriticalCount } from "@/components/shell/critical-count";

type Item = { href: string; label: string; count?: NavCount };
type Group = { title: string; items: Item[] };

export function Sidebar({ groups }: { groups: Group[] }) {
  const pathname = usePathname();
  return (
    <nav className="sidebar" aria-label="Main">
      <Link href="/dashboard" className="brand">
        <span className="brand-mark" aria-hidden="true" /> Clusterdeck
      </Link>
      {groups.map((group) => (
        <div className="nav-group" key={group.title}>
          <div className="nav-group-title">{group.title}</div>
          {group.items.map((item) => {
            const active = pathname === item.href || pathname.startsWith(item.href + "/");
            return (
              <Link key={item.href} href={item.href} className="nav-link" aria-current={active ? "page" : undefined}>
                {item.label}
                {item.count === "operations" && <OperationsCount />}
                {/* Only where the role may read events: the link is there exactly then. */}
                {item.href === "/events" && <CriticalCount />}
              </Link>
            );
          })}
        </div>
      ))}
    </nav>
  );
}

/**
 * Operations running or awaiting approval. Read from needs attention, every
 * cluster's: the dashboard shows the same query, so it is one request there,
 * and the stream keeps it current.
 */
function OperationsCount() {
  const { data } = useAttention(undefined);
  if (!data) return null;
  const { running, awaitingApproval } = data.operations;
  const n = running + awaitingApproval;
  if (n === 0) return null;
  const words = [running && `${running} running`, awaitingApproval && `${awaitingApproval} awaiting approval`].filter(Boolean).join(", ");
  return (
    <span className={`badge nav-count ${awaitingApproval ? "badge-warn" : "badge-accent"}`} data-testid="operations-count" title={words}>
      {n}
      <span className="sr-only"> ({words})</span>
    </span>
  );
}
