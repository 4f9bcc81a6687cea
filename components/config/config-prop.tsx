// The "Configuration" line of a node, load balancer or database page: the
// revision it should run, and whether it runs it (drift shows here too).
import Link from "next/link";
import { targetConfigSummary } from "@/lib/config/targets";
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";

export async function ConfigProp({ type, id, clusterId }: { type: "NODE" | "LOAD_BALANCER" | "DATABASE"; id: string; clusterId: string }) {
  const c = await targetConfigSummary(type, id, clusterId);
  return (
    <>
      <dt>Configuration</dt>
      <dd>
        {c.revision === null ? (
          <span className="muted">
            none deployed yet · <Link href={`/config/${c.scope}`}>configuration</Link>
          </span>
        ) : (
          <span className="row" style={{ display: "inline-flex" }}>
            <Link href={`/config/${c.scope}`}>revision #{c.revision}</Link>
            {c.status === "DRIFT" || c.status === "IN_SYNC" ? <StatusBadge value={c.status} /> : <span className="muted">agent report pending</span>}
            {c.driftSince && (
              <span className="muted">
                since <Time value={c.driftSince} />
              </span>
            )}
          </span>
        )}
      </dd>
    </>
  );
}
