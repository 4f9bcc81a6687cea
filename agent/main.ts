// `clusterdeck-agent --config FILE` (through bin/clusterdeck-agent.mjs).
// Exit codes: 0 after SIGINT/SIGTERM, 1 when the agent cannot start,
// 2 for a wrong command line or an invalid config.
// SIGHUP re-reads the config file and applies new credentials, metrics token
// and openMetrics in place (key rotation without breaking the worker's streams).
import path from "node:path";
import { parseArgs } from "node:util";
import { version } from "@/lib/agent-protocol/version";
import { ConfigError, loadConfig, type AgentConfig } from "./config";
import { stderrLog as log } from "./log";
import { startAgent } from "./server";

const USAGE = `Usage: clusterdeck-agent --config FILE [--check]

  --config FILE   the agent's JSON config (see agent/README.md)
  --check         validate the config and exit
  --version       print the version
`;

function fail(code: number, message: string): never {
  process.stderr.write(`clusterdeck-agent: ${message}\n`);
  process.exit(code);
}

/** The config without what SIGHUP may change, to tell whether anything else changed. */
function restartRelevant(config: AgentConfig): string {
  return JSON.stringify({ ...config, credentials: undefined, metricsToken: undefined, openMetrics: undefined });
}

async function main(): Promise<void> {
  let args;
  try {
    args = parseArgs({
      options: { config: { type: "string", short: "c" }, check: { type: "boolean" }, help: { type: "boolean", short: "h" }, version: { type: "boolean" } },
      strict: true,
    }).values;
  } catch (error) {
    fail(2, `${(error as Error).message}\n${USAGE}`);
  }
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (args.version) {
    process.stdout.write(`${version}\n`);
    return;
  }
  if (!args.config) fail(2, `--config is required\n${USAGE}`);
  const file = path.resolve(args.config);

  let loaded;
  try {
    loaded = await loadConfig(file);
  } catch (error) {
    if (error instanceof ConfigError) fail(2, error.message);
    throw error;
  }
  for (const warning of loaded.warnings) log({ level: "warn", msg: warning });
  if (args.check) {
    // Say how /metrics will answer: a closed endpoint should not surprise the owner when Prometheus first scrapes.
    const metrics = loaded.config.metricsToken
      ? "needs its metricsToken"
      : loaded.config.openMetrics
        ? "open to anyone who reaches the port"
        : "closed (set metricsToken to scrape it)";
    process.stdout.write(`config ${file} is valid (role ${loaded.config.role}, name ${loaded.config.name}); /metrics ${metrics}\n`);
    return;
  }
  let config = loaded.config;

  let agent;
  try {
    agent = await startAgent(config, { log });
  } catch (error) {
    fail(1, (error as Error).message);
  }
  const loopback = /^(127\.|::1$|localhost$)/.test(config.listen.host);
  if (!config.tls && !loopback) {
    log({ level: "warn", msg: "listening beyond loopback without TLS: requests are signed but snapshots travel in clear text; set tls" });
  }
  // What it manages, as configured (URL passwords and secret-named settings masked by the logger).
  log({ level: "info", msg: "agent started", name: config.name, role: config.role, settings: config[config.role], version, url: agent.url, pid: process.pid });

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log({ level: "info", msg: "stopping", signal });
    // A driver that will not close must not keep the process alive.
    const force = setTimeout(() => {
      log({ level: "warn", msg: "shutdown took too long; exiting anyway" });
      process.exit(0);
    }, 5000);
    force.unref();
    agent.close().then(
      () => process.exit(0),
      (error: Error) => {
        log({ level: "error", msg: "shutdown failed", error: error.message });
        process.exit(0);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  process.on("SIGHUP", () => {
    loadConfig(file).then(
      ({ config: next, warnings }) => {
        for (const warning of warnings) log({ level: "warn", msg: warning });
        agent.setAuth(next);
        const restart = restartRelevant(next) !== restartRelevant(config);
        log({
          level: restart ? "warn" : "info",
          msg: restart ? "credentials reloaded; other config changes need a restart" : "credentials reloaded",
          keyIds: next.credentials.map((c) => c.keyId),
        });
        config = { ...config, credentials: next.credentials, metricsToken: next.metricsToken, openMetrics: next.openMetrics };
      },
      (error: Error) => log({ level: "error", msg: "config reload failed; keeping the current credentials", error: error.message }),
    );
  });
}

main().catch((error: Error) => fail(1, error.stack ?? error.message));
