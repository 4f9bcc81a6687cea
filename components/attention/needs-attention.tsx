"use client";
// Needs attention, at the top of the dashboard (every cluster) and of a
// cluster's page (that cluster): a list of links, each naming its subject, its
// severity and state in words, the reason and since when. The server renders
// the first answer; the live stream invalidates it (components/realtime).
import { useEffect, useState } from "react";
import Link from "next/link";
import { useAttention } from "@/lib/attention/queries";
import type { AttentionWire } from "@/lib/attention/schemas";
import { SeverityBadge, StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

type Props = { clusterId?: string; initial: AttentionWire; showCluster: boolean };

export function NeedsAttention({ clusterId, initial, showCluster }: Props) {
  // The sidebar's count may have opened the same query first (without this page's first answer).
  const data = useAttention(clusterId, initial).data ?? initial;
  const now = useNow();
  return (
    <section className="card stack" aria-labelledby="attention-title" data-testid="needs-attention">
      <h2 id="attention-title" style={{ margin: 0, fontSize: 16 }}>
        Needs attention {data.total > 0 && <span className="muted">({data.total})</span>}
      </h2>
      {data.total === 0 ? (
        <p role="status" style={{ margin: 0 }}>
          <span className="badge badge-ok">All clear</span>
        </p>
      ) : (
        <ul className="attention-list">
          {data.items.map((item) => (
            <li key={item.key} data-testid="attention-item">
              {/* Not prefetched: every stream notice refreshes the page, and each visible link would fetch its page again, in the middle of an incident. */}
              <Link href={item.href} prefetch={false}>
                <SeverityBadge value={item.severity} />{" "}
                <span data-testid="attention-state">
                  <StatusBadge value={item.state} />
                </span>{" "}
                <strong>{item.name}</strong>
                {showCluster && item.clusterName && item.subjectType !== "CLUSTER" && <span className="muted"> in {item.clusterName}</span>}
              </Link>
              <span>: {item.reason}</span>
              {item.since && (
                <span className="muted">
                  {" "}
                  · <Age since={item.since} now={now} />
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {data.total > data.items.length && (
        <p className="muted" style={{ margin: 0 }}>
          Showing the {data.items.length} worst of {data.total}.
        </p>
      )}
    </section>
  );
}

/** Now, every 10 s after mount; null on the server's render and the first client one (same markup, no hydration mismatch). */
function useNow(): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    const tick = () => setNow(Date.now());
    const first = setTimeout(tick, 0);
    const timer = setInterval(tick, 10_000);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
    };
  }, []);
  return now;
}

function Age({ since, now }: { since: string; now: number | null }) {
  if (now === null) return <Time value={since} />;
  const s = Math.max(0, Math.round((now - new Date(since).getTime()) / 1000));
  const text =
    s < 60
      ? `${s} s`
      : s < 3600
        ? `${Math.floor(s / 60)} min`
        : s < 86_400
          ? `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`
          : `${Math.floor(s / 86_400)} d`;
  return (
    <time dateTime={since} title={since}>
      for {text}
    </time>
  );
}
