// What an HAProxy configuration pushed by the console may contain. HAProxy
// runs as root and its configuration is code: a `program` section, Lua,
// external checks, `setenv`, a pidfile or admin socket at any path, a file
// read through `errorfile`, `acl -f`, `map()` or `http-request return file`
// would each make a console admin root on the load balancer host, or leak
// the host's files and environment. So a revision may only hold directives
// from a safe set, and their arguments are checked too:
//
// - directives: an allow-list per section; everything else is refused with
//   its line. The host's owner may allow more in the agent's own config
//   (`haproxy.allow.directives`); the console cannot.
// - files: any argument HAProxy reads as a file (certificates, error pages,
//   ACL and map files, log sockets) must be one the agent's config lists
//   (`haproxy.allow.files`; a path ending in "/" allows the files under it).
// - runtime: the pidfile and the admin socket are the agent's own paths,
//   exactly; no other unix socket, inherited descriptor or network namespace.
// - environment: `$VAR` inside double quotes (HAProxy expands it), the
//   `env()` fetch and `.if`/`.alert`-style directives are refused everywhere.
// - destinations: a server, check or resolver address that is link-local or a
//   cloud metadata service (169.254.169.254 and kin, however spelled) would
//   hand the host's cloud credentials to the load balancer's clients; refused
//   unless the agent's config allows it (`haproxy.allow.linkLocal`). A name
//   resolving there is the network's to stop: HAProxy resolves at run time.
//
// One module, used by the console (so the editor shows a problem on its line
// before anything leaves the console) and by the agent (which checks again
// before a candidate reaches its disk or `haproxy -c`). Written against
// HAProxy 2.6's configuration manual; see lexHaproxy for how lines are cut.
import { literalDestinationProblem } from "@/lib/agent-protocol/forbidden-address";
import { lexHaproxy, type HaproxyLine, type HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";

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

export type RuleProblem = { line: number; message: string };

/** The rendered `stats socket` options: level admin for the agent, descriptors for hitless reloads. */
export const STATS_SOCKET_OPTIONS = "mode 600 level admin expose-fd listeners";

// ---------------------------------------------------------------------------
// Sections
// ---------------------------------------------------------------------------

/** Every section keyword HAProxy 2.6 knows: a line starting with one opens that section. */
const SECTION_KEYWORDS = new Set([
  "global",
  "defaults",
  "frontend",
  "backend",
  "listen",
  "userlist",
  "peers",
  "mailers",
  "resolvers",
  "program",
  "http-errors",
  "ring",
  "cache",
  "log-forward",
  "fcgi-app",
]);

const REFUSED_SECTIONS: Record<string, string> = {
  program: "a program section runs a command as root",
  "fcgi-app": "a FastCGI application section points HAProxy at host paths and unix sockets",
  peers: "a peers section opens connections and listeners outside the managed frontends",
  mailers: "a mailers section sends mail from the load balancer",
  ring: "a ring section sends HAProxy's logs elsewhere",
  "log-forward": "a log-forward section opens a syslog listener",
};

type SectionKind = "global" | "proxy" | "userlist" | "resolvers" | "http-errors" | "cache" | "extra";

function sectionKind(keyword: string): SectionKind | null {
  switch (keyword) {
    case "global":
      return "global";
    case "defaults":
    case "frontend":
    case "backend":
    case "listen":
      return "proxy";
    case "userlist":
    case "resolvers":
    case "http-errors":
    case "cache":
      return keyword;
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------
// Directives, by section
// ---------------------------------------------------------------------------

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

const OPTIONS = new Set([
  "abortonclose",
  "accept-invalid-http-request",
  "accept-invalid-http-response",
  "allbackups",
  "checkcache",
  "clitcpka",
  "contstats",
  "disable-h2-upgrade",
  "dontlog-normal",
  "dontlognull",
  "forwardfor",
  "h1-case-adjust-bogus-client",
  "h1-case-adjust-bogus-server",
  "http-buffer-request",
  "http-ignore-probes",
  "http-keep-alive",
  "http-no-delay",
  "http-pretend-keepalive",
  "http-restrict-req-hdr-names",
  "http-server-close",
  "http-use-proxy-header",
  "httpchk",
  "httpclose",
  "httplog",
  "httpslog",
  "independent-streams",
  "ldap-check",
  "log-health-checks",
  "log-separate-errors",
  "logasap",
  "mysql-check",
  "nolinger",
  "originalto",
  "persist",
  "pgsql-check",
  "prefer-last-server",
  "redispatch",
  "redis-check",
  "smtpchk",
  "socket-stats",
  "splice-auto",
  "splice-request",
  "splice-response",
  "spop-check",
  "srvtcpka",
  "ssl-hello-chk",
  "tcp-check",
  "tcp-smart-accept",
  "tcp-smart-connect",
  "tcpka",
  "tcplog",
  "transparent",
  "idle-close-on-response",
]);

const PROXY = new Set([
  "acl",
  "backlog",
  "balance",
  "bind",
  "bind-process",
  "capture cookie",
  "capture request",
  "capture response",
  "clitcpka-cnt",
  "clitcpka-idle",
  "clitcpka-intvl",
  "compression",
  "cookie",
  "declare capture",
  "default-server",
  "default_backend",
  "description",
  "disabled",
  "dispatch",
  "enabled",
  "errorfile",
  "errorfiles",
  "errorloc",
  "errorloc302",
  "errorloc303",
  "error-log-format",
  "force-persist",
  "filter",
  "fullconn",
  "hash-type",
  "http-after-response",
  "http-check comment",
  "http-check connect",
  "http-check disable-on-404",
  "http-check expect",
  "http-check send",
  "http-check send-state",
  "http-check set-var",
  "http-check unset-var",
  "http-error",
  "http-request",
  "http-response",
  "http-reuse",
  "http-send-name-header",
  "id",
  "ignore-persist",
  "log",
  "log-format",
  "log-format-sd",
  "log-tag",
  "max-keep-alive-queue",
  "maxconn",
  "mode",
  "monitor fail",
  "monitor-uri",
  "persist rdp-cookie",
  "rate-limit sessions",
  "redirect",
  "retries",
  "retry-on",
  "server",
  "server-template",
  "source",
  "srvtcpka-cnt",
  "srvtcpka-idle",
  "srvtcpka-intvl",
  "stats admin",
  "stats auth",
  "stats enable",
  "stats hide-version",
  "stats http-request",
  "stats realm",
  "stats refresh",
  "stats scope",
  "stats show-desc",
  "stats show-legends",
  "stats show-node",
  "stats uri",
  "stick match",
  "stick on",
  "stick store-request",
  "stick store-response",
  "stick-table",
  "tcp-check comment",
  "tcp-check connect",
  "tcp-check expect",
  "tcp-check send",
  "tcp-check send-lf",
  "tcp-check send-binary",
  "tcp-check send-binary-lf",
  "tcp-check set-var",
  "tcp-check unset-var",
  "tcp-request connection",
  "tcp-request content",
  "tcp-request inspect-delay",
  "tcp-request session",
  "tcp-response content",
  "tcp-response inspect-delay",
  "timeout check",
  "timeout client",
  "timeout client-fin",
  "timeout connect",
  "timeout http-keep-alive",
  "timeout http-request",
  "timeout queue",
  "timeout server",
  "timeout server-fin",
  "timeout tarpit",
  "timeout tunnel",
  "transparent",
  "unique-id-format",
  "unique-id-header",
  "use_backend",
  "use-server",
]);

const PROXY_REFUSED: Record<string, string> = {
  "option external-check": "external checks run commands as root",
  "external-check command": "external checks run commands as root",
  "external-check path": "external checks run commands as root",
  "load-server-state-from-file": "it reads server state from a host path",
  "server-state-file-name": "it reads server state from a host path",
  "use-fcgi-app": "FastCGI applications are outside the safe set",
  "email-alert from": "mailers are outside the safe set",
  "email-alert level": "mailers are outside the safe set",
  "email-alert mailers": "mailers are outside the safe set",
  "email-alert myhostname": "mailers are outside the safe set",
  "email-alert to": "mailers are outside the safe set",
  "stats socket": "the admin socket is the agent's (in global), not a proxy's",
};

/** Actions of http-request / http-response / http-after-response rules (HAProxy rejects a misplaced one). */
const HTTP_ACTIONS = new Set([
  "add-acl",
  "add-header",
  "allow",
  "auth",
  "cache-store",
  "cache-use",
  "capture",
  "del-acl",
  "del-header",
  "del-map",
  "deny",
  "disable-l7-retry",
  "do-resolve",
  "early-hint",
  "normalize-uri",
  "redirect",
  "reject",
  "replace-header",
  "replace-path",
  "replace-pathq",
  "replace-uri",
  "replace-value",
  "return",
  "sc-inc-gpc",
  "sc-inc-gpc0",
  "sc-inc-gpc1",
  "sc-set-gpt",
  "sc-set-gpt0",
  "set-dst",
  "set-dst-port",
  "set-header",
  "set-log-level",
  "set-map",
  "set-mark",
  "set-method",
  "set-nice",
  "set-path",
  "set-pathq",
  "set-priority-class",
  "set-priority-offset",
  "set-query",
  "set-src",
  "set-src-port",
  "set-status",
  "set-timeout",
  "set-tos",
  "set-uri",
  "set-var",
  "set-var-fmt",
  "silent-drop",
  "strict-mode",
  "tarpit",
  "track-sc0",
  "track-sc1",
  "track-sc2",
  "unset-var",
  "use-service",
  "wait-for-body",
  "wait-for-handshake",
]);

const TCP_ACTIONS = new Set([
  "accept",
  "reject",
  "close",
  "capture",
  "do-resolve",
  "expect-netscaler-cip",
  "expect-proxy",
  "sc-inc-gpc",
  "sc-inc-gpc0",
  "sc-inc-gpc1",
  "sc-set-gpt",
  "sc-set-gpt0",
  "set-dst",
  "set-dst-port",
  "set-log-level",
  "set-mark",
  "set-nice",
  "set-priority-class",
  "set-priority-offset",
  "set-src",
  "set-src-port",
  "set-tos",
  "set-var",
  "set-var-fmt",
  "silent-drop",
  "switch-mode",
  "track-sc0",
  "track-sc1",
  "track-sc2",
  "unset-var",
  "use-service",
]);

/** Services a rule may hand a request to: built into HAProxy, no code of the console's. */
const SERVICES = new Set(["prometheus-exporter"]);

const FILTERS = new Set(["compression", "cache", "trace", "bwlim-in", "bwlim-out"]);

const OTHER_SECTIONS: Record<"userlist" | "resolvers" | "http-errors" | "cache", Set<string>> = {
  userlist: new Set(["user", "group"]),
  resolvers: new Set(["nameserver", "parse-resolv-conf", "accepted_payload_size", "hold", "resolve_retries", "timeout"]),
  "http-errors": new Set(["errorfile"]),
  cache: new Set(["total-max-size", "max-object-size", "max-age", "process-vary", "max-secondary-entries"]),
};

/** Keywords that take a second word to name the directive. */
const TWO_WORD = new Set([
  "option",
  "timeout",
  "stats",
  "http-check",
  "tcp-check",
  "capture",
  "monitor",
  "external-check",
  "email-alert",
  "persist",
  "rate-limit",
  "stick",
  "declare",
  "tcp-request",
  "tcp-response",
]);

/** Bind and server options whose value HAProxy reads as a file. */
const FILE_OPTIONS = new Set(["crt", "crt-list", "ca-file", "crl-file", "ca-verify-file", "ca-sign-file", "ssl-dh-param-file", "issuers-chain-path"]);
/** Bind and server options that are never the console's to set. */
const REFUSED_OPTIONS: Record<string, string> = {
  namespace: "network namespaces are the host's",
  level: "runtime API levels belong to the agent's admin socket",
  "expose-fd": "descriptor passing belongs to the agent's admin socket",
  "severity-output": "it belongs to the agent's admin socket",
  user: "socket ownership is the host's choice",
  group: "socket ownership is the host's choice",
  uid: "socket ownership is the host's choice",
  gid: "socket ownership is the host's choice",
};

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

/** Address forms that are not a network address: unix sockets, abstract sockets, inherited descriptors. */
const LOCAL_ADDRESS = /^(unix|abns|abnsz|fd|sockpair|uxst|uxdg)@/i;
const NETWORK_PREFIX = /^(ipv4|ipv6|tcp|tcp4|tcp6|udp|udp4|udp6|quic4|quic6)@/i;
/** host:port (or :port, *:port, [v6]:port, bare v6 with a last :port, port ranges) — a listening address. */
const LISTEN_ADDRESS = /^[A-Za-z0-9.*:[\]_-]*:\d{1,5}(-\d{1,5})?$/;
/** host, host:port, host:+N / host:-N (port offsets) — a server address. */
const SERVER_ADDRESS = /^[A-Za-z0-9.:[\]_+-]+$/;

/** A control character HAProxy would carry into a word (a NUL truncates what follows, in C). */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f]/;

function describeFileRule(policy: HaproxyPolicy): string {
  return policy.files.length
    ? `the agent allows only ${policy.files.slice(0, 5).join(", ")}${policy.files.length > 5 ? ", …" : ""}`
    : "the agent's config allows no files (haproxy.allow.files)";
}

/** True when `file` is one the policy lists: the exact path, or under a listed folder ("…/"). */
export function fileAllowed(file: string, policy: HaproxyPolicy): boolean {
  if (!isCleanAbsolutePath(file)) return false;
  return policy.files.some((entry) => (entry.endsWith("/") ? file.startsWith(entry) && file.length > entry.length : file === entry));
}

/** Absolute, no "." or ".." segments, no "//": the path is what it says. */
export function isCleanAbsolutePath(p: string): boolean {
  if (!p.startsWith("/") || p.includes("//") || CONTROL.test(p)) return false;
  return !p.split("/").some((segment) => segment === "." || segment === "..");
}

/**
 * The file names inside sample expressions and actions: `map*(file,…)`,
 * `set-map(file)`, `del-map(file)`, `add-acl(file)`, `del-acl(file)`. The
 * argument may be quoted again at the expression level; those quotes and
 * backslashes are dropped, which can only make the name stricter.
 */
function fileArguments(word: string): string[] {
  const out: string[] = [];
  const re = /(?<![A-Za-z0-9_.-])(map(?:_[a-z0-9_]+)?|set-map|del-map|add-acl|del-acl)\(([^),]*)/gi;
  for (const m of word.matchAll(re)) out.push(m[2]!.replace(/["'\\]/g, ""));
  // jwt_verify(alg, key): the key is an HMAC secret, a variable, or a certificate file HAProxy reads at start.
  for (const m of word.matchAll(/(?<![A-Za-z0-9_.-])jwt_verify\([^,)]*,([^)]*)/gi)) {
    const key = m[1]!.replace(/["'\\]/g, "").trim();
    if (key.includes("/") && !/^(proc|sess|txn|req|res)\./.test(key)) out.push(key);
  }
  return out;
}

type Check = { problems: RuleProblem[]; line: HaproxyLine; policy: HaproxyPolicy; luaAllowed: boolean };

function refuse(c: Check, message: string): void {
  c.problems.push({ line: c.line.number, message });
}

function checkFile(c: Check, file: string | undefined, what: string): void {
  if (file === undefined) return; // HAProxy reports the missing argument itself
  if (!fileAllowed(file, c.policy)) refuse(c, `${what} reads the file "${clip(file)}" as root; ${describeFileRule(c.policy)}`);
}

const clip = (s: string) => (s.length > 80 ? `${s.slice(0, 80)}…` : s).replace(CONTROL, "?");

/** Checks that apply to every word of every line, whatever the directive. */
function checkWords(c: Check, words: HaproxyWord[], luaAllowed: boolean): void {
  for (const [i, w] of words.entries()) {
    if (w.expandsEnv) refuse(c, `"${clip(w.value)}": a $ inside double quotes is expanded from HAProxy's environment; write \\$ or use single quotes`);
    if (w.value.includes("\u0000")) refuse(c, "a NUL character (\\x00) cuts a word short where HAProxy reads it");
    if (/(?<![A-Za-z0-9_.-])env\(/i.test(w.value)) refuse(c, `"${clip(w.value)}": the env() fetch reads HAProxy's environment`);
    if (!luaAllowed && /(?<![A-Za-z0-9_.-])lua\./i.test(w.value)) refuse(c, `"${clip(w.value)}": Lua runs as root and is outside the safe set`);
    if (LOCAL_ADDRESS.test(w.value))
      refuse(c, `"${clip(w.value)}": unix sockets, abstract sockets and inherited descriptors are not network addresses; only the agent places sockets`);
    for (const file of fileArguments(w.value)) checkFile(c, file, `"${clip(w.value)}"`);
    // ACL flags: `-f <file>` loads patterns from a file.
    if (w.value === "-f" && !w.quoted) checkFile(c, words[i + 1]?.value, "acl -f");
  }
}

function checkListenAddresses(c: Check, value: string | undefined, what: string): void {
  if (value === undefined) return;
  for (const address of value.split(",")) {
    const bare = address.replace(NETWORK_PREFIX, "");
    if (!LISTEN_ADDRESS.test(bare)) refuse(c, `${what} "${clip(address)}" must be a network address such as ":80", "10.0.0.1:443" or "[::]:8080"`);
  }
}

function checkServerAddress(c: Check, value: string | undefined, what: string): void {
  if (value === undefined) return;
  const bare = value.replace(NETWORK_PREFIX, "");
  if (!SERVER_ADDRESS.test(bare)) {
    refuse(c, `${what} "${clip(value)}" must be a network address (host or host:port)`);
    return;
  }
  if (c.policy.linkLocal) return;
  // The host part: "[v6]:port", "v4:port", a bare v6 (its last group may be a port), or a name.
  const host = bare.startsWith("[") ? bare.slice(0, bare.indexOf("]") + 1) : bare;
  const candidates = host.startsWith("[") ? [host] : [host, host.replace(/:[+-]?\d*$/, "")];
  const forbidden = candidates.map((h) => (h ? literalDestinationProblem(h) : null)).find((f) => f);
  if (forbidden) refuse(c, `${what} "${clip(value)}" is ${forbidden.what} (${forbidden.range}); the agent's config must allow it (haproxy.allow.linkLocal)`);
}

/** Options after a bind/server address: files checked, host-only ones refused. */
function checkSocketOptions(c: Check, words: HaproxyWord[], from: number): void {
  for (let i = from; i < words.length; i++) {
    const option = words[i]!.value;
    if (FILE_OPTIONS.has(option)) {
      const file = words[i + 1]?.value;
      if (file !== "@system-ca") checkFile(c, file, `"${option}"`);
      i++;
    } else if (REFUSED_OPTIONS[option]) {
      refuse(c, `"${option}" is refused: ${REFUSED_OPTIONS[option]}`);
    } else if (option === "socks4" || option === "addr" || option === "agent-addr") {
      checkServerAddress(c, words[i + 1]?.value, `"${option}"`);
      i++;
    }
  }
}

function checkLogTarget(c: Check, words: HaproxyWord[]): void {
  const target = words[1]?.value;
  if (target === undefined || target === "global") return;
  if (target === "stdout" || target === "stderr") return;
  if (target.startsWith("/")) return checkFile(c, target, "log to a unix socket");
  checkServerAddress(c, target, "log target");
}

/** `return`/`http-error` bodies: `file`, `lf-file` and `errorfile` name files. */
function checkBodyFiles(c: Check, words: HaproxyWord[], from: number): void {
  for (let i = from; i < words.length; i++) {
    const w = words[i]!.value;
    if (w === "file" || w === "lf-file" || w === "errorfile") {
      checkFile(c, words[i + 1]?.value, `"${w}"`);
      i++;
    }
  }
}

/** The directive a line holds, as the allow-lists key it: "timeout client", "http-request", "option httplog". */
export function directiveKey(words: HaproxyWord[]): { key: string; argsFrom: number } {
  let at = 0;
  // `no option x` / `default option x` / `no log`: the same directive, inverted or reset.
  if ((words[0]?.value === "no" || words[0]?.value === "default") && words.length > 1) at = 1;
  const first = words[at]?.value ?? "";
  if (TWO_WORD.has(first) && words[at + 1]) return { key: `${first} ${words[at + 1]!.value}`, argsFrom: at + 2 };
  return { key: first, argsFrom: at + 1 };
}

function actionName(word: string | undefined): string {
  return (word ?? "").replace(/\(.*$/s, "");
}

function checkProxyDirective(c: Check, key: string, words: HaproxyWord[], argsFrom: number): boolean {
  if (PROXY_REFUSED[key]) {
    refuse(c, `"${key}" is refused: ${PROXY_REFUSED[key]}`);
    return true;
  }
  if (key.startsWith("option ")) {
    if (!OPTIONS.has(key.slice(7))) return false;
    return true;
  }
  if (!PROXY.has(key)) return false;
  const v = (i: number) => words[i]?.value;
  switch (key) {
    case "bind":
      checkListenAddresses(c, v(1), "bind address");
      checkSocketOptions(c, words, 2);
      break;
    case "server":
      checkServerAddress(c, v(2), "server address");
      checkSocketOptions(c, words, 3);
      break;
    case "server-template":
      checkServerAddress(c, v(3), "server-template address");
      checkSocketOptions(c, words, 4);
      break;
    case "default-server":
      checkSocketOptions(c, words, 1);
      break;
    case "dispatch":
      checkServerAddress(c, v(1), "dispatch address");
      break;
    case "log":
      checkLogTarget(c, words);
      break;
    case "errorfile":
      checkFile(c, v(2), "errorfile");
      break;
    case "http-error":
      checkBodyFiles(c, words, 1);
      break;
    case "filter":
      if (!FILTERS.has(v(1) ?? "")) refuse(c, `filter "${clip(v(1) ?? "")}" is outside the safe set (allowed: ${[...FILTERS].join(", ")})`);
      break;
    case "http-request":
    case "http-response":
    case "http-after-response":
    case "stats http-request": {
      const index = key === "stats http-request" ? 2 : 1;
      const action = actionName(v(index));
      if (c.luaAllowed && (action.startsWith("lua.") || (action === "use-service" && v(index + 1)?.startsWith("lua.")))) break;
      if (!HTTP_ACTIONS.has(action)) refuse(c, `"${key} ${clip(action)}" is outside the safe set`);
      else if (action === "use-service" && !SERVICES.has(v(index + 1) ?? ""))
        refuse(c, `use-service "${clip(v(index + 1) ?? "")}": only ${[...SERVICES].join(", ")} is allowed`);
      else if (action === "return") checkBodyFiles(c, words, index + 1);
      break;
    }
    case "tcp-request connection":
    case "tcp-request content":
    case "tcp-request session":
    case "tcp-response content": {
      const action = actionName(v(argsFrom));
      if (c.luaAllowed && (action.startsWith("lua.") || (action === "use-service" && v(argsFrom + 1)?.startsWith("lua.")))) break;
      if (!TCP_ACTIONS.has(action)) refuse(c, `"${key} ${clip(action)}" is outside the safe set`);
      else if (action === "use-service" && !SERVICES.has(v(argsFrom + 1) ?? ""))
        refuse(c, `use-service "${clip(v(argsFrom + 1) ?? "")}": only ${[...SERVICES].join(", ")} is allowed`);
      break;
    }
    case "http-check connect":
    case "tcp-check connect":
      for (let i = argsFrom; i < words.length; i++) {
        if (v(i) === "addr") checkServerAddress(c, v(i + 1), "check address");
      }
      checkSocketOptions(c, words, argsFrom);
      break;
  }
  return true;
}

function checkGlobalDirective(c: Check, key: string, words: HaproxyWord[]): boolean {
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

function checkOtherDirective(c: Check, section: "userlist" | "resolvers" | "http-errors" | "cache", key: string, words: HaproxyWord[]): boolean {
  if (!OTHER_SECTIONS[section].has(key)) return false;
  if (section === "http-errors" && key === "errorfile") checkFile(c, words[2]?.value, "errorfile");
  if (section === "resolvers" && key === "nameserver") checkServerAddress(c, words[2]?.value, "nameserver address");
  return true;
}

/** Directives the host's owner allowed: every argument that looks like a path must be an allowed file. */
function checkExtraDirective(c: Check, words: HaproxyWord[], from: number): void {
  for (const w of words.slice(from)) {
    if (/^(\/|~|\.\.?\/)/.test(w.value)) checkFile(c, w.value, `"${clip(w.value)}"`);
  }
}

/**
 * Every line of `content` that HAProxy would run outside the safe set, with
 * its line number and why. [] means the agent may hand it to `haproxy -c`.
 */
export function checkHaproxyConfig(content: string, policy: HaproxyPolicy): RuleProblem[] {
  const problems: RuleProblem[] = [];
  const extras = new Set(policy.directives);
  const luaAllowed = extras.has("lua-load") || extras.has("lua-load-per-thread");
  let section: { kind: SectionKind; name: string } | null = null;
  let refusedSection = false;

  for (const line of lexHaproxy(content)) {
    const c: Check = { problems, line, policy, luaAllowed };
    if (/[\x00-\x08\x0b-\x1f\x7f]/.test(line.text)) {
      refuse(c, "control characters (other than tab) are not allowed in a configuration line");
      continue;
    }
    if (line.error) {
      refuse(c, line.error);
      continue;
    }
    const words = line.words;
    if (words.length === 0) continue;
    // HAProxy ends a directive's arguments at the first empty word ('' or ""): what follows would be
    // read by these rules but not by HAProxy, so such a line is refused rather than guessed at.
    if (words.some((w) => w.value === "")) {
      refuse(c, "an empty quoted word ('' or \"\") ends HAProxy's argument list early; remove it");
      continue;
    }
    const first = words[0]!;

    if (first.value.startsWith(".")) {
      refuse(c, `"${clip(first.value)}": conditional blocks and .diag/.notice/.warning/.alert lines can read the environment and are outside the safe set`);
      continue;
    }
    if (SECTION_KEYWORDS.has(first.value)) {
      checkWords(c, words, luaAllowed);
      const kind = sectionKind(first.value);
      if (kind) {
        section = { kind, name: first.value };
        refusedSection = false;
      } else if (extras.has(first.value)) {
        section = { kind: "extra", name: first.value };
        refusedSection = false;
        checkExtraDirective(c, words, 1);
      } else {
        refuse(c, `section "${first.value}" is refused: ${REFUSED_SECTIONS[first.value] ?? "it is outside the safe set"}`);
        refusedSection = true;
      }
      continue;
    }
    // The body of a refused section: its header already says why.
    if (refusedSection) continue;
    checkWords(c, words, luaAllowed);
    if (!section) {
      refuse(c, `"${clip(first.value)}" is outside any section`);
      continue;
    }
    const { key, argsFrom } = directiveKey(words);
    if (words.slice(0, argsFrom).some((w) => /[\t\r\n ]/.test(w.value))) {
      refuse(c, "a directive's name may not hold spaces, tabs or line breaks");
      continue;
    }
    if (extras.has(key) || section.kind === "extra") {
      checkExtraDirective(c, words, argsFrom);
      continue;
    }
    let known: boolean;
    switch (section.kind) {
      case "global":
        known = checkGlobalDirective(c, key, words);
        break;
      case "proxy":
        known = checkProxyDirective(c, key, words, argsFrom);
        break;
      default:
        known = checkOtherDirective(c, section.kind, key, words);
    }
    if (!known) {
      refuse(
        c,
        `"${clip(key)}" is outside the agent's safe set for a ${section.name} section; the host's owner can allow it in the agent's config (haproxy.allow.directives)`,
      );
    }
  }
  return problems;
}
