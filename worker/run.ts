// Process entry for a worker: node --conditions=react-server --import tsx worker/run.ts
// (DATABASE_URL and CLUSTERDECK_SECRET must be set, as `clusterdeck start` does).
import { db } from "@/lib/db";
import { log, setLogProcess } from "@/lib/log";
import { startWorker } from "@/worker/main";

setLogProcess("worker");
const worker = startWorker();

async function shutdown(signal: string) {
  log.info("worker.stopping", { signal });
  await worker.stop();
  await db.$disconnect();
  process.exit(0);
}

process.once("SIGINT", () => void shutdown("SIGINT"));
process.once("SIGTERM", () => void shutdown("SIGTERM"));
