// What one agent accepts, as the console and the agent both pass it to the
// rules: its own runtime paths, and what its host's owner allows beyond the
// safe set.

export type HaproxyRuntime = {
  /** The admin-level stats socket the agent talks to. */
  statsSocket: string;
  /** The master's pidfile the agent signals to reload. */
  pidFile: string;
};

/** What one agent accepts: its runtime paths and what its host's owner allows beyond the safe set. */
export type HaproxyPolicy = {
  runtime: HaproxyRuntime;
  /** Extra directives (as keyed by directiveKey: "lua-load", "option external-check", a section name such as "peers"). */
  directives: readonly string[];
  /** Files directives may reference: absolute paths; one ending in "/" allows every file under that folder. */
  files: readonly string[];
  /** True when HAProxy may forward to link-local and cloud metadata addresses (the host's owner says so). */
  linkLocal?: boolean;
};

/** The rendered `stats socket` options: level admin for the agent, descriptors for hitless reloads. */
export const STATS_SOCKET_OPTIONS = "mode 600 level admin expose-fd listeners";
