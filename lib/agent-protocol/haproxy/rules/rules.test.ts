// The safe set of HAProxy directives and arguments (lib/agent-protocol/haproxy/rules/)
// and the lexer under it. Attacks are tested as classes: each way HAProxy
// could run a command, read a host file, place a socket or read its
// environment, written plainly and written the ways HAProxy's own lexer
// decodes (escapes, quotes glued to a word). The lexer is checked against the
// real `haproxy` binary so the rules judge what HAProxy will actually read.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { Rng } from "@/lib/testing/fuzz";
import { lexHaproxyLine } from "@/lib/agent-protocol/haproxy/lexer";
import { checkHaproxyConfig, fileAllowed, type HaproxyPolicy } from "@/lib/agent-protocol/haproxy/rules";
import { haproxyInput, renderHaproxy, renderHaproxyLines } from "@/lib/config/haproxy";

const runtime = { statsSocket: "/run/haproxy/admin.sock", pidFile: "/run/haproxy/haproxy.pid" };
const policy: HaproxyPolicy = { runtime, directives: [], files: [] };
const pool = {
  loadBalancer: { name: "lb-1", host: "10.0.0.10", port: 80 },
  members: [
    { name: "app-1", host: "10.0.0.1", port: 8080, weight: 100, backup: false },
    { name: "app-2", host: "10.0.0.2", port: 8080, weight: 50, backup: true },
  ],
};

const head = `global\n    master-worker\n    pidfile ${runtime.pidFile}\n    stats socket ${runtime.statsSocket} mode 600 level admin expose-fd listeners\n`;
/** A line in a section, after a valid global section; returns the problems found on that line. */
function problemsOf(section: string, line: string, p: HaproxyPolicy = policy) {
  const text = `${head}${section}\n    ${line}\n`;
  const at = text.split("\n").length - 1;
  return checkHaproxyConfig(text, p).filter((x) => x.line === at);
}
const refused = (section: string, line: string, p?: HaproxyPolicy) => problemsOf(section, line, p).length > 0;

describe("what the console renders itself", () => {
  it("is accepted as it is, with every field at its default and with a realistic edit", () => {
    const plain = renderHaproxy(pool, haproxyInput.parse({}), runtime);
    expect(checkHaproxyConfig(plain, policy)).toEqual([]);
    const edited = renderHaproxy(
      pool,
      haproxyInput.parse({
        globalExtra: "maxconn 20000\ntune.bufsize 32768\nlog 127.0.0.1:514 local0\nssl-default-bind-options ssl-min-ver TLSv1.2",
        defaultsExtra: "option httplog\nlog global\ntimeout http-keep-alive 5s\nerrorloc 503 https://status.example.com/",
        frontendExtra: [
          "acl is_admin path_beg /admin",
          "http-request deny deny_status 403 if is_admin",
          "http-request set-header X-Forwarded-Proto https if { ssl_fc }",
          "http-request redirect scheme https code 301 unless { ssl_fc }",
          "http-request set-var(txn.host) req.hdr(host),lower",
          "stick-table type ip size 100k expire 30s store http_req_rate(10s)",
          "http-request track-sc0 src",
          "http-request deny deny_status 429 if { sc_http_req_rate(0) gt 100 }",
          "http-response set-header Strict-Transport-Security max-age=31536000",
          "capture request header Host len 64",
          "http-request return status 200 content-type text/plain string ok if { path /ping }",
          "http-request use-service prometheus-exporter if { path /metrics }",
          "filter compression",
          "compression algo gzip",
        ].join("\n"),
        backendExtra: "option forwardfor\nhttp-check expect status 200\nretry-on all-retryable-errors\nhash-type consistent",
        extraSections: [
          "userlist ops",
          "    user admin password $6$abcdefgh$0123456789abcdefghijklmnopqrstuvwxyz",
          "    group admins users admin",
          "",
          "listen stats",
          "    bind 127.0.0.1:8404",
          "    mode http",
          "    stats enable",
          "    stats uri /",
          "    stats auth ops:secret",
          "    stats refresh 5s",
          "",
          "resolvers dns",
          "    nameserver ns1 10.0.0.53:53",
          "    hold valid 10s",
          "",
          "cache small",
          "    total-max-size 64",
          "    max-age 60",
          "",
          "backend be_other",
          "    balance leastconn",
          "    server-template web 1-3 web.internal:8080 check resolvers dns init-addr none",
          "    server s1 [2001:db8::1]:8080 check",
          "    server s2 10.0.0.9",
          "    default-server inter 2s fall 3 rise 2 ssl verify required ca-file @system-ca",
        ].join("\n"),
      }),
      runtime,
    );
    expect(checkHaproxyConfig(edited, policy)).toEqual([]);
  });

  it("says which field and line of the input each rendered line comes from", () => {
    const input = haproxyInput.parse({ frontendExtra: "\n  acl a path /a\n\nacl b path /b", extraSections: "\n\nbackend x\n    server s 1.2.3.4:80\n" });
    const { text, origins } = renderHaproxyLines(pool, input, runtime);
    const lines = text.split("\n");
    const b = lines.findIndex((l) => l.includes("acl b"));
    expect(origins[b]).toEqual({ field: "frontendExtra", line: 4 });
    const s = lines.findIndex((l) => l.includes("server s 1.2.3.4:80"));
    expect(origins[s]).toEqual({ field: "extraSections", line: 4 });
    expect(origins[lines.findIndex((l) => l.startsWith("    pidfile"))]).toBeNull();
  });

  it("no longer takes runtime paths from the console", () => {
    const parsed = haproxyInput.safeParse({ runtime: { statsSocket: "/tmp/x.sock", pidFile: "/etc/passwd" } });
    expect(parsed.success).toBe(false);
    expect(JSON.stringify(parsed.error?.issues)).toMatch(/come from the load balancer's agent/);
  });
});

describe("running commands", () => {
  it.each([
    ["program section", "", "program evil\n    command /bin/sh -c id"],
    ["external checks", "global", "insecure-fork-wanted"],
    ["external-check command", "backend b", "external-check command /bin/sh"],
    ["option external-check", "backend b", "option external-check"],
    ["external-check path", "backend b", "external-check path /tmp"],
    ["Lua at check time", "global", "lua-load /tmp/x.lua"],
    ["Lua per thread", "global", "lua-load-per-thread /tmp/x.lua"],
    ["a Lua action", "frontend f", "http-request lua.run"],
    ["a Lua service", "frontend f", "http-request use-service lua.svc"],
    ["a Lua fetch in a header", "frontend f", "http-request set-header X %[lua.secret]"],
    ["a TCP Lua service", "frontend f", "tcp-request content use-service lua.svc"],
    ["an SPOE filter (agent config file)", "frontend f", "filter spoe engine x config /etc/haproxy/spoe.conf"],
    ["an SPOE group", "frontend f", "http-request send-spoe-group e g"],
    ["setuid", "global", "insecure-setuid-wanted"],
    ["an OpenSSL engine", "global", "ssl-engine rdrand"],
    ["a FastCGI application", "", "fcgi-app php\n    docroot /"],
  ])("refuses %s", (_what, section, line) => {
    const text = section ? `${head}${section}\n    ${line}\n` : `${head}${line}\n`;
    expect(checkHaproxyConfig(text, policy).length).toBeGreaterThan(0);
  });
});

describe("changing who HAProxy is, or its environment", () => {
  it.each([
    "user root",
    "group root",
    "uid 0",
    "gid 0",
    "chroot /",
    "daemon",
    "setenv A b",
    "presetenv A b",
    "resetenv",
    "unsetenv PATH",
    "set-dumpable",
    "expose-experimental-directives",
  ])("refuses global %s", (line) => expect(refused("global", line)).toBe(true));
  it.each([
    ['.alert "${NEXTAUTH_SECRET}"', "global"],
    ['.notice "$HOME"', "global"],
    [".if defined(HOME)", "global"],
    ['http-request set-header X "${CLUSTERDECK_SECRET}"', "frontend f"],
    ['http-request set-header X "a$HOME"', "frontend f"],
    ['http-request set-header X a"$HOME"b', "frontend f"],
    ['http-request set-header X "${HOME[*]}"', "frontend f"],
    ["http-request set-header X %[env(NEXTAUTH_SECRET)]", "frontend f"],
    ["http-request return status 200 lf-string %[env(HOME)]", "frontend f"],
    ["http-request set-var(txn.x) env(HOME)", "frontend f"],
    ["acl leak env(HOME) -m found", "frontend f"],
    ["log-format %[env(HOME)]", "frontend f"],
    ["server s 10.0.0.1:443 ssl sni env(HOME)", "backend b"],
    ["set-var proc.x env(HOME)", "global"],
  ])("refuses %s", (line, section) => expect(refused(section, line)).toBe(true));

  it("accepts a $ HAProxy does not expand: single quotes, escaped, unquoted", () => {
    expect(refused("frontend f", "http-request set-header X '$HOME'")).toBe(false);
    expect(refused("frontend f", 'http-request set-header X "\\$HOME"')).toBe(false);
    expect(refused("frontend f", "http-request set-header X price$5")).toBe(false);
  });
});

describe("the agent's runtime paths", () => {
  it("accepts exactly the agent's pidfile and admin socket, and nothing else", () => {
    expect(refused("global", `pidfile ${runtime.pidFile}`)).toBe(false);
    expect(refused("global", "pidfile /etc/passwd")).toBe(true);
    expect(refused("global", `pidfile ${runtime.pidFile} extra`)).toBe(true);
    expect(refused("global", "stats socket /tmp/other.sock mode 600 level admin expose-fd listeners")).toBe(true);
    expect(refused("global", `stats socket ${runtime.statsSocket} mode 666 level admin expose-fd listeners`)).toBe(true);
    expect(refused("global", "stats socket ipv4@127.0.0.1:9999 level admin")).toBe(true);
    expect(refused("frontend f", `stats socket ${runtime.statsSocket}`)).toBe(true);
  });

  it.each([
    "\\x70idfile /etc/passwd",
    'pid"file" /etc/passwd',
    "pid'file' /etc/passwd",
    "p\\id\\file /etc/passwd",
    "pidfile /run/haproxy/../../etc/passwd",
    'stats so"cket" /tmp/x.sock mode 600 level admin expose-fd listeners',
    "stats\\ socket /tmp/x.sock",
  ])("sees through obfuscation: %s", (line) => expect(refused("global", line)).toBe(true));

  it.each([
    ["bind /tmp/x.sock", "frontend f"],
    ["bind unix@/tmp/x.sock", "frontend f"],
    ["bind abns@x", "frontend f"],
    ["bind fd@3", "frontend f"],
    ["bind sockpair@4", "frontend f"],
    ["bind :80,/tmp/x.sock", "frontend f"],
    ["bind :80 namespace other", "frontend f"],
    ["bind :80 level admin", "frontend f"],
    ["bind :80 expose-fd listeners", "frontend f"],
    ["bind :80 user root", "frontend f"],
    ["server s /var/run/docker.sock", "backend b"],
    ["server s unix@/var/run/docker.sock", "backend b"],
    ["server s abns@x", "backend b"],
    ["server s 10.0.0.1:80 namespace x", "backend b"],
    ["server-template s 1-3 /run/x.sock", "backend b"],
    ["dispatch /run/x.sock", "backend b"],
    ["server s 10.0.0.1:80 check addr /run/x.sock", "backend b"],
    ["server s 10.0.0.1:80 agent-check agent-addr /run/x.sock agent-port 1", "backend b"],
    ["http-check connect addr /run/x.sock", "backend b"],
    ["tcp-check connect addr unix@/run/x.sock", "backend b"],
    ["log /run/systemd/journal/socket local0", "global"],
    ["log /dev/log local0", "frontend f"],
    ["log fd@3 local0", "frontend f"],
    ["log ring@r local0", "frontend f"],
    ["unix-bind prefix /tmp", "global"],
  ])("refuses a socket outside the network: %s", (line, section) => expect(refused(section, line)).toBe(true));

  it("accepts network binds and servers", () => {
    for (const line of [
      "bind :80",
      "bind *:8080",
      "bind 10.0.0.1:443",
      "bind [::]:80",
      "bind :::80 v4v6",
      "bind ipv4@0.0.0.0:80",
      "bind :80,:8080",
      "bind :8000-8010",
    ]) {
      expect(problemsOf("frontend f", line)).toEqual([]);
    }
    for (const line of [
      "server s 10.0.0.1:80 check",
      "server s app.internal",
      "server s ipv6@[::1]:80",
      "server s 10.0.0.1:+1",
      "server s 10.0.0.1 socks4 10.0.0.2:1080",
    ]) {
      expect(problemsOf("backend b", line)).toEqual([]);
    }
  });
});

describe("forwarding to link-local and cloud metadata addresses", () => {
  it.each([
    ["server s 169.254.169.254:80", "backend b"],
    ["server s 169.254.169.254", "backend b"],
    ["server s [fe80::1]:80", "backend b"],
    ["server s [::ffff:169.254.169.254]:80", "backend b"],
    ["server s ipv6@[::ffff:a9fe:a9fe]:80", "backend b"],
    ["server s 2852039166:80", "backend b"],
    ["server s 0xa9fea9fe:80", "backend b"],
    ["server s 100.100.100.200:80", "backend b"],
    ["server s [fd00:ec2::254]:80", "backend b"],
    ["server-template s 1-2 169.254.169.254:80", "backend b"],
    ["dispatch 169.254.169.254:80", "backend b"],
    ["server s 10.0.0.1:80 check addr 169.254.169.254", "backend b"],
    ["http-check connect addr 169.254.169.254 port 80", "backend b"],
    ["server s 10.0.0.1:80 socks4 169.254.169.254:1080", "backend b"],
  ])("refuses %s", (line, section) => expect(refused(section, line)).toBe(true));

  it("refuses a link-local nameserver, and allows all of it where the agent's config says so", () => {
    expect(checkHaproxyConfig(`${head}resolvers r\n    nameserver n 169.254.169.253:53\n`, policy)).toHaveLength(1);
    const p = { ...policy, linkLocal: true };
    expect(problemsOf("backend b", "server s 169.254.169.254:80", p)).toEqual([]);
    expect(problemsOf("backend b", "server s 10.0.0.169:80", policy)).toEqual([]);
  });
});

describe("reading host files", () => {
  it.each([
    ["http-request return status 200 file /etc/shadow", "frontend f"],
    ["http-request return status 200 lf-file /etc/shadow", "frontend f"],
    ["http-request return status 200 errorfile /etc/shadow", "frontend f"],
    ["http-response return status 200 file /etc/shadow", "backend b"],
    ["http-error status 503 file /etc/shadow", "frontend f"],
    ["errorfile 503 /etc/shadow", "frontend f"],
    ["errorfile 503 /etc/clusterdeck/agent.json", "defaults"],
    ["acl bad src -f /etc/shadow", "frontend f"],
    ["acl bad src -i -f /etc/shadow", "frontend f"],
    ["http-request deny if { src -f /etc/shadow }", "frontend f"],
    ["http-request set-header X %[src,map_ip(/etc/shadow)]", "frontend f"],
    ["http-request set-header X %[req.hdr(host),map(/etc/shadow,default)]", "frontend f"],
    ['http-request set-header X %[req.hdr(host),map_str(\\"/etc/shadow\\")]', "frontend f"],
    ["use_backend %[req.hdr(host),lower,map_dom(/etc/shadow,be)]", "frontend f"],
    ["http-request set-map(/etc/shadow) %[src] %[src]", "frontend f"],
    ["http-request add-acl(/etc/shadow) %[src]", "frontend f"],
    ['http-request deny unless { req.hdr(x),jwt_verify(RS256,"/etc/shadow") 1 }', "frontend f"],
    ["http-request set-var(txn.ok) req.hdr(x),jwt_verify(txn.alg,/root/key.pem)", "frontend f"],
    ["bind :443 ssl crt /etc/shadow", "frontend f"],
    ["bind :443 ssl crt-list /etc/shadow", "frontend f"],
    ["bind :443 ssl crt /etc/haproxy/ca-file.pem ca-file /etc/shadow", "frontend f"],
    ["server s 10.0.0.1:443 ssl crt /root/.ssh/id_rsa", "backend b"],
    ["server s 10.0.0.1:443 ssl ca-file /etc/shadow", "backend b"],
    ["default-server ssl crl-file /etc/shadow", "backend b"],
    ["server-state-file-name /etc/shadow", "backend b"],
    ["load-server-state-from-file global", "backend b"],
    ["server-state-file /etc/shadow", "global"],
    ["server-state-base /etc", "global"],
    ["ca-base /etc", "global"],
    ["crt-base /etc", "global"],
    ["ssl-dh-param-file /etc/shadow", "global"],
    ["h1-case-adjust-file /etc/shadow", "global"],
    ["51degrees-data-file /etc/shadow", "global"],
    ["wurfl-data-file /etc/shadow", "global"],
    ["lua-prepend-path /tmp/?.lua", "global"],
  ])("refuses %s", (line, section) => expect(refused(section, line)).toBe(true));

  it("lets jwt_verify take an HMAC secret or a variable, and a certificate only from the agent's list", () => {
    expect(refused("frontend f", "http-request deny unless { req.hdr(x),jwt_verify(HS256,mysecret) 1 }")).toBe(false);
    expect(refused("frontend f", "http-request deny unless { req.hdr(x),jwt_verify(txn.alg,txn.key) 1 }")).toBe(false);
    const p = { ...policy, files: ["/etc/haproxy/jwt.pem"] };
    expect(problemsOf("frontend f", "http-request deny unless { req.hdr(x),jwt_verify(RS256,/etc/haproxy/jwt.pem) 1 }", p)).toEqual([]);
  });

  it("refuses http-errors sections reading files, and allows them from the agent's list", () => {
    const text = `${head}http-errors site\n    errorfile 503 /etc/shadow\n`;
    expect(checkHaproxyConfig(text, policy)).toHaveLength(1);
    const allowed = { ...policy, files: ["/etc/haproxy/errors/"] };
    expect(checkHaproxyConfig(`${head}http-errors site\n    errorfile 503 /etc/haproxy/errors/503.http\n`, allowed)).toEqual([]);
  });

  it("takes files from the agent's allow-list: exact paths and folders, never a way out of them", () => {
    const p = { ...policy, files: ["/etc/haproxy/certs/", "/etc/haproxy/errors/503.http", "/dev/log"] };
    expect(problemsOf("frontend f", "bind :443 ssl crt /etc/haproxy/certs/site.pem alpn h2,http/1.1", p)).toEqual([]);
    expect(problemsOf("frontend f", "bind :443 ssl crt /etc/haproxy/certs/", p)).toHaveLength(1);
    expect(problemsOf("frontend f", "errorfile 503 /etc/haproxy/errors/503.http", p)).toEqual([]);
    expect(problemsOf("frontend f", "log /dev/log local0", p)).toEqual([]);
    for (const sneaky of [
      "/etc/haproxy/certs/../../shadow",
      "/etc/haproxy/certs//x",
      "/etc/haproxy/certs/./x",
      "/etc/haproxy/certsX/x",
      "/etc/haproxy/errors/503.http.bak",
      "etc/haproxy/certs/x",
      "/etc/haproxy/certs/x\\x00.pem",
    ]) {
      expect(refused("frontend f", `bind :443 ssl crt ${sneaky}`, p), sneaky).toBe(true);
    }
    expect(fileAllowed("/etc/haproxy/certs/a/b.pem", p)).toBe(true);
  });
});

describe("the safe set itself", () => {
  it("takes Lua tuning for what it is (no code), and Lua code only where the agent allows Lua", () => {
    expect(refused("global", "tune.lua.maxmem 10")).toBe(false);
    expect(refused("frontend f", "http-request set-header X %[src,lua.conv]")).toBe(true);
  });

  it("refuses a directive it does not know, in any case or spelling, naming how to allow it", () => {
    const [problem] = problemsOf("frontend f", "Bind :80");
    expect(problem?.message).toMatch(/outside the agent's safe set.*haproxy\.allow\.directives/);
    expect(refused("frontend f", "no-such-keyword x")).toBe(true);
    expect(refused("frontend f", "option no-such-option")).toBe(true);
    expect(refused("frontend f", "http-request no-such-action")).toBe(true);
    expect(refused("frontend f", "filter no-such-filter")).toBe(true);
    expect(refused("frontend f", "http-request use-service other")).toBe(true);
  });

  it("refuses an empty quoted word, where HAProxy stops reading a line's arguments", () => {
    expect(refused("global", `stats socket ${runtime.statsSocket} mode 600 level admin expose-fd listeners '' mode 666`)).toBe(true);
    expect(refused("frontend f", 'http-request set-header X ""')).toBe(true);
  });

  it("refuses lines outside any section, stray control characters and unmatched quotes", () => {
    expect(checkHaproxyConfig("maxconn 10\n", policy)).toHaveLength(1);
    expect(checkHaproxyConfig(`${head}frontend f\n    bind :80\r\n`, policy)).toHaveLength(1);
    expect(checkHaproxyConfig(`${head}frontend f\n    http-request set-header X "open\n`, policy)).toHaveLength(1);
  });

  it("reports each bad line with its number, once per refused section", () => {
    const text = `${head}program p\n    command /bin/sh\n    user root\nfrontend f\n    bind :80\n    lua-load /x\n`;
    expect(checkHaproxyConfig(text, policy).map((p) => p.line)).toEqual([5, 10]);
  });

  it("lets the host's owner allow more, with paths in those directives still limited to allowed files", () => {
    const p = { ...policy, directives: ["lua-load", "peers"], files: ["/etc/haproxy/lua/"] };
    expect(problemsOf("global", "lua-load /etc/haproxy/lua/auth.lua", p)).toEqual([]);
    expect(refused("global", "lua-load /tmp/evil.lua", p)).toBe(true);
    expect(problemsOf("frontend f", "http-request lua.auth", p)).toEqual([]);
    expect(checkHaproxyConfig(`${head}peers mine\n    peer lb1 10.0.0.1:1024\n`, p)).toEqual([]);
    // The environment stays closed whatever is allowed.
    expect(refused("global", 'lua-load "/etc/haproxy/lua/${X}.lua"', p)).toBe(true);
    expect(refused("frontend f", "http-request set-header X %[env(HOME)]", p)).toBe(true);
  });
});

// The rules judge the words the lexer produces, so the lexer must cut and
// decode exactly as HAProxy does. `.notice` prints its one argument as HAProxy
// decoded it; any other word count is an error naming the extra argument.
describe("the lexer against the real haproxy binary", () => {
  it("decodes hundreds of tricky words exactly as HAProxy does", () => {
    const rng = new Rng(20261204);
    const random = () => rng.next();
    const pieces = ["a", "Z", "0", " ", "\t", '"', "'", "\\", "#", "$", "x41", "x7", "n", "t", "r", "q", "-", "/", "(", ")", "%[", "]", ",", "é"];
    const words = Array.from({ length: 1000 }, () => {
      const n = 1 + Math.floor(random() * 8);
      return Array.from({ length: n }, () => pieces[Math.floor(random() * pieces.length)]).join("");
    });
    // HAProxy stops after 50 fatal errors in one file: check in files of 40 lines.
    const dir = mkdtempSync(path.join(os.tmpdir(), "lexer-"));
    let compared = 0;
    try {
      for (let from = 0; from < words.length; from += 40) {
        const chunk = words.slice(from, from + 40);
        const file = path.join(dir, `c${from}.cfg`);
        writeFileSync(file, ["global", ...chunk.map((w) => `    .notice ${w}`)].join("\n") + "\n");
        let output = "";
        try {
          output = execFileSync("haproxy", ["-c", "-f", file], {
            env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin" } as Record<string, string> as NodeJS.ProcessEnv,
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
          });
        } catch (error) {
          output = `${(error as { stdout?: string }).stdout ?? ""}${(error as { stderr?: string }).stderr ?? ""}`;
        }
        const notices = new Map<number, string>();
        for (const m of output.matchAll(/\[NOTICE\][^\n]*parsing \[[^\]]*:(\d+)\]: '(.*)'\.$/gm)) notices.set(Number(m[1]), m[2]!);
        for (const [i, w] of chunk.entries()) {
          const args = lexHaproxyLine(`    .notice ${w}`);
          // How HAProxy reads an empty word depends on each directive (it tests *args[n] == 0): the rules refuse those lines.
          if (args.words.some((x) => x.value === "")) continue;
          const printed = notices.get(i + 2);
          const one = !args.error && args.words.length === 2 ? args.words[1]! : null;
          // Where the lexer sees one plain word, HAProxy printed exactly that word; where it sees an error or
          // several words, HAProxy printed nothing (it refused the line too).
          if (one && (one.expandsEnv || /[\x00-\x1f]/.test(one.value))) continue; // expanded, or printed over several lines
          if (one) {
            compared++;
            expect(printed, `word ${JSON.stringify(w)}`).toBe(one.value);
          } else if (!args.error && args.words.length === 1) {
            expect(printed, `word ${JSON.stringify(w)} (lexer: a comment)`).toBe("");
          } else if (!one) {
            expect(printed, `word ${JSON.stringify(w)} (lexer: ${args.error ?? `${args.words.length - 1} words`})`).toBeUndefined();
          }
        }
      }
      expect(compared).toBeGreaterThan(100);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
