// Protects: secrets stay secret. A console of its own (`clusterdeck start`,
// web and worker, with their stdout and stderr captured, which the shared
// webServer's are not) is given real secrets: the admin's password, a wrong
// one tried at sign-in, users' passwords (set and reset), API tokens, an
// agent's enrolment key (issued, then rotated), a database password inside
// an app-settings revision that is pushed to a real agent, the session
// secret, the embedded PostgreSQL's password. Then every GET route of the
// contract is read as ADMIN and as VIEWER with real ids, the event stream
// included, and:
// - no answer holds any of them, nor a stored passwordHash, tokenHash or
//   secretCiphertext (the database password only where the design shows it:
//   configuration routes, to admins; each secret once in the answer that
//   creates it);
// - no line the console, its worker or the agent logged holds any of them.
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { allRoutes } from "@/lib/api/openapi";
import type { RouteSpec } from "@/lib/api/spec";
import { waitFor } from "@/agent/testing/client";
import { freePort } from "@/lab/ports";

const dataDir = path.resolve(".e2e-data-secrets");
const hex = (n = 16) => randomBytes(n).toString("hex");

type Proc = { child: ChildProcess; output: () => string; exited: Promise<void> };

function run(label: string, args: string[], env: NodeJS.ProcessEnv): Proc {
  const child = spawn(process.execPath, args, { cwd: path.resolve("."), env, stdio: ["ignore", "pipe", "pipe"], detached: false });
  let out = "";
  child.stdout!.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, output: () => out, exited };
}

async function stop(p: Proc | undefined, timeoutMs = 20_000) {
  if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return;
  p.child.kill("SIGTERM");
  const killer = setTimeout(() => p.child.kill("SIGKILL"), timeoutMs);
  await p.exited;
  clearTimeout(killer);
}

const until = <T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs: number) => waitFor(what, fn, timeoutMs, 250);

/** Configuration routes show an admin the text as deployed, the database password included (viewers see it masked). */
const ADMIN_SEES_CONFIG_SECRETS = new Set([
  "GET /api/v1/config/scopes/{scope}",
  "GET /api/v1/config/scopes/{scope}/draft",
  "GET /api/v1/config/revisions/{id}",
  "GET /api/v1/config/revisions/{id}/diff",
  "GET /api/v1/config/targets/{type}/{id}/running",
]);

test.describe.configure({ mode: "serial" });

test("secrets are never returned by the API nor written to the logs of the console, its worker or an agent", async () => {
  test.setTimeout(300_000);
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const [webPort, pgPort, agentPort, appPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  const base = `http://127.0.0.1:${webPort}`;

  const secrets: Record<string, string> = {
    adminPassword: `admin-pw-${hex()}`,
    wrongPassword: `wrong-pw-${hex()}`,
    viewerPassword: `viewer-pw-${hex()}`,
    viewerResetPassword: `viewer-reset-${hex()}`,
    operatorPassword: `operator-pw-${hex()}`,
    databasePassword: `db-pw-${hex()}`,
  };
  const adminEmail = "admin@secrets.test";
  const answers: Array<{ label: string; body: string; allowed: string[] }> = [];
  const env = { ...process.env };
  delete env.DATABASE_URL;
  Object.assign(env, {
    CLUSTERDECK_DATA_DIR: dataDir,
    CLUSTERDECK_PG_PORT: String(pgPort),
    CLUSTERDECK_ADMIN_EMAIL: adminEmail,
    CLUSTERDECK_ADMIN_PASSWORD: secrets.adminPassword,
    NEXTAUTH_URL: base,
    NEXT_TELEMETRY_DISABLED: "1",
  });

  let consoleProc: Proc | undefined;
  let agentProc: Proc | undefined;
  let appProc: Proc | undefined;
  const streams: AbortController[] = [];
  try {
    consoleProc = run("console", ["bin/clusterdeck.mjs", "start", "--no-build", "--port", String(webPort)], env);
    await until("the console to answer", async () => (await fetch(`${base}/api/v1/health`)).ok, 150_000).catch((error: Error) => {
      throw new Error(`${error.message}\n${consoleProc!.output().slice(-3000)}`);
    });
    secrets.sessionSecret = fs.readFileSync(path.join(dataDir, "secret"), "utf8").trim();
    const pgConfig = JSON.parse(fs.readFileSync(path.join(dataDir, "postgres.json"), "utf8")) as { user: string; password: string; database: string };
    secrets.postgresPassword = pgConfig.password;

    /** Every answer is kept; `allowed` names the secrets it may hold (one it just created). */
    const call = async (label: string, p: string, init: RequestInit & { token?: string; cookie?: string; allowed?: string[] } = {}) => {
      const headers = new Headers(init.headers);
      if (init.token) headers.set("authorization", `Bearer ${init.token}`);
      if (init.cookie) headers.set("cookie", init.cookie);
      if (init.body && !headers.has("content-type")) headers.set("content-type", "application/json");
      const res = await fetch(base + p, { ...init, headers, redirect: "manual" });
      const body = await res.text();
      answers.push({ label: `${label}: ${init.method ?? "GET"} ${p} → ${res.status}`, body, allowed: init.allowed ?? [] });
      return { res, body, json: () => JSON.parse(body) as Record<string, unknown> };
    };

    /** next-auth's credentials sign-in, as the login form does it. */
    const signIn = async (email: string, password: string) => {
      const csrf = await fetch(`${base}/api/auth/csrf`);
      const { csrfToken } = (await csrf.json()) as { csrfToken: string };
      const csrfCookie = csrf.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
      const res = await fetch(`${base}/api/auth/callback/credentials`, {
        method: "POST",
        redirect: "manual",
        headers: { "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
        body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/dashboard`, json: "true" }),
      });
      answers.push({ label: `sign-in ${email}: ${res.status}`, body: await res.text(), allowed: [] });
      const session = res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0]!)
        .find((c) => c.startsWith("next-auth.session-token=") && c.length > "next-auth.session-token=".length);
      return session ? `${csrfCookie}; ${session}` : null;
    };

    await test.step("sign-ins, a failed one included; tokens and users", async () => {
      expect(await signIn(adminEmail, secrets.wrongPassword!), "a wrong password must not sign in").toBeNull();
      const adminCookie = await signIn(adminEmail, secrets.adminPassword!);
      expect(adminCookie).toBeTruthy();
      secrets.adminSession = adminCookie!.split("next-auth.session-token=")[1]!;
      const made = await call("token (cookie)", "/api/v1/tokens", {
        method: "POST",
        cookie: adminCookie!,
        headers: { origin: base },
        body: JSON.stringify({ name: "secrets admin", role: "ADMIN", expiresInDays: 1 }),
        allowed: ["adminToken"],
      });
      expect(made.res.status, made.body).toBe(201);
      secrets.adminToken = made.json().token as string;
      const viewerToken = await call("token", "/api/v1/tokens", {
        method: "POST",
        token: secrets.adminToken,
        body: JSON.stringify({ name: "secrets viewer", role: "VIEWER", expiresInDays: 1 }),
        allowed: ["viewerToken"],
      });
      expect(viewerToken.res.status, viewerToken.body).toBe(201);
      secrets.viewerToken = viewerToken.json().token as string;

      const viewer = await call("user", "/api/v1/users", {
        method: "POST",
        token: secrets.adminToken,
        body: JSON.stringify({ email: "viewer@secrets.test", name: "Viewer", role: "VIEWER", password: secrets.viewerPassword }),
      });
      expect(viewer.res.status, viewer.body).toBe(201);
      const operator = await call("user", "/api/v1/users", {
        method: "POST",
        token: secrets.adminToken,
        body: JSON.stringify({ email: "operator@secrets.test", name: "Operator", role: "OPERATOR", password: secrets.operatorPassword }),
      });
      expect(operator.res.status, operator.body).toBe(201);
      const reset = await call("reset", `/api/v1/users/${viewer.json().id as string}/password`, {
        method: "POST",
        token: secrets.adminToken,
        body: JSON.stringify({ password: secrets.viewerResetPassword }),
      });
      expect(reset.res.status, reset.body).toBeLessThan(300);
      expect(await signIn("viewer@secrets.test", secrets.viewerPassword!), "the old password no longer works").toBeNull();
      const viewerCookie = await signIn("viewer@secrets.test", secrets.viewerResetPassword!);
      expect(viewerCookie).toBeTruthy();
      secrets.viewerSession = viewerCookie!.split("next-auth.session-token=")[1]!;
    });

    const ids: Record<string, string> = {};
    await test.step("inventory, an enrolled agent beside an app, a database password pushed to it", async () => {
      const admin = secrets.adminToken!;
      const cluster = await call("cluster", "/api/v1/clusters", { method: "POST", token: admin, body: JSON.stringify({ name: "secrets" }) });
      ids.cluster = cluster.json().id as string;
      const node = await call("node", "/api/v1/nodes", {
        method: "POST",
        token: admin,
        body: JSON.stringify({ clusterId: ids.cluster, name: "app-1", host: "127.0.0.1", port: appPort, agentUrl: `http://127.0.0.1:${agentPort}` }),
      });
      expect(node.res.status, node.body).toBe(201);
      ids.node = node.json().id as string;
      const database = await call("database", "/api/v1/databases", {
        method: "POST",
        token: admin,
        body: JSON.stringify({ clusterId: ids.cluster, name: "pg-1", host: "127.0.0.1", port: 5432, role: "PRIMARY" }),
      });
      ids.database = database.json().id as string;
      const lb = await call("lb", "/api/v1/load-balancers", {
        method: "POST",
        token: admin,
        body: JSON.stringify({ clusterId: ids.cluster, name: "edge-1", kind: "NGINX", host: "127.0.0.1", port: 80 }),
      });
      ids.lb = lb.json().id as string;
      const pooler = await call("pooler", "/api/v1/poolers", {
        method: "POST",
        token: admin,
        body: JSON.stringify({ clusterId: ids.cluster, name: "pgbouncer-1", host: "127.0.0.1", port: 6432, agentUrl: "http://127.0.0.1:9" }),
      });
      expect(pooler.res.status, pooler.body).toBe(201);
      ids.pooler = pooler.json().id as string;
      // A pooler's agent key is a secret like a node's: shown once, here, and nowhere after.
      const poolerEnrolled = await call("enrol pooler", `/api/v1/poolers/${ids.pooler}/agent-credential`, {
        method: "POST",
        token: admin,
        allowed: ["poolerAgentSecret"],
      });
      expect(poolerEnrolled.res.status, poolerEnrolled.body).toBe(201);
      secrets.poolerAgentSecret = (poolerEnrolled.json() as { secret: string }).secret;
      await call("member", `/api/v1/load-balancers/${ids.lb}/members`, { method: "POST", token: admin, body: JSON.stringify({ nodeId: ids.node }) });

      const enrolled = await call("enrol", `/api/v1/nodes/${ids.node}/agent-credential`, { method: "POST", token: admin, allowed: ["agentSecret"] });
      expect(enrolled.res.status, enrolled.body).toBe(201);
      const { secret, config } = enrolled.json() as { secret: string; config: Record<string, unknown> & { app: Record<string, unknown> } };
      secrets.agentSecret = secret;

      // The app the agent manages, reading the settings file the console will push.
      const settingsFile = path.join(dataDir, "app-settings.json");
      fs.writeFileSync(settingsFile, JSON.stringify({ database: { url: "postgresql://app@127.0.0.1:1/app" } }), { mode: 0o600 });
      appProc = run("app", ["--import", "tsx", "demo/app-server.ts", "--port", String(appPort), "--name", "app-1", "--settings", settingsFile], process.env);
      const agentConfig = path.join(dataDir, "agent.json");
      fs.writeFileSync(
        agentConfig,
        JSON.stringify({ ...config, listen: { host: "127.0.0.1", port: agentPort }, app: { ...config.app, settingsFile, timeoutMs: 800 } }),
        { mode: 0o600 },
      );
      agentProc = run("agent", ["bin/clusterdeck-agent.mjs", "--config", agentConfig], process.env);
      await until(
        "the worker to see the node UP",
        async () => (await call("node", `/api/v1/nodes/${ids.node}`, { token: admin })).json().health === "UP",
        60_000,
      );

      // Watch the event stream, as both roles, while the configuration goes out.
      for (const token of [admin, secrets.viewerToken!]) {
        const abort = new AbortController();
        streams.push(abort);
        void fetch(`${base}/api/v1/stream`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal })
          .then(async (res) => {
            const entry = { label: `stream as ${token === admin ? "ADMIN" : "VIEWER"}`, body: "", allowed: [] as string[] };
            answers.push(entry);
            const decoder = new TextDecoder();
            for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) entry.body += decoder.decode(chunk);
          })
          .catch(() => {});
      }

      const scope = `app.${ids.cluster}`;
      const revision = await call("revision", `/api/v1/config/scopes/${scope}/revisions`, {
        method: "POST",
        token: admin,
        body: JSON.stringify({
          input: { database: { url: `postgresql://app:${secrets.databasePassword}@127.0.0.1:5432/app` }, sessionIdleSeconds: 60 },
          message: "point the app at the database",
        }),
        allowed: ["databasePassword"],
      });
      expect(revision.res.status, revision.body).toBe(201);
      ids.revision = revision.json().id as string;
      const deploy = await call("deploy", `/api/v1/config/revisions/${ids.revision}/deploy`, {
        method: "POST",
        token: admin,
        body: JSON.stringify({ reason: "secrets test" }),
      });
      expect(deploy.res.status, deploy.body).toBe(202);
      ids.operation = deploy.json().id as string;
      await until(
        "the deployment to succeed",
        async () => {
          const op = (await call("operation", `/api/v1/operations/${ids.operation}`, { token: admin })).json();
          if (op.state === "FAILED" || op.state === "CANCELLED") throw new Error(`deployment ${op.state}: ${String(op.error)}`);
          return op.state === "SUCCEEDED";
        },
        60_000,
      );
      // The push really happened: the password is in the file the agent wrote.
      expect(fs.readFileSync(settingsFile, "utf8")).toContain(secrets.databasePassword);
    });

    await test.step("every GET route, as ADMIN and as VIEWER, with real ids", async () => {
      const events = (await call("events", "/api/v1/events?pageSize=5", { token: secrets.adminToken })).json() as { items: { id: string }[] };
      // The record each path's {id} names, by the path's first segments.
      const idFor: Array<[string, string]> = [
        ["/api/v1/clusters/", ids.cluster!],
        ["/api/v1/nodes/", ids.node!],
        ["/api/v1/databases/", ids.database!],
        ["/api/v1/load-balancers/", ids.lb!],
        ["/api/v1/poolers/", ids.pooler!],
        ["/api/v1/operations/", ids.operation!],
        ["/api/v1/config/revisions/", ids.revision!],
        ["/api/v1/config/targets/", ids.node!],
        ["/api/v1/events/", events.items[0]?.id ?? "1"],
      ];
      const concrete = (r: RouteSpec) =>
        r.path
          .replace("{scope}", `app.${ids.cluster}`)
          .replace("{type}", "nodes")
          .replace("{id}", idFor.find(([prefix]) => r.path.startsWith(prefix))?.[1] ?? "{id}");
      const queries: Record<string, string> = { "/api/v1/metrics": "?subjectType=NODE", "/api/v1/config/revisions/{id}/diff": "" };
      const gets = allRoutes().filter((r) => r.method === "GET" && r.path !== "/api/v1/stream");
      for (const role of ["ADMIN", "VIEWER"] as const) {
        for (const r of gets) {
          const p = concrete(r) + (queries[r.path] ?? "");
          expect(p, `no real id for ${r.path}`).not.toMatch(/\{/);
          const answer = await call(role, p, {
            token: role === "ADMIN" ? secrets.adminToken : secrets.viewerToken,
            allowed: role === "ADMIN" && ADMIN_SEES_CONFIG_SECRETS.has(`GET ${r.path}`) ? ["databasePassword"] : [],
          });
          expect(answer.res.status, `${role} GET ${p}: ${answer.body.slice(0, 300)}`).toBeLessThan(500);
        }
      }
      // Viewers read configurations, masked.
      const masked = await call("VIEWER", `/api/v1/config/revisions/${ids.revision}`, { token: secrets.viewerToken });
      expect(masked.res.status).toBe(200);
      expect(masked.json().masked).toBe(true);
    });

    await test.step("the agent's key rotated", async () => {
      const rotated = await call("rotate", `/api/v1/nodes/${ids.node}/agent-credential`, {
        method: "POST",
        token: secrets.adminToken,
        allowed: ["rotatedAgentSecret"],
      });
      expect(rotated.res.status, rotated.body).toBe(201);
      secrets.rotatedAgentSecret = rotated.json().secret as string;
      // The worker now signs with the new key, which the agent does not have yet: refusals on both sides get logged.
      await new Promise((r) => setTimeout(r, 4000));
    });

    for (const s of streams) s.abort();

    // What is stored for them: never shown either.
    const client = new pg.Client({ host: "127.0.0.1", port: pgPort, user: pgConfig.user, password: pgConfig.password, database: pgConfig.database });
    await client.connect();
    const stored: Record<string, string> = {};
    try {
      for (const { v, i } of (await client.query<{ v: string; i: number }>(`SELECT "passwordHash" AS v, row_number() over () AS i FROM "User"`)).rows)
        stored[`passwordHash#${i}`] = v;
      for (const { v, i } of (await client.query<{ v: string; i: number }>(`SELECT "tokenHash" AS v, row_number() over () AS i FROM "ApiToken"`)).rows)
        stored[`tokenHash#${i}`] = v;
      for (const { v, i } of (await client.query<{ v: string; i: number }>(`SELECT "secretCiphertext" AS v, row_number() over () AS i FROM "AgentCredential"`))
        .rows)
        stored[`secretCiphertext#${i}`] = v;
    } finally {
      await client.end();
    }
    // The node's key, rotated once, and the pooler's.
    expect(Object.keys(stored).filter((k) => k.startsWith("secretCiphertext")).length).toBe(3);

    await stop(agentProc);
    await stop(consoleProc);

    const all = { ...secrets, ...stored };
    for (const [name, value] of Object.entries(all)) expect(value.length, name).toBeGreaterThanOrEqual(12);
    const leaks: string[] = [];
    for (const a of answers) {
      for (const [name, value] of Object.entries(all)) {
        if (a.body.includes(value) && !a.allowed.includes(name)) leaks.push(`${name} in the answer to ${a.label}`);
      }
    }
    const logs = { "console and worker": consoleProc.output(), agent: agentProc?.output() ?? "" };
    for (const [who, text] of Object.entries(logs)) {
      for (const [name, value] of Object.entries(all)) {
        const at = text.indexOf(value);
        if (at >= 0) leaks.push(`${name} in the ${who} log: …${text.slice(Math.max(0, at - 150), at + value.length + 50)}…`);
      }
    }
    console.log(
      `secrets: ${Object.keys(all).length} values checked in ${answers.length} answers and ${Object.values(logs).reduce((n, t) => n + t.split("\n").length, 0)} log lines`,
    );
    expect(leaks).toEqual([]);
    // The captures are real: the logs saw the sign-ins, the deployment and the agent's refusals.
    expect(logs["console and worker"]).toContain("worker.elected");
    expect(logs.agent).toContain('"msg":"configuration applied"');
  } finally {
    for (const s of streams) s.abort();
    await stop(agentProc);
    await stop(appProc);
    await stop(consoleProc);
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});
