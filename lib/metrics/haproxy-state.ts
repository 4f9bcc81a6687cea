// HAProxy's server status words (`show stat` "status") as an on-call engineer
// reads them at 3 a.m.: in words, the transitional states spelled out ("UP 1/3"
// is a server still up whose checks started failing), and drained never
// painted like down. The colour only repeats what the words say.

export type Tone = "ok" | "warn" | "down" | "accent" | "plain";
export type ServerState = { word: string; tone: Tone; detail?: string };

/** `adminState` comes from the admin bits (`show servers state`), which hold even when the status word shows DOWN. */
export function serverState(status: string, adminState: "READY" | "DRAIN" | "MAINT"): ServerState {
  const [word = "", step] = status.split(" ");
  const via = /\(via ([^)]+)\)/.exec(status)?.[1];
  if (adminState === "MAINT" || word === "MAINT") {
    return { word: "Maintenance", tone: "warn", detail: via ? `inherited from ${via}` : "taken out by an operator" };
  }
  const checks = word === "DOWN" ? "but its checks fail" : step ? `checks ${step}` : undefined;
  if (adminState === "DRAIN" || word === "DRAIN") {
    return { word: "Drained", tone: word === "DOWN" ? "down" : "accent", detail: word === "DOWN" ? checks : "no new sessions; current ones finish" };
  }
  switch (word) {
    case "UP":
      return step ? { word: "Up, failing checks", tone: "warn", detail: `${step} of the checks that take it down` } : { word: "Up", tone: "ok" };
    case "DOWN":
      return step ? { word: "Down, recovering", tone: "warn", detail: `${step} of the checks that bring it back` } : { word: "Down", tone: "down" };
    case "NOLB":
      return { word: "No new traffic (NOLB)", tone: "warn", detail: step ? `checks ${step}` : "its agent check asks for no new sessions" };
    case "no":
      return { word: "Up, not checked", tone: "plain", detail: "no health check configured" };
    default:
      return { word: status || "Unknown", tone: "plain" };
  }
}

export const toneClass: Record<Tone, string> = { ok: "badge-ok", warn: "badge-warn", down: "badge-down", accent: "badge-accent", plain: "plain" };

/** "40.0 req/s"; "—" while the agent has no figure (its first report, or right after a reload). */
export function requestsPerSecond(rate: number | null): string {
  if (rate === null || !Number.isFinite(rate)) return "—";
  return rate >= 1000 ? `${Math.round(rate).toLocaleString("en")} req/s` : `${rate.toFixed(1)} req/s`;
}

/** How long a state has lasted, to the unit that matters: "45 s", "12 min", "3 h", "2 d". */
export function sinceText(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.floor(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.floor(seconds / 3600)} h`;
  return `${Math.floor(seconds / 86_400)} d`;
}

export type ErrorCounts = { connect: number; response: number; retries: number; redispatches: number; http5xx: number };

/** Only the counters that are not zero, named: "3 connect, 1 5xx"; "none" when all are. */
export function errorsText(e: ErrorCounts | null): string {
  if (!e) return "—";
  const parts = [
    [e.connect, "connect"],
    [e.response, "response"],
    [e.retries, "retries"],
    [e.redispatches, "redispatched"],
    [e.http5xx, "5xx"],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, w]) => `${n.toLocaleString("en")} ${w}`);
  return shown.length > 0 ? shown.join(", ") : "none";
}
