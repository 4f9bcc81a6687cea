// The HAProxy configuration of one load balancer, generated from the
// inventory (its pool: servers, weights, backup flags) and from the sections
// an admin edits (timeouts, health checks, sticky cookie, extra lines).
// Deterministic: the same inventory and input always give the same text, so
// the same checksum, and a diff shows only what really changed.
import { z } from "zod";
import { STATS_SOCKET_OPTIONS, type HaproxyRuntime } from "@/lib/agent-protocol/haproxy/rules";
/** Free-form lines for a section; each must be one line of printable text. */
const extraLines = z
  .string()
  .max(20_000)
  .refine((v) => !/[\x00-\x08\x0b-\x1f\x7f]/.test(v), "only printable text and newlines")
  .default("");
const ms = (min: number, max: number, dflt: number) => z.number().int().min(min).max(max).default(dflt);

export const haproxyInput = z.strictObject({
  /**
   * Gone: the admin socket and pidfile are the agent's own paths (its config
   * file, written by the host's owner), sent to the console when it renders.
   * Named here only to say so to a client that still sends them.
   */
  runtime: z.never({ error: "the admin socket and pidfile now come from the load balancer's agent (its own config file); remove this field" }).optional(),
  /** host:port the frontend binds; the load balancer's own address when absent. */
  bind: z
    .string()
    .max(300)
    .regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9._-]+|\*)?:\d{1,5}$/, '"host:port" or ":port"')
    .optional(),
  balance: z.enum(["roundrobin", "leastconn", "static-rr", "first", "source"]).default("roundrobin"),
  stickyCookie: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .nullable()
    .default("SERVERID"),
  healthCheck: z
    .strictObject({
      path: z
        .string()
        .regex(/^\/[\x21-\x7e]{0,200}$/, "a path starting with /")
        .default("/health"),
      interMs: ms(100, 60_000, 2000),
      fall: z.number().int().min(1).max(10).default(3),
      rise: z.number().int().min(1).max(10).default(2),
    })
    .prefault({}),
  /**
   * Which failures HAProxy retries (on another server: redispatch). The 503 a
   * draining app answers to a request whose session has already ended is one:
   * retried elsewhere, the client never sees it. Empty: no L7 retries.
   */
  retryOn: z
    .string()
    .max(200)
    .regex(/^[a-z0-9 -]*$/, "HAProxy retry-on keywords and status codes")
    .default("conn-failure empty-response 503"),
  /** Slow start for servers coming back (resume after a drain). 0: off. */
  slowstartSeconds: z.number().int().min(0).max(3600).default(10),
  timeouts: z
    .strictObject({
      connectMs: ms(100, 600_000, 2000),
      clientMs: ms(1000, 3_600_000, 30_000),
      serverMs: ms(1000, 3_600_000, 30_000),
      httpRequestMs: ms(100, 600_000, 10_000),
      checkMs: ms(100, 600_000, 2000),
    })
    .prefault({}),
  globalExtra: extraLines,
  defaultsExtra: extraLines,
  frontendExtra: extraLines,
  backendExtra: extraLines,
  /** Whole sections appended at the end (more frontends, backends, userlists…). */
  extraSections: extraLines,
});
export type HaproxyInput = z.output<typeof haproxyInput>;
export type HaproxyInputDraft = z.input<typeof haproxyInput>;

export type HaproxyPool = {
  loadBalancer: { name: string; host: string; port: number };
  members: { name: string; host: string; port: number; weight: number; backup: boolean }[];
};

/** Backend and frontend names, fixed so runtime actions (drain, weight) can address servers. */
export const backendName = (lbName: string) => `be_${lbName.replace(/-/g, "_")}`;
export const frontendName = (lbName: string) => `fe_${lbName.replace(/-/g, "_")}`;

const hostPort = (host: string, port: number) => `${host.includes(":") && !host.startsWith("[") ? `[${host}]` : host}:${port}`;

/** Which input field a rendered line comes from (null: generated from the inventory or fixed). */
export type HaproxyLineOrigin = { field: ExtraField; line: number } | null;
export type ExtraField = "globalExtra" | "defaultsExtra" | "frontendExtra" | "backendExtra" | "extraSections";

/**
 * The configuration text, and for each of its lines the input field (and
 * line within it) it came from, so a problem found in the text can be shown
 * on the field an admin typed it in.
 */
export function renderHaproxyLines(pool: HaproxyPool, input: HaproxyInput, runtime: HaproxyRuntime): { text: string; origins: HaproxyLineOrigin[] } {
  const lb = pool.loadBalancer;
  const t = input.timeouts;
  const hc = input.healthCheck;
  const members = [...pool.members].sort((a, b) => a.name.localeCompare(b.name));
  const lines: string[] = [];
  const origins: HaproxyLineOrigin[] = [];
  const fixed = (...ls: string[]) => {
    for (const l of ls) {
      lines.push(l);
      origins.push(null);
    }
  };
  const edited = (field: ExtraField, keepIndent: boolean) => {
    for (const [i, raw] of input[field].split("\n").entries()) {
      const l = keepIndent ? raw.trimEnd() : raw.trim();
      if (!keepIndent && l === "") continue;
      lines.push(keepIndent ? l : `    ${l}`);
      origins.push({ field, line: i + 1 });
    }
  };
  fixed(
    `# HAProxy configuration of load balancer "${lb.name}", generated by Clusterdeck.`,
    "# Edit it in the console: a change made here by hand shows there as drift.",
    "global",
    "    master-worker",
    `    pidfile ${runtime.pidFile}`,
    `    stats socket ${runtime.statsSocket} ${STATS_SOCKET_OPTIONS}`,
    "    stats timeout 30s",
  );
  edited("globalExtra", false);
  fixed(
    "",
    "defaults",
    "    mode http",
    // Every retry goes to another server, not the one the cookie names.
    "    option redispatch 1",
    // A reload soft-stops the old worker. Without this it closes idle
    // keep-alive connections at once, and a client that sends on one at that
    // moment gets a reset; with it the old worker answers that request with
    // "Connection: close" first, so reloads stay hitless (HAProxy 2.6+).
    "    option idle-close-on-response",
    "    retries 3",
    ...(input.retryOn.trim() ? [`    retry-on ${input.retryOn.trim()}`] : []),
    `    timeout connect ${t.connectMs}ms`,
    `    timeout client ${t.clientMs}ms`,
    `    timeout server ${t.serverMs}ms`,
    `    timeout http-request ${t.httpRequestMs}ms`,
    `    timeout check ${t.checkMs}ms`,
  );
  edited("defaultsExtra", false);
  fixed("", `frontend ${frontendName(lb.name)}`, `    bind ${input.bind ?? hostPort(lb.host, lb.port)}`);
  edited("frontendExtra", false);
  fixed(
    `    default_backend ${backendName(lb.name)}`,
    "",
    `backend ${backendName(lb.name)}`,
    `    balance ${input.balance}`,
    ...(input.stickyCookie ? [`    cookie ${input.stickyCookie} insert indirect nocache`] : []),
    `    option httpchk GET ${hc.path}`,
    `    default-server inter ${hc.interMs}ms fall ${hc.fall} rise ${hc.rise}${input.slowstartSeconds ? ` slowstart ${input.slowstartSeconds}s` : ""}`,
  );
  edited("backendExtra", false);
  fixed(
    ...members.map(
      (m) =>
        `    server ${m.name} ${hostPort(m.host, m.port)} check weight ${m.weight}${m.backup ? " backup" : ""}${input.stickyCookie ? ` cookie ${m.name}` : ""}`,
    ),
  );
  if (input.extraSections.trim()) {
    // Whole sections keep their own indentation; blank lines at either end are dropped.
    const all = input.extraSections.split("\n");
    const first = all.findIndex((l) => l.trim() !== "");
    const last = all.length - 1 - [...all].reverse().findIndex((l) => l.trim() !== "");
    fixed("");
    for (let i = first; i <= last; i++) {
      lines.push(i === first ? all[i]!.trim() : all[i]!.trimEnd());
      origins.push({ field: "extraSections", line: i + 1 });
    }
  }
  return { text: lines.join("\n") + "\n", origins };
}

export function renderHaproxy(pool: HaproxyPool, input: HaproxyInput, runtime: HaproxyRuntime): string {
  return renderHaproxyLines(pool, input, runtime).text;
}
