// The CLI end to end: `node bin/clusterdeck.mjs …` as a child process against
// a real PostgreSQL, checked through the database; and the data-folder lock
// and embedded PostgreSQL start that `start` builds on.
import { spawn } from "node:child_process";
import { chmod, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { existsSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { verifyPassword } from "@/lib/auth/password";
import { hashApiToken } from "@/lib/auth/tokens";
import { createPrismaClient, type Db } from "@/lib/db/client";
import { applyMigrations } from "@/lib/db/migrations";
import { resetEnvCache } from "@/lib/env";
import { getFreePort, startTestPostgres, type TestPostgres } from "@/lib/testing/embedded-pg";
import { bootstrapAdmin } from "./bootstrap";
import { cliAuditContext } from "./common";
import { startEmbeddedDatabase } from "./embedded-postgres";
import { acquireDataDirLock, DataDirLockedError } from "./lock";
import { migrationsDir, repoRoot } from "./paths";
import { ensureSecret } from "./secret";

const bin = path.join(repoRoot, "bin", "clusterdeck.mjs");

type Run = { code: number | null; stdout: string; stderr: string };

/** Runs the CLI with a clean environment (no inherited DATABASE_URL or password). */
function cli(args: string[], opts: { stdin?: string; env?: Record<string, string | undefined> } = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };
  delete env.DATABASE_URL;
  delete env.CLUSTERDECK_PASSWORD;
  Object.assign(env, opts.env);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: os.tmpdir(), env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(opts.stdin ?? "");
  });
}

async function tempDataDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "clusterdeck-cli-test-"));
  await chmod(dir, 0o755); // as root, postgres runs as "postgres" and must enter it
  return dir;
}

describe("clusterdeck CLI against PostgreSQL", () => {
  let server: TestPostgres;
  let db: Db;
  let dataDir: string;
  const run = (args: string[], opts: { stdin?: string; env?: Record<string, string> } = {}) =>
    cli(args, { ...opts, env: { DATABASE_URL: server.url, CLUSTERDECK_DATA_DIR: dataDir, ...opts.env } });

  const audits = (action: string) => db.auditEntry.findMany({ where: { action }, orderBy: { id: "asc" } });

  beforeAll(async () => {
    server = await startTestPostgres();
    await applyMigrations({ databaseUrl: server.url, migrationsDir });
    db = createPrismaClient(server.url);
    dataDir = await tempDataDir();
  });

  afterAll(async () => {
    await db?.$disconnect();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it("creates a user with the password from stdin, audited as the cli", async () => {
    const r = await run(["users", "create", "--email", "Root@Example.com", "--role", "admin", "--name", "Root"], {
      stdin: "first-admin-password\n",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Created ADMIN root@example\.com/);

    const user = await db.user.findUniqueOrThrow({ where: { email: "root@example.com" }, omit: { passwordHash: false } });
    expect(user).toMatchObject({ role: "ADMIN", name: "Root", disabled: false });
    expect(await verifyPassword("first-admin-password", user.passwordHash ?? "")).toBe(true);

    const [entry] = await audits("user.create");
    expect(entry).toMatchObject({ actorType: "SYSTEM", actorLabel: "cli", targetType: "USER", targetId: user.id, clientIp: null, outcome: "SUCCESS" });
    expect(entry!.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.stringify(entry!.summary)).not.toContain("first-admin-password");
  });

  it("refuses --password on the command line, and bad input, writing nothing", async () => {
    const before = await db.user.count();
    const withFlag = await run(["users", "create", "--email", "x@example.com", "--role", "VIEWER", "--password", "secret-secret-1"]);
    expect(withFlag.code).toBe(2);
    expect(withFlag.stderr).toMatch(/--password is not accepted/);
    expect(withFlag.stderr).toMatch(/stdin/);

    const short = await run(["users", "create", "--email", "x@example.com", "--role", "VIEWER"], { stdin: "short\n" });
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/At least 12 characters/);

    const badRole = await run(["users", "create", "--email", "x@example.com", "--role", "ROOT"], { stdin: "long-enough-password\n" });
    expect(badRole.code).toBe(2);

    const noPassword = await run(["users", "create", "--email", "x@example.com", "--role", "VIEWER"]);
    expect(noPassword.code).toBe(2);
    expect(noPassword.stderr).toMatch(/No password given/);

    const duplicate = await run(["users", "create", "--email", "root@example.com", "--role", "VIEWER"], { stdin: "long-enough-password\n" });
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists/);

    expect(await db.user.count()).toBe(before);
  });

  it("rejects unknown commands and flags with exit code 2", async () => {
    const unknown = await run(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown command "frobnicate"/);
    const unknownSub = await run(["users", "frobnicate"]);
    expect(unknownSub.code).toBe(2);
    const flag = await run(["users", "list", "--everything"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/Unknown option '--everything'/);
    const missing = await run(["users", "disable"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/--email is required/);
    const help = await run(["tokens", "create", "--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: clusterdeck tokens create --name NAME --role ROLE --owner EMAIL/);
  });

  it("lists users as a table and as JSON, without password hashes", async () => {
    const created = await run(["users", "create", "--email", "ops@example.com", "--role", "OPERATOR"], {
      env: { CLUSTERDECK_PASSWORD: "operator-password-1" },
    });
    expect(created.code).toBe(0);

    const table = await run(["users", "list"]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^EMAIL\s+NAME\s+ROLE\s+SIGN-IN\s+STATUS/);
    expect(table.stdout).toMatch(/ops@example\.com\s+-\s+OPERATOR\s+password\s+active/);
    expect(table.stdout).toMatch(/root@example\.com\s+Root\s+ADMIN\s+password\s+active/);

    const json = await run(["users", "list", "--json"]);
    const users = JSON.parse(json.stdout) as Record<string, unknown>[];
    expect(users.map((u) => u.email)).toEqual(["ops@example.com", "root@example.com"]);
    expect(users.map((u) => u.authSource)).toEqual(["LOCAL", "LOCAL"]);
    expect(json.stdout).not.toMatch(/passwordHash|scrypt\$/);
  });

  it("changes a role, bumping the session version, audited", async () => {
    const before = await db.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    const r = await run(["users", "set-role", "--email", "ops@example.com", "--role", "ADMIN"]);
    expect(r.code).toBe(0);
    const after = await db.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(after.role).toBe("ADMIN");
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);
    const [entry] = await audits("user.update");
    expect(entry).toMatchObject({ targetId: after.id, actorLabel: "cli" });
    expect(entry!.summary).toEqual({ email: "ops@example.com", changes: { role: { from: "OPERATOR", to: "ADMIN" } } });
  });

  it("disables and enables, and never leaves the console without an active ADMIN", async () => {
    // Two admins: root and ops. Disabling one is fine.
    const disabled = await run(["users", "disable", "--email", "ops@example.com"]);
    expect(disabled.code).toBe(0);
    const ops = await db.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    expect(ops.disabled).toBe(true);

    // root is now the last active ADMIN: it can be neither disabled nor demoted.
    const rootBefore = await db.user.findUniqueOrThrow({ where: { email: "root@example.com" } });
    const lastDisable = await run(["users", "disable", "--email", "root@example.com"]);
    expect(lastDisable.code).toBe(1);
    expect(lastDisable.stderr).toMatch(/last active ADMIN/);
    const lastDemote = await run(["users", "set-role", "--email", "root@example.com", "--role", "VIEWER"]);
    expect(lastDemote.code).toBe(1);
    expect(lastDemote.stderr).toMatch(/last active ADMIN/);
    const rootAfter = await db.user.findUniqueOrThrow({ where: { email: "root@example.com" } });
    expect(rootAfter).toMatchObject({ role: "ADMIN", disabled: false, sessionVersion: rootBefore.sessionVersion });

    const enabled = await run(["users", "enable", "--email", "ops@example.com"]);
    expect(enabled.code).toBe(0);
    expect((await db.user.findUniqueOrThrow({ where: { email: "ops@example.com" } })).disabled).toBe(false);

    // set-role (previous test), disable, enable; the refused changes left no entry.
    const updates = await audits("user.update");
    expect(updates.map((a) => [a.targetId, a.summary])).toEqual([
      [ops.id, { email: "ops@example.com", changes: { role: { from: "OPERATOR", to: "ADMIN" } } }],
      [ops.id, { email: "ops@example.com", changes: { disabled: { from: false, to: true } } }],
      [ops.id, { email: "ops@example.com", changes: { disabled: { from: true, to: false } } }],
    ]);

    const unknown = await run(["users", "disable", "--email", "nobody@example.com"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No user with email nobody@example\.com/);
  });

  it("resets a password, ending sessions, audited", async () => {
    const before = await db.user.findUniqueOrThrow({ where: { email: "ops@example.com" } });
    const r = await run(["users", "reset-password", "--email", "ops@example.com"], { stdin: "brand-new-password\r\nignored\n" });
    expect(r.code).toBe(0);
    const after = await db.user.findUniqueOrThrow({ where: { email: "ops@example.com" }, omit: { passwordHash: false } });
    expect(await verifyPassword("brand-new-password", after.passwordHash ?? "")).toBe(true);
    expect(after.sessionVersion).toBe(before.sessionVersion + 1);
    expect(await audits("user.reset-password")).toHaveLength(1);
  });

  it("creates an API token shown once, stores only its SHA-256, lists and revokes it", async () => {
    const created = await run(["tokens", "create", "--name", "ci", "--role", "VIEWER", "--owner", "ops@example.com", "--expires-in", "30"]);
    expect(created.code).toBe(0);
    const tokens = created.stdout.match(/cdk_[A-Za-z0-9_-]+/g) ?? [];
    expect(tokens).toHaveLength(1);
    const token = tokens[0]!;

    const row = await db.apiToken.findFirstOrThrow({ where: { name: "ci" }, omit: { tokenHash: false } });
    expect(row.tokenHash).toBe(hashApiToken(token));
    expect(row.tokenHash).not.toContain(token);
    expect(token.startsWith(row.prefix)).toBe(true);
    expect(row.role).toBe("VIEWER");
    expect(row.expiresAt!.getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    // Nowhere in the database in clear, audit included.
    const { rows } = await rawQuery(server.url, `SELECT count(*)::int AS n FROM "AuditEntry" WHERE summary::text LIKE '%' || $1 || '%'`, [token]);
    expect(rows[0].n).toBe(0);
    const [entry] = await audits("token.create");
    expect(entry).toMatchObject({ targetType: "API_TOKEN", targetId: row.id, actorLabel: "cli" });

    const list = await run(["tokens", "list"]);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`${row.id}\\s+ci\\s+${row.prefix}…\\s+VIEWER\\s+ops@example\\.com\\s+active`));
    expect(list.stdout).not.toContain(token);
    expect(list.stdout).not.toContain(row.tokenHash);
    const json = await run(["tokens", "list", "--json"]);
    expect(json.stdout).not.toContain(token);
    expect(json.stdout).not.toContain(row.tokenHash);
    expect(json.stdout).not.toMatch(/tokenHash/);

    const revoked = await run(["tokens", "revoke", "--id", row.id]);
    expect(revoked.code).toBe(0);
    expect((await db.apiToken.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).not.toBeNull();
    expect(await audits("token.revoke")).toHaveLength(1);
    expect((await run(["tokens", "list"])).stdout).toMatch(/VIEWER\s+ops@example\.com\s+revoked/);

    const again = await run(["tokens", "revoke", "--id", row.id]);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/already revoked/);
    expect(await audits("token.revoke")).toHaveLength(1);
  });

  it("refuses a token above its owner's role", async () => {
    await run(["users", "create", "--email", "viewer@example.com", "--role", "VIEWER"], { stdin: "viewer-password-1\n" });
    const r = await run(["tokens", "create", "--name", "x", "--role", "ADMIN", "--owner", "viewer@example.com"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/cannot belong to viewer@example\.com, who is VIEWER/);
    expect(await db.apiToken.count({ where: { name: "x" } })).toBe(0);
  });
});

describe("first start", () => {
  let server: TestPostgres;
  let db: Db;
  const saved = { CLUSTERDECK_SECRET: process.env.CLUSTERDECK_SECRET, NEXTAUTH_SECRET: process.env.NEXTAUTH_SECRET };

  beforeAll(async () => {
    server = await startTestPostgres();
    await applyMigrations({ databaseUrl: server.url, migrationsDir });
    db = createPrismaClient(server.url);
  });

  afterAll(async () => {
    Object.assign(process.env, saved);
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
    resetEnvCache();
    await db?.$disconnect();
    await server?.stop();
  });

  it("creates an ADMIN with a generated password only when there are no users, audited without it", async () => {
    const first = await bootstrapAdmin(db, cliAuditContext(), { email: "admin@clusterdeck.local" });
    expect(first.created).toBe(true);
    if (!first.created) return;
    expect(first.user).toMatchObject({ email: "admin@clusterdeck.local", role: "ADMIN" });
    const password = first.generatedPassword!;
    expect(password.length).toBeGreaterThanOrEqual(20);
    const stored = await db.user.findUniqueOrThrow({ where: { id: first.user.id }, omit: { passwordHash: false } });
    expect(await verifyPassword(password, stored.passwordHash ?? "")).toBe(true);

    const entries = await db.auditEntry.findMany({ where: { action: "user.create" } });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ actorLabel: "cli", targetId: first.user.id, summary: { bootstrap: true, passwordSource: "generated" } });
    expect(JSON.stringify(entries[0]!.summary)).not.toContain(password);

    expect(await bootstrapAdmin(db, cliAuditContext(), { email: "other@example.com" })).toEqual({ created: false });
    expect(await db.user.count()).toBe(1);
  });

  it("keeps the session secret in <dataDir>/secret (0600) unless the environment sets one", async () => {
    delete process.env.CLUSTERDECK_SECRET;
    delete process.env.NEXTAUTH_SECRET;
    resetEnvCache();
    const dir = await tempDataDir();
    try {
      const created = await ensureSecret(dir);
      expect(created.source).toBe("new-file");
      expect(created.nextAuthSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((statSync(path.join(dir, "secret")).mode & 0o777).toString(8)).toBe("600");
      const again = await ensureSecret(dir);
      expect(again).toMatchObject({ source: "file", nextAuthSecret: created.nextAuthSecret, clusterdeckSecret: created.nextAuthSecret });

      process.env.CLUSTERDECK_SECRET = "s".repeat(40);
      resetEnvCache();
      expect(await ensureSecret(dir)).toMatchObject({ source: "env", nextAuthSecret: "s".repeat(40), clusterdeckSecret: "s".repeat(40) });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("embedded PostgreSQL and the data-folder lock", () => {
  const dirs: string[] = [];
  const stops: (() => Promise<void>)[] = [];
  const newDir = async () => {
    const dir = await tempDataDir();
    dirs.push(dir);
    return dir;
  };

  afterAll(async () => {
    for (const stop of stops) await stop().catch(() => {});
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it("refuses a second holder of the same data folder, clearly", async () => {
    const dir = await newDir();
    const first = await acquireDataDirLock(dir, "start");
    stops.push(first.release);
    const second = acquireDataDirLock(dir, "start");
    await expect(second).rejects.toBeInstanceOf(DataDirLockedError);
    await expect(second).rejects.toThrow(new RegExp(`in use by another Clusterdeck process \\(pid ${process.pid}, "start"`));
    await first.release();
    expect(existsSync(path.join(dir, "console.lock"))).toBe(false);
    const third = await acquireDataDirLock(dir, "start");
    await third.release();
  });

  it("takes over a stale lock left by a dead process", async () => {
    const dir = await newDir();
    const deadPid = await pidOfExitedProcess();
    await writeFile(path.join(dir, "console.lock"), JSON.stringify({ pid: deadPid, command: "start", startedAt: "earlier" }));
    const lock = await acquireDataDirLock(dir, "migrate");
    expect(JSON.parse(await readFile(lock.path, "utf8"))).toMatchObject({ pid: process.pid, command: "migrate" });
    await lock.release();
  });

  it("starts once per data folder, keeps data across stop/start, and initialises only once", async () => {
    const dir = await newDir();
    const port = await getFreePort();
    const first = await startEmbeddedDatabase({ dataDir: dir, port, command: "start" });
    stops.push(first.stop);
    expect(first.initialised).toBe(true);
    expect(first.url).toMatch(new RegExp(`@127\\.0\\.0\\.1:${port}/clusterdeck$`));

    // While it runs, a second start on the folder is refused, naming the holder.
    await expect(startEmbeddedDatabase({ dataDir: dir, port: await getFreePort(), command: "start" })).rejects.toThrow(
      /is in use by another Clusterdeck process/,
    );

    await rawQuery(first.url, "CREATE TABLE kept (v text); INSERT INTO kept VALUES ('still here')");
    await first.stop();
    expect(existsSync(path.join(dir, "console.lock"))).toBe(false);

    const second = await startEmbeddedDatabase({ dataDir: dir, port, command: "start" });
    stops.push(second.stop);
    expect(second.initialised).toBe(false);
    const { rows } = await rawQuery(second.url, "SELECT v FROM kept");
    expect(rows).toEqual([{ v: "still here" }]);
    const config = JSON.parse(await readFile(path.join(dir, "postgres.json"), "utf8"));
    expect(config.port).toBe(port);
    expect((statSync(path.join(dir, "postgres.json")).mode & 0o777).toString(8)).toBe("600");
    await second.stop();
  });

  it("CLI commands without DATABASE_URL use the running console's database; `start` is refused", async () => {
    const dir = await newDir();
    const port = await getFreePort();
    const console_ = await startEmbeddedDatabase({ dataDir: dir, port, command: "start" });
    stops.push(console_.stop);
    await applyMigrations({ databaseUrl: console_.url, migrationsDir });
    const env = { CLUSTERDECK_DATA_DIR: dir, CLUSTERDECK_PG_PORT: String(await getFreePort()) };

    const created = await cli(["users", "create", "--email", "a@example.com", "--role", "ADMIN"], { stdin: "a-long-password\n", env });
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const { rows } = await rawQuery(console_.url, `SELECT email FROM "User"`);
    expect(rows).toEqual([{ email: "a@example.com" }]);

    const start = await cli(["start", "--no-build", "--port", String(await getFreePort())], { env });
    expect(start.code).toBe(1);
    expect(start.stderr).toMatch(/is in use by another Clusterdeck process \(pid \d+, "start"/);
    // The refused start left the console's lock alone.
    expect(JSON.parse(await readFile(path.join(dir, "console.lock"), "utf8")).pid).toBe(process.pid);
    await console_.stop();
  });

  it("CLI commands start the embedded database for their duration, migrating it, and release it", async () => {
    const dir = await newDir();
    const env = { CLUSTERDECK_DATA_DIR: dir, CLUSTERDECK_PG_PORT: String(await getFreePort()) };
    const created = await cli(["users", "create", "--email", "b@example.com", "--role", "VIEWER"], { stdin: "b-long-password\n", env });
    expect(created.code).toBe(0);
    expect(created.stderr).toMatch(/Applied migration\(s\)/);
    const list = await cli(["users", "list", "--json"], { env });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toMatchObject([{ email: "b@example.com", role: "VIEWER" }]);
    const migrate = await cli(["migrate"], { env });
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(/up to date/);
    expect(existsSync(path.join(dir, "console.lock"))).toBe(false);
    expect(existsSync(path.join(dir, "postgres", "postmaster.pid"))).toBe(false);
  });
});

async function rawQuery(url: string, sql: string, params: unknown[] = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql, params);
  } finally {
    await client.end();
  }
}

function pidOfExitedProcess(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", ""], { stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", () => resolve(child.pid!));
  });
}
