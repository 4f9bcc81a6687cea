/**
 * The whole lab in one command, until Ctrl-C:
 *
 *   node --import tsx lab/up.ts [--apps 2] [--sync] [--check-interval-ms 500]
 *
 * Starts N tiny HTTP app servers, a real HAProxy balancing them (sticky cookie
 * SERVERID), and a real PostgreSQL 15 primary + streaming replica; prints the
 * URLs and the haproxy / postgres driver configs an agent would be given.
 */
import { parseArgs } from "node:util";

import { startHaproxy, type HaproxyHandle } from "./haproxy";
import { startHttpBackend, type HttpBackendHandle } from "./http-backend";
import { startPostgresPair, type PostgresPairHandle } from "./postgres";

const { values } = parseArgs({
  options: {
    apps: { type: "string", default: "2" },
    sync: { type: "boolean", default: false },
    "check-interval-ms": { type: "string" },
  },
});
const appCount = Number(values.apps);
if (!Number.isInteger(appCount) || appCount < 1 || appCount > 20) {
  console.error("--apps must be 1-20");
  process.exit(2);
}

const apps: HttpBackendHandle[] = [];
let lb: HaproxyHandle | null = null;
let pair: PostgresPairHandle | null = null;

async function down() {
  await lb?.stop().catch((e: unknown) => console.error(e));
  await pair?.stop().catch((e: unknown) => console.error(e));
  await Promise.all(apps.map((a) => a.stop()));
}

try {
  for (let i = 1; i <= appCount; i++) apps.push(await startHttpBackend({ name: `app${i}` }));
  lb = await startHaproxy({
    backends: [{ name: "app", servers: apps.map((a) => ({ name: a.name, host: "127.0.0.1", port: a.port })) }],
    stickyCookie: "SERVERID",
    checkIntervalMs: values["check-interval-ms"] ? Number(values["check-interval-ms"]) : undefined,
  });
  pair = await startPostgresPair({ synchronous: values.sync });
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  await down();
  process.exit(1);
}

console.log(`Lab up.
  HAProxy      ${lb.url}   (master pid ${lb.pid}, config ${lb.configFile})
  app servers  ${apps.map((a) => `${a.name}=${a.url}`).join("  ")}
  primary      ${pair.primaryUrl}
  replica      ${pair.replicaUrl}

Agent driver configs:
  haproxy              ${JSON.stringify({ socket: lb.socketPath, configFile: lb.configFile })}
  postgres (primary)   ${JSON.stringify({ url: pair.monitorUrl(pair.primary.port) })}
  postgres (replica)   ${JSON.stringify({ url: pair.monitorUrl(pair.replica.port) })}

Ctrl-C stops everything.`);

const shutdown = () => void down().then(() => process.exit(0));
process.once("SIGINT", shutdown);
process.once("SIGTERM", shutdown);
setInterval(() => {}, 60_000);
