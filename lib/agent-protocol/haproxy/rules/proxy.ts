// Proxy sections (defaults, frontend, backend, listen): the options and
// directives allowed, those refused with a reason, and what each allowed one's
// arguments are checked for (addresses, files, rule actions, filters). One
// allow-list read top to bottom against HAProxy's manual, so it stays whole.

import type { HaproxyWord } from "@/lib/agent-protocol/haproxy/lexer";
import { FILTERS, HTTP_ACTIONS, SERVICES, TCP_ACTIONS } from "@/lib/agent-protocol/haproxy/rules/actions";
import { checkListenAddresses, checkLogTarget, checkServerAddress, checkSocketOptions } from "@/lib/agent-protocol/haproxy/rules/addresses";
import { checkBodyFiles, checkFile } from "@/lib/agent-protocol/haproxy/rules/files";
import { clip, refuse, type Check } from "@/lib/agent-protocol/haproxy/rules/report";

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

function actionName(word: string | undefined): string {
  return (word ?? "").replace(/\(.*$/s, "");
}

export function checkProxyDirective(c: Check, key: string, words: HaproxyWord[], argsFrom: number): boolean {
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
