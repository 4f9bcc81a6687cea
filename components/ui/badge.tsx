const tone: Record<string, string> = {
  UP: "badge-ok",
  ACTIVE: "badge-ok",
  STREAMING: "badge-ok",
  SUCCESS: "badge-ok",
  SUCCEEDED: "badge-ok",
  IN_SYNC: "badge-ok",
  RUNNING: "badge-accent",
  IN_PROGRESS: "badge-accent",
  PENDING: "badge-accent",
  ROLLED_BACK: "badge-warn",
  CANCELLED: "badge-warn",
  DRIFT: "badge-warn",
  FAILED: "badge-down",
  PRIMARY: "badge-accent",
  DEGRADED: "badge-warn",
  UNREACHABLE: "badge-unreachable",
  // Admin states: held out by an operator, not broken; never painted like Down.
  DRAINING: "badge-held",
  DRAINED: "badge-held",
  MAINTENANCE: "badge-held",
  CATCHUP: "badge-warn",
  FAILURE: "badge-down",
  DENIED: "badge-down",
  DOWN: "badge-down",
  STOPPED: "badge-down",
  NEEDS_REBUILD: "badge-down",
  FENCED: "badge-warn",
  // WAL archiving and replication slots (the database page).
  ARCHIVING: "badge-ok",
  FAILING: "badge-down",
  RESERVED: "badge-ok",
  UNRESERVED: "badge-warn",
  LOST: "badge-down",
  // A pooler's [databases] entry holding its clients (a switchover in flight, or one left paused).
  PAUSED: "badge-warn",
};

/** Values whose word is not their enum name. */
const words: Record<string, string> = { UNREACHABLE: "Agent unreachable" };
const label = (v: string) => words[v] ?? v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " ");

/** A status pill; the text always says the state, colour only repeats it. */
export function StatusBadge({ value }: { value: string }) {
  return <span className={`badge ${tone[value] ?? ""}`}>{label(value)}</span>;
}

const severityTone: Record<string, string> = { CRITICAL: "badge-down", WARNING: "badge-warn", INFO: "" };

/** An event's or an attention item's severity, in words (colour repeats it). */
export function SeverityBadge({ value }: { value: string }) {
  return <span className={`badge ${severityTone[value] ?? ""}`}>{label(value)}</span>;
}

export function Badge({ children }: { children: React.ReactNode }) {
  return <span className="badge plain">{children}</span>;
}
