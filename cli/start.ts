// `clusterdeck start`: database (embedded unless DATABASE_URL), secret,
// migrations, first admin, Next build if missing, then the web server (Next
// behind the front server) — and an orderly stop of all of it on SIGINT/SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";
import { createPrismaClient } from "@/lib/db/client";
import { dataDir, env } from "@/lib/env";
import { str, type Command } from "./args";
import { bootstrapAdmin, type BootstrapResult } from "./bootstrap";
import { cliAuditContext } from "./common";
import { runMigrations, startDatabase } from "./database";
import { childEnv, cliEnv } from "./env";
import { CliError, UsageError } from "./errors";
import { isShuttingDown, onShutdown, setExitCodeOnSignal, shutdown } from "./lifecycle";
import { box, print, note } from "./output";
import { frontServerEntry, nextBin, nextBuildIdFile, repoRoot, tsNodeArgs, WORKER_V8_FLAGS, workerEntry } from "./paths";
import { ensureSecret } from "./secret";

export const startCommand: Command = {
  name: "start",
  summary: "Run the console: database, migrations, first admin, web server.",
  details:
    "Without DATABASE_URL, an embedded PostgreSQL runs with its data in <data dir>/postgres " +
    "(CLUSTERDECK_DATA_DIR, default ./.clusterdeck; port CLUSTERDECK_PG_PORT). The first start " +
    "creates an ADMIN (CLUSTERDECK_ADMIN_EMAIL) and prints its password once.",
  options: {
    port: { type: "string", value: "N", description: "HTTP port (default: PORT, else 3000)" },
    "no-build": { type: "boolean", description: "Do not run `next build`, even if no build exists" },
    "no-worker": { type: "boolean", description: "Do not run a worker (monitor) beside the web server" },
  },
  async run(values) {
    const port = parsePort(str(values, "port")) ?? env().PORT;
    await runConsole({ port, build: !values["no-build"], worker: !values["no-worker"] });
  },
};

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`--port must be 1-65535, not "${value}"`);
  return port;
}

export async function runConsole(opts: {
  port: number;
  build: boolean;
  worker: boolean;
  afterStart?: (ctx: { url: string; databaseUrl: string; env: NodeJS.ProcessEnv }) => Promise<void>;
}): Promise<never> {
  setExitCodeOnSignal(0);
  const host = env().CLUSTERDECK_HOST;
  const url = cliEnv().NEXTAUTH_URL ?? `http://localhost:${opts.port}`;
  if (await portInUse(opts.port, host)) {
    throw new CliError(`Port ${opts.port} on ${host} is already in use; choose another with --port or PORT.`);
  }

  // (a) database (first, so a data folder in use is what gets reported)
  const database = await startDatabase("start", {
    onLog: env().CLUSTERDECK_DEBUG ? (line) => note(`[postgres] ${line}`) : undefined,
  });
  if (!opts.build && !existsSync(nextBuildIdFile)) {
    throw new CliError("There is no Next.js build (.next/BUILD_ID) and --no-build was given; run `npm run build` first.");
  }
  if (database.embedded) {
    const { port, dataDir: dir, initialised } = database.embedded;
    print(`PostgreSQL (embedded) ${initialised ? "initialised and " : ""}running on 127.0.0.1:${port}, data in ${dir}/postgres`);
  } else {
    print("Using the PostgreSQL at DATABASE_URL.");
  }

  // (b) secret
  const secrets = await ensureSecret(dataDir());
  if (secrets.source === "new-file") print(`Created a session secret in ${secrets.file}`);

  // (c) migrations
  const applied = await runMigrations(database.url);
  print(applied.length ? `Applied migration(s): ${applied.join(", ")}` : "Database schema is up to date.");

  const webEnv = childEnv({
    DATABASE_URL: database.url,
    NEXTAUTH_SECRET: secrets.nextAuthSecret,
    CLUSTERDECK_SECRET: secrets.clusterdeckSecret,
    NEXTAUTH_URL: url,
    CLUSTERDECK_DATA_DIR: dataDir(),
  });

  // (e) build if needed. Before the first admin on purpose: its password is
  // shown once, so it must not be lost in build output or to a failed build.
  if (opts.build && !existsSync(nextBuildIdFile)) {
    print("No Next.js build yet: running `next build` (once)…");
    const build = runChild("next build", [nextBin, "build"], webEnv);
    const result = await build.exited;
    if (isShuttingDown()) return new Promise<never>(() => {});
    if (result.code !== 0) throw new CliError(`next build failed (exit ${result.code ?? result.signal}).`);
  }

  // (d) first admin
  const db = createPrismaClient(database.url);
  let bootstrap: BootstrapResult;
  try {
    const e = env();
    bootstrap = await bootstrapAdmin(db, cliAuditContext(), { email: e.CLUSTERDECK_ADMIN_EMAIL, password: e.CLUSTERDECK_ADMIN_PASSWORD });
  } finally {
    await db.$disconnect();
  }

  // then serve
  printWelcome(url, bootstrap);
  // `next start` would believe a client's X-Forwarded-For; the front server sees the socket (bin/front-server.mjs).
  const web = runChild(
    "web server",
    [frontServerEntry, "--dir", repoRoot, "--hostname", host, "--port", String(opts.port), "--trust-proxy", String(env().CLUSTERDECK_TRUST_PROXY)],
    // NODE_ENV as `next start` sets it; the worker keeps the environment as given.
    { ...webEnv, NODE_ENV: webEnv.NODE_ENV || "production" },
  );
  if (opts.worker) superviseWorker(webEnv);
  if (opts.afterStart) await opts.afterStart({ url, databaseUrl: database.url, env: webEnv });

  // (f) run until a signal (handled by lifecycle) or until Next or PostgreSQL dies.
  const pgExited = database.embedded?.exited ?? new Promise<void>(() => {});
  const ended = await Promise.race([web.exited.then((r) => ({ what: "web", ...r })), pgExited.then(() => ({ what: "postgres", code: null, signal: null }))]);
  if (isShuttingDown()) return new Promise<never>(() => {});
  if (ended.what === "web") {
    note(`clusterdeck: the web server exited (${ended.signal ?? `code ${ended.code}`}); stopping.`);
    return shutdown(typeof ended.code === "number" && ended.code !== 0 ? ended.code : 1);
  }
  note("clusterdeck: the embedded PostgreSQL exited unexpectedly; stopping.");
  return shutdown(1);
}

/**
 * The worker runs beside the web server. It is restarted if it dies (a crash
 * must not leave the console blind), but not in a tight loop.
 */
function superviseWorker(workerEnv: NodeJS.ProcessEnv): void {
  const restarts: number[] = [];
  let stopping = false;
  onShutdown(() => {
    stopping = true;
  });
  const launch = () => {
    const worker = runChild("worker", [...WORKER_V8_FLAGS, ...tsNodeArgs(workerEntry)], workerEnv);
    void worker.exited.then((result) => {
      if (stopping || isShuttingDown()) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length && now - restarts[0]! > 60_000) restarts.shift();
      if (restarts.length > 5) {
        note("clusterdeck: the worker keeps exiting (more than 5 times in a minute); not restarting it. Health monitoring is stopped.");
        return;
      }
      note(`clusterdeck: the worker exited (${result.signal ?? `code ${result.code}`}); restarting it.`);
      setTimeout(launch, 1000);
    });
  };
  launch();
}

function printWelcome(url: string, bootstrap: BootstrapResult): void {
  if (bootstrap.created && bootstrap.generatedPassword) {
    print(
      "\n" +
        box([
          `Clusterdeck: ${url}`,
          "",
          "First administrator (this password is shown only this once):",
          `  email:    ${bootstrap.user.email}`,
          `  password: ${bootstrap.generatedPassword}`,
          "",
          "Store it now. To set another one later:",
          `  npx clusterdeck users reset-password --email ${bootstrap.user.email}`,
        ]),
    );
  } else if (bootstrap.created) {
    print(`\nClusterdeck: ${url}\nFirst administrator ${bootstrap.user.email} created with CLUSTERDECK_ADMIN_PASSWORD.\n`);
  } else {
    print(`\nClusterdeck: ${url} — sign in with your account.\n`);
  }
}

type ChildExit = { code: number | null; signal: NodeJS.Signals | null };

/** A node child in the repo root that is stopped (SIGTERM, then SIGKILL after 5 s) on shutdown. */
function runChild(label: string, args: string[], childEnvironment: NodeJS.ProcessEnv): { child: ChildProcess; exited: Promise<ChildExit> } {
  const child = spawn(process.execPath, args, { cwd: repoRoot, env: childEnvironment, stdio: "inherit" });
  const exited = new Promise<ChildExit>((resolve) => {
    child.once("exit", (code, signal) => resolve({ code, signal }));
    child.once("error", (error) => {
      note(`clusterdeck: could not run ${label}: ${error.message}`);
      resolve({ code: 1, signal: null });
    });
  });
  onShutdown(async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    const killer = setTimeout(() => child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(killer);
  });
  return { child, exited };
}

function portInUse(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "EADDRINUSE"));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(false)));
  });
}
