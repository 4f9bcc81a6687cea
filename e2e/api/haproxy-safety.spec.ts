// Protects: an admin (or a stolen admin token) cannot become root on a load
// balancer host through its configuration, nor read the console's secrets
// through a managed host. Against the demo's real HAProxy and agent:
// - a revision outside the agent's safe set (commands, Lua, host files,
//   sockets, the environment) is refused with its line and field, is stored
//   nowhere, and never reaches the load balancer (file, folder, process);
// - the runtime paths are the agent's own, never the console's input;
// - rolling back to a stored unsafe revision is checked again and refused;
// - the demo's agents and HAProxy run without the console's environment.
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { E2E } from "../env";
import { apiAs, consoleDatabase } from "../helpers";

test.describe.configure({ mode: "serial", timeout: 120_000 });

const demoDir = path.join(E2E.dataDir, "demo");
const haproxyDir = path.join(demoDir, "haproxy");
const haproxyCfg = path.join(haproxyDir, "haproxy.cfg");

type Scope = { key: string; kind: string; clusterName: string; latestRevision: number | null };
type Problem = { line: number | null; message: string; input?: { field: string; line: number } };

async function haproxyScope(): Promise<Scope> {
  const api = await apiAs("ADMIN");
  let scope: Scope | undefined;
  await expect
    .poll(
      async () => {
        const scopes = (await (await api.get("/api/v1/config/scopes")).json()) as Scope[];
        scope = scopes.find((s) => s.clusterName === "demo" && s.kind === "HAPROXY" && s.latestRevision !== null);
        return !!scope;
      },
      { timeout: 90_000 },
    )
    .toBe(true);
  await api.dispose();
  return scope!;
}

test("a revision outside the agent's safe set is refused on its line and never reaches the load balancer", async () => {
  const scope = await haproxyScope();
  const api = await apiAs("ADMIN");
  const secret = (await readFile(path.join(E2E.dataDir, "secret"), "utf8")).trim();
  const draft = (await (await api.get(`/api/v1/config/scopes/${scope.key}/draft`)).json()) as { input: Record<string, unknown> };
  const cfgBefore = await readFile(haproxyCfg, "utf8");
  const filesBefore = (await readdir(haproxyDir)).sort();
  const revisionsBefore = ((await (await api.get(`/api/v1/config/scopes/${scope.key}`)).json()) as { revisions: unknown[] }).revisions.length;

  const attacks: [string, string][] = [
    ["globalExtra", "lua-load /tmp/x.lua"],
    ["globalExtra", 'setenv PATH "/tmp"'],
    ["globalExtra", "user root"],
    ["globalExtra", '.alert "${NEXTAUTH_SECRET}"'],
    ["globalExtra", '.notice "${CLUSTERDECK_SECRET}"'],
    ["globalExtra", "stats socket /tmp/stolen.sock mode 666 level admin"],
    ["globalExtra", "\\x70idfile /etc/passwd"],
    ["defaultsExtra", "errorfile 503 /etc/shadow"],
    ["frontendExtra", "http-request return status 200 file /etc/shadow"],
    ["frontendExtra", "http-request set-header X-Leak %[env(NEXTAUTH_SECRET)]"],
    ["frontendExtra", 'http-request set-header X-Leak "${NEXTAUTH_SECRET}"'],
    ["frontendExtra", "acl bad src -f /etc/shadow"],
    ["frontendExtra", "bind /tmp/x.sock"],
    ["backendExtra", "option external-check"],
    ["backendExtra", "server s unix@/var/run/docker.sock"],
    ["backendExtra", "server metadata 169.254.169.254:80"],
    ["backendExtra", "server metadata [::ffff:a9fe:a9fe]:80"],
    ["backendExtra", "http-request set-header X %[src,map(/etc/shadow)]"],
    ["extraSections", "program evil\n    command /bin/sh -c id"],
    ["extraSections", "listen leak\n    bind 127.0.0.1:1\n    http-request return status 200 lf-file /etc/passwd"],
  ];
  for (const [field, text] of attacks) {
    const input = { ...draft.input, [field]: text };
    const v = await api.post(`/api/v1/config/scopes/${scope.key}/validate`, { data: { input } });
    expect(v.status(), text).toBe(200);
    const body = await v.text();
    expect(body).not.toContain(secret);
    const problems = (JSON.parse(body) as { problems: Problem[] }).problems;
    expect(problems.length, text).toBeGreaterThan(0);
    // On the field and line where it was typed.
    expect(problems[0]!.input?.field, text).toBe(field);
    expect(problems[0]!.line, text).toBeGreaterThan(0);

    const saved = await api.post(`/api/v1/config/scopes/${scope.key}/revisions`, { data: { input, message: "attack" } });
    expect(saved.status(), text).toBe(422);
    const refusal = await saved.text();
    expect(refusal).not.toContain(secret);
    expect(JSON.parse(refusal).errors[0].path).toBe(`body.input.${field}`);
  }
  const after = (await (await api.get(`/api/v1/config/scopes/${scope.key}`)).json()) as { revisions: unknown[] };
  expect(after.revisions.length).toBe(revisionsBefore);
  expect(await readFile(haproxyCfg, "utf8")).toBe(cfgBefore);
  expect((await readdir(haproxyDir)).sort()).toEqual(filesBefore);
  await api.dispose();
});

test("runtime paths are the agent's own: rendered from its config, refused as input", async () => {
  const scope = await haproxyScope();
  const api = await apiAs("ADMIN");
  const agentConfig = JSON.parse(await readFile(path.join(demoDir, "agents", "agent-haproxy-1.json"), "utf8")) as {
    haproxy: { socket: string; pidFile: string };
  };
  const draft = (await (await api.get(`/api/v1/config/scopes/${scope.key}/draft`)).json()) as { input: Record<string, unknown>; content: string };
  expect(draft.input).not.toHaveProperty("runtime");
  expect(draft.content).toContain(`pidfile ${agentConfig.haproxy.pidFile}\n`);
  expect(draft.content).toContain(`stats socket ${agentConfig.haproxy.socket} mode 600 level admin expose-fd listeners\n`);

  const r = await api.post(`/api/v1/config/scopes/${scope.key}/validate`, {
    data: { input: { ...draft.input, runtime: { statsSocket: "/tmp/x.sock", pidFile: "/etc/passwd" } } },
  });
  expect(r.status()).toBe(422);
  const problem = await r.json();
  expect(problem.errors[0].path).toBe("body.input.runtime");
  expect(problem.errors[0].message).toMatch(/come from the load balancer's agent/);
  await api.dispose();
});

test("rolling back to a stored revision outside the safe set is checked again and refused", async () => {
  const scope = await haproxyScope();
  const api = await apiAs("ADMIN");
  const db = await consoleDatabase();
  try {
    // A revision saved before the agent enforced its rules (planted: the API would refuse it today).
    const latest = (await db.query(`SELECT * FROM "ConfigRevision" WHERE scope = $1 ORDER BY number DESC LIMIT 1`, [scope.key])).rows[0];
    const unsafe = String(latest.content).replace("global\n", "global\n    lua-load /tmp/x.lua\n");
    const id = `e2eunsafe${Date.now().toString(36)}`;
    await db.query(
      `INSERT INTO "ConfigRevision" (id, scope, "targetKind", "clusterId", "loadBalancerId", number, input, content, checksum, message) VALUES ($1, $2, 'HAPROXY', $3, $4, $5, $6, $7, 'x', 'planted')`,
      [id, scope.key, latest.clusterId, latest.loadBalancerId, latest.number + 1, JSON.stringify(latest.input), unsafe],
    );
    const r = await api.post(`/api/v1/config/revisions/${id}/rollback`, { data: { message: "roll back" } });
    expect(r.status()).toBe(422);
    expect((await r.json()).detail).toMatch(/lua-load.*refused/);
    const count = (await db.query(`SELECT count(*)::int AS n FROM "ConfigRevision" WHERE scope = $1`, [scope.key])).rows[0].n;
    expect(count).toBe(latest.number + 1);
    await db.query(`DELETE FROM "ConfigRevision" WHERE id = $1`, [id]);
  } finally {
    await db.end();
    await api.dispose();
  }
});

test("the demo's agents, app servers and HAProxy run without the console's environment", async () => {
  await haproxyScope();
  const secret = (await readFile(path.join(E2E.dataDir, "secret"), "utf8")).trim();
  const state = JSON.parse(await readFile(path.join(demoDir, "state.json"), "utf8")) as { components: { name: string; kind: string; pid: number | null }[] };
  const started = state.components.filter((c) => ["agent", "app", "haproxy"].includes(c.kind) && c.pid);
  expect(started.length).toBeGreaterThanOrEqual(8);
  for (const c of started) {
    const environ = await readFile(`/proc/${c.pid}/environ`, "utf8");
    const names = environ.split("\0").map((kv) => kv.split("=")[0]);
    expect(names, c.name).not.toContain("NEXTAUTH_SECRET");
    expect(names, c.name).not.toContain("CLUSTERDECK_SECRET");
    expect(names, c.name).not.toContain("DATABASE_URL");
    expect(names, c.name).not.toContain("CLUSTERDECK_ADMIN_PASSWORD");
    expect(environ, c.name).not.toContain(secret);
  }
});
