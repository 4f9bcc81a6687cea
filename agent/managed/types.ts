// A configuration the agent manages for the console: it reports what runs
// (checksum), checks a candidate without changing anything, and applies one
// so that either the new configuration runs or the previous one is back.
import type { ConfigKind, ConfigProblem, HaproxyAgentPolicy } from "@/lib/agent-protocol/types";

export type { ConfigKind, ConfigProblem };

export type ConfigState = {
  /** sha256 of what runs now; null when there is nothing yet. */
  checksum: string | null;
  content: string | null;
  /** Why the state could not be read (file unreadable, database down). */
  problem?: string;
};

export interface ConfigManager {
  readonly kind: ConfigKind;
  /** What this agent accepts beyond the schema (HAProxy: runtime paths, allowed directives and files), told to the console. */
  readonly policy?: HaproxyAgentPolicy;
  current(): Promise<ConfigState>;
  /** [] when the candidate is valid. Never changes anything. */
  validate(content: string): Promise<ConfigProblem[]>;
  /**
   * Makes `content` the running configuration and returns its checksum as
   * read back. Throws ActionError: 422 invalid (nothing changed), 502 could
   * not activate (the previous configuration is running again).
   */
  apply(content: string): Promise<{ checksum: string }>;
}
