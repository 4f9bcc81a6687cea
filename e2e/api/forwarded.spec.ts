// Protects: the client address that the audit records and the sign-in
// throttle counts comes from the connection, not from what a client writes.
// - The demo trusts no proxy (CLUSTERDECK_TRUST_PROXY unset): a forged
//   X-Forwarded-For (with X-Real-IP and Forwarded) on a failed sign-in and on
//   a refused API call is ignored; the failure counts against the real
//   address (no fresh budget per forged value, none charged to the forged
//   one), and a forged X-Forwarded-Host does not pass the Origin check.
// - A console of its own with CLUSTERDECK_TRUST_PROXY=2 behind two real
//   proxies that append as nginx does: the client is the address two hops
//   from the right, whatever it wrote itself, and X-Forwarded-Host from the
//   proxies is the origin a cookie-authenticated change must come from.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { waitFor } from "@/agent/testing/client";
import { freePorts } from "@/lab/ports";
import { E2E } from "../env";
import { tokenFor } from "../helpers";

const FORGED = { "x-forwarded-for": "203.0.113.77", "x-real-ip": "203.0.113.78", forwarded: "for=203.0.113.79" };

async function database(dataDir: string, port: number): Promise<pg.Client> {
  const config = JSON.parse(fs.readFileSync(path.join(dataDir, "postgres.json"), "utf8")) as { user: string; password: string; database: string };
  const client = new pg.Client({ host: "127.0.0.1", port, user: config.user, password: config.password, database: config.database });
  await client.connect();
  return client;
}

const throttle = async (client: pg.Client) =>
  Object.fromEntries(
    (await client.query<{ key: string; failures: number }>(`SELECT key, failures FROM "LoginThrottle" WHERE key LIKE 'ip:%'`)).rows.map((r) => [
      r.key,
      r.failures,
    ]),
  );

const signInAudit = async (client: pg.Client, email: string) =>
  (
    await client.query<{ clientIp: string | null }>(
      `SELECT "clientIp" FROM "AuditEntry" WHERE action = 'auth.sign-in' AND summary->>'email' = $1 ORDER BY id`,
      [email],
    )
  ).rows.map((r) => r.clientIp);

type Fetcher = (
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string },
) => Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }>;

/** A plain HTTP request, from a chosen local address when given. */
function requester(from?: string): Fetcher {
  return (url, init) =>
    new Promise((resolve, reject) => {
      const u = new URL(url);
      const req = http.request(
        { host: u.hostname, port: u.port, path: u.pathname + u.search, method: init.method ?? "GET", headers: init.headers, localAddress: from, agent: false },
        (res) => {
          let body = "";
          res.setEncoding("utf8");
          res.on("data", (d: string) => (body += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        },
      );
      req.on("error", reject);
      req.end(init.body);
    });
}

const cookiesOf = (headers: http.IncomingHttpHeaders) => (headers["set-cookie"] ?? []).map((c) => c.split(";")[0]!);

/** next-auth's credentials sign-in, as the login form does it; the session cookie header, or null. */
async function signIn(send: Fetcher, base: string, email: string, password: string, extra: Record<string, string> = {}): Promise<string | null> {
  const csrf = await send(`${base}/api/auth/csrf`, { headers: extra });
  const { csrfToken } = JSON.parse(csrf.body) as { csrfToken: string };
  const csrfCookie = cookiesOf(csrf.headers).join("; ");
  const res = await send(`${base}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { ...extra, "content-type": "application/x-www-form-urlencoded", cookie: csrfCookie },
    body: new URLSearchParams({ csrfToken, email, password, callbackUrl: `${base}/dashboard`, json: "true" }).toString(),
  });
  // Named __Secure-next-auth.session-token when NEXTAUTH_URL is https.
  const session = cookiesOf(res.headers).find((c) => /^(__Secure-)?next-auth\.session-token=./.test(c));
  return session ? `${csrfCookie}; ${session}` : null;
}

test.describe.configure({ mode: "serial" });

test("without a trusted proxy, a forged X-Forwarded-For neither names the audited address nor moves or resets the sign-in throttle", async () => {
  const client = await database(E2E.dataDir, E2E.pgPort);
  try {
    const send = requester();
    const before = await throttle(client);
    const email = `forged-${Date.now()}@e2e.test`;
    for (const forged of ["203.0.113.77", "203.0.113.80, 198.51.100.1", "::1"]) {
      expect(await signIn(send, E2E.baseURL, email, "not-the-password-1", { ...FORGED, "x-forwarded-for": forged })).toBeNull();
    }
    expect(await signInAudit(client, email)).toEqual(["127.0.0.1", "127.0.0.1", "127.0.0.1"]);
    const after = await throttle(client);
    // Every failure counted against the real address: no fresh budget per forged value, none charged to another.
    expect(after["ip:127.0.0.1"]).toBe((before["ip:127.0.0.1"] ?? 0) + 3);
    expect(Object.keys(after).filter((k) => !(k in before) && k !== "ip:127.0.0.1")).toEqual([]);

    // A refused API change is audited with the real address too.
    const requestId = `forwarded-${randomUUID()}`;
    const refused = await send(`${E2E.baseURL}/api/v1/clusters`, {
      method: "POST",
      headers: { ...FORGED, authorization: `Bearer ${tokenFor("VIEWER")}`, "content-type": "application/json", "x-request-id": requestId },
      body: JSON.stringify({ name: "forwarded", environment: "staging" }),
    });
    expect(refused.status).toBe(403);
    const rows = await client.query<{ clientIp: string }>(`SELECT "clientIp" FROM "AuditEntry" WHERE "requestId" = $1`, [requestId]);
    expect(rows.rows.map((r) => r.clientIp)).toEqual(["127.0.0.1"]);

    // A forged X-Forwarded-Host does not make a foreign Origin this console's.
    const admin = await signIn(send, E2E.baseURL, E2E.users.ADMIN.email, E2E.users.ADMIN.password);
    expect(admin).toBeTruthy();
    const crossSite = await send(`${E2E.baseURL}/api/v1/tokens`, {
      method: "POST",
      headers: {
        cookie: admin!,
        origin: "http://evil.example",
        "x-forwarded-host": "evil.example",
        "x-forwarded-proto": "http",
        "content-type": "application/json",
      },
      body: JSON.stringify({ name: "forged host", role: "VIEWER", expiresInDays: 1 }),
    });
    expect(crossSite.status, crossSite.body).toBe(403);
  } finally {
    await client.end();
  }
});

/** A reverse proxy appending the address it was reached from, setting the public host and scheme: nginx's usual settings. */
async function startProxy(target: number, from: string, sets: { host: string; proto: string }): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const peer = req.socket.remoteAddress!;
    const xff = req.headers["x-forwarded-for"];
    const headers = { ...req.headers, "x-forwarded-for": xff ? `${xff}, ${peer}` : peer, "x-forwarded-host": sets.host, "x-forwarded-proto": sets.proto };
    const upstream = http.request(
      { host: "127.0.0.1", port: target, localAddress: from, method: req.method, path: req.url, headers, agent: false },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

test("behind two trusted proxies (CLUSTERDECK_TRUST_PROXY=2) the client is the address two hops from the right, whatever it wrote", async () => {
  test.setTimeout(180_000);
  const dataDir = `${E2E.dataDir}-forwarded`;
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const [webPort, pgPort] = (await freePorts(2)) as [number, number];
  const admin = { email: "admin@forwarded.test", password: `forwarded-${randomUUID()}` };
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CLUSTERDECK_DATA_DIR: dataDir,
    CLUSTERDECK_PG_PORT: String(pgPort),
    CLUSTERDECK_ADMIN_EMAIL: admin.email,
    CLUSTERDECK_ADMIN_PASSWORD: admin.password,
    CLUSTERDECK_TRUST_PROXY: "2",
    NEXTAUTH_URL: "https://console.example",
    NEXT_TELEMETRY_DISABLED: "1",
  };
  delete env.DATABASE_URL;
  let output = "";
  const consoleProc: ChildProcess = spawn(process.execPath, ["bin/clusterdeck.mjs", "start", "--no-build", "--no-worker", "--port", String(webPort)], {
    cwd: path.resolve("."),
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  consoleProc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  consoleProc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => consoleProc.once("exit", () => resolve()));
  const servers: http.Server[] = [];
  let client: pg.Client | undefined;
  try {
    await waitFor("the console to answer", async () => (await fetch(`http://127.0.0.1:${webPort}/api/v1/health`).catch(() => null))?.ok, 150_000, 250).catch(
      (error: Error) => {
        throw new Error(`${error.message}\n${output.slice(-3000)}`);
      },
    );
    expect(output).toContain("trusting 2 proxies in front");
    const inner = await startProxy(webPort, "127.0.0.7", { host: "console.example", proto: "https" });
    servers.push(inner);
    const outer = await startProxy((inner.address() as AddressInfo).port, "127.0.0.6", { host: "console.example", proto: "https" });
    servers.push(outer);
    const base = `http://127.0.0.1:${(outer.address() as AddressInfo).port}`;
    const send = requester("127.0.0.5");
    client = await database(dataDir, pgPort);

    const email = `chain-${Date.now()}@forwarded.test`;
    expect(await signIn(send, base, email, "not-the-password-1", FORGED)).toBeNull();
    expect(await signInAudit(client, email)).toEqual(["127.0.0.5"]);
    expect(await throttle(client)).toEqual({ "ip:127.0.0.5": 1 });

    // X-Forwarded-Host from the proxies is the console's origin for the CSRF check; the inner socket's Host is not.
    const cookie = await signIn(send, base, admin.email, admin.password, FORGED);
    expect(cookie).toBeTruthy();
    const token = async (origin: string) => {
      const res = await send(`${base}/api/v1/tokens`, {
        method: "POST",
        headers: { cookie: cookie!, origin, "content-type": "application/json" },
        body: JSON.stringify({ name: "via proxies", role: "VIEWER", expiresInDays: 1 }),
      });
      return `${res.status} ${res.body.slice(0, 300)}`;
    };
    expect(await token("https://console.example")).toMatch(/^201 /);
    expect(await token(`http://127.0.0.1:${webPort}`)).toMatch(/^403 /);
    const made = await client.query<{ clientIp: string }>(`SELECT "clientIp" FROM "AuditEntry" WHERE action = 'token.create' ORDER BY id`);
    expect(made.rows.map((r) => r.clientIp)).toEqual(["127.0.0.5"]);
  } finally {
    await client?.end();
    for (const s of servers) s.close();
    consoleProc.kill("SIGTERM");
    const killer = setTimeout(() => consoleProc.kill("SIGKILL"), 20_000);
    await exited;
    clearTimeout(killer);
  }
});
