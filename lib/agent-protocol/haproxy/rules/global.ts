// The global section: its allow-list, the refusals an admin is likely to try
// (with reasons), and the runtime lines that must be exactly the agent's own
// (pidfile, admin socket).

import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { checkLogTarget } from "@/lib/agent-protocol/haproxy/rules/addresses";
import { checkFile } from "@/lib/agent-protocol/haproxy/rules/files";
import { STATS_SOCKET_OPTIONS } from "@/lib/agent-protocol/haproxy/rules/policy";
import { refuse, type Check } from "@/lib/agent-protocol/haproxy/rules/report";

const GLOBAL = new Set([
  "master-worker",
  "pidfile", // only the agent's own (checked below)
  "stats socket", // only the agent's own (checked below)
  "stats timeout",
  "stats maxconn",
  "maxconn",
  "maxconnrate",
  "maxcomprate",
  "maxcompcpuusage",
  "maxpipes",
  "maxsessrate",
  "maxsslconn",
  "maxsslrate",
  "maxzlibmem",
  "nbthread",
  "thread-groups",
  "cpu-map",
  "numa-cpu-mapping",
  "ulimit-n",
  "fd-hard-limit",
  "spread-checks",
  "max-spread-checks",
  "hard-stop-after",
  "grace",
  "close-spread-time",
  "mworker-max-reloads",
  "log",
  "log-tag",
  "log-send-hostname",
  "description",
  "node",
  "busy-polling",
  "noepoll",
  "nokqueue",
  "noevports",
  "nopoll",
  "nosplice",
  "nogetaddrinfo",
  "noreuseport",
  "ssl-default-bind-ciphers",
  "ssl-default-bind-ciphersuites",
  "ssl-default-bind-options",
  "ssl-default-bind-curves",
  "ssl-default-bind-sigalgs",
  "ssl-default-bind-client-sigalgs",
  "ssl-default-server-ciphers",
  "ssl-default-server-ciphersuites",
  "ssl-default-server-options",
  "ssl-default-server-curves",
  "ssl-default-server-sigalgs",
  "ssl-default-server-client-sigalgs",
  "ssl-server-verify",
  "ssl-skip-self-issued-ca",
  "ssl-dh-param-file", // a file (checked below)
  "h1-case-adjust",
  "h2-workaround-bogus-websocket-clients",
  "strict-limits",
  "profiling.tasks",
  "profiling.memory",
  "anonkey",
  "cluster-secret",
  "set-var",
  "set-var-fmt",
  "httpclient.retries",
  "httpclient.timeout.connect",
  "zero-warning",
]);

/** Reasons for the refusals an admin is most likely to try, so the message teaches. */
const GLOBAL_REFUSED: Record<string, string> = {
  user: "HAProxy's user is the host's choice, not the console's",
  group: "HAProxy's group is the host's choice, not the console's",
  uid: "HAProxy's user is the host's choice, not the console's",
  gid: "HAProxy's group is the host's choice, not the console's",
  chroot: "HAProxy's chroot is the host's choice, not the console's",
  daemon: "the agent runs HAProxy in master-worker mode as its host set it up",
  setenv: "it changes HAProxy's environment",
  presetenv: "it changes HAProxy's environment",
  resetenv: "it changes HAProxy's environment",
  unsetenv: "it changes HAProxy's environment",
  "lua-load": "Lua runs as root, even while the configuration is only being checked",
  "lua-load-per-thread": "Lua runs as root, even while the configuration is only being checked",
  "lua-prepend-path": "it points Lua at host paths",
  "external-check": "external checks run commands as root",
  "insecure-fork-wanted": "it lets HAProxy start processes",
  "insecure-setuid-wanted": "it lets HAProxy run setuid programs",
  "ca-base": "it moves where certificate files are read from",
  "crt-base": "it moves where certificate files are read from",
  "server-state-base": "it reads server state from host paths",
  "server-state-file": "it reads server state from a host path",
  "unix-bind": "unix sockets are the agent's to place",
  "ssl-engine": "it loads an OpenSSL engine (code) into HAProxy",
  "set-dumpable": "it lets HAProxy's memory, secrets included, be dumped to disk",
  "expose-experimental-directives": "experimental directives are outside the safe set",
  "h1-case-adjust-file": "it reads a host file",
  localpeer: "peers are outside the safe set",
};

export function checkGlobalDirective(c: Check, key: string, words: HaproxyWord[]): boolean {
  if (GLOBAL_REFUSED[key]) {
    refuse(c, `"${key}" is refused: ${GLOBAL_REFUSED[key]}`);
    return true;
  }
  if (key.startsWith("tune.")) return true;
  if (/^(51degrees|wurfl|deviceatlas)-/.test(key)) {
    refuse(c, `"${key}" is refused: device-detection modules read host files`);
    return true;
  }
  if (!GLOBAL.has(key)) return false;
  const { runtime } = c.policy;
  switch (key) {
    case "pidfile":
      if (words[1]?.value !== runtime.pidFile || words.length !== 2) refuse(c, `the pidfile is the agent's own: "pidfile ${runtime.pidFile}"`);
      break;
    case "stats socket": {
      const rest = words
        .slice(3)
        .map((w) => w.value)
        .join(" ");
      if (words[2]?.value !== runtime.statsSocket || rest !== STATS_SOCKET_OPTIONS) {
        refuse(c, `the admin socket is the agent's own: "stats socket ${runtime.statsSocket} ${STATS_SOCKET_OPTIONS}"`);
      }
      break;
    }
    case "log":
      checkLogTarget(c, words);
      break;
    case "ssl-dh-param-file":
      checkFile(c, words[1]?.value, "ssl-dh-param-file");
      break;
  }
  return true;
}
