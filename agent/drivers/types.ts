// The contract between the agent daemon and its role drivers.
import type { Registry } from "prom-client";
import type { AgentAction, AgentHealth, AppStatus, HaproxyStatus, PgbouncerStatus, PostgresStatus } from "@/lib/agent-protocol/types";
import type { ConfigManager } from "../managed/types";

export type DriverReport =
  | { health: AgentHealth; reasons: string[]; app: AppStatus }
  | { health: AgentHealth; reasons: string[]; haproxy: HaproxyStatus }
  | { health: AgentHealth; reasons: string[]; postgres: PostgresStatus }
  | { health: AgentHealth; reasons: string[]; pgbouncer: PgbouncerStatus };

/** Thrown by act() for an action this driver does not take (→ 422) or cannot do now (→ 409). */
export class ActionError extends Error {
  constructor(
    readonly status: 409 | 422 | 502,
    message: string,
  ) {
    super(message);
  }
}

export interface Driver {
  readonly role: "app" | "haproxy" | "postgres" | "pgbouncer";
  /** One observation. Must not throw for an unhealthy target: report DOWN with a reason instead. */
  collect(): Promise<DriverReport>;
  /** Carry out an already schema-validated action; return a JSON-able result. */
  act(action: AgentAction): Promise<unknown>;
  /** Registers the driver's Prometheus families, from the last collect(), in a scrape's registry (agent/prom.ts family). */
  metrics(registry: Registry): void;
  /**
   * Optional fast liveness watch between collects: calls onChange as soon as
   * the target seems to have failed or come back, so the agent can report
   * at once instead of at the next interval. Returns the unwatch.
   */
  watch?(onChange: () => void): () => void;
  /** The configuration this agent manages for the console, when configured to. */
  readonly config?: ConfigManager;
  close(): Promise<void>;
}
