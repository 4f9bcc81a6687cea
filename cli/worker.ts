// `clusterdeck worker`: one more worker, for high availability or scale-out.
// It competes for the monitor lease with the others; whichever holds it
// monitors, the rest stand by and take over within seconds.
import { dataDir, resetEnvCache } from "@/lib/env";
import type { Command } from "./args";
import { connectDatabase } from "./database";
import { onShutdown, setExitCodeOnSignal } from "./lifecycle";
import { note } from "./output";
import { ensureSecret } from "./secret";

export const workerCommand: Command = {
  name: "worker",
  summary: "Run a worker alone (another monitor for high availability)",
  details:
    "Uses DATABASE_URL, or the embedded database of a console running on this data folder. It must share the console's " +
    "secret (CLUSTERDECK_SECRET, or the data folder's secret file) to use the agents' credentials.",
  options: {},
  async run() {
    setExitCodeOnSignal(0);
    const database = await connectDatabase("worker");
    onShutdown(() => database.close());
    const secrets = await ensureSecret(dataDir());
    process.env.DATABASE_URL = database.url;
    process.env.CLUSTERDECK_SECRET = secrets.clusterdeckSecret;
    process.env.NEXTAUTH_SECRET = secrets.nextAuthSecret;
    resetEnvCache();
    const { setLogProcess } = await import("@/lib/log");
    setLogProcess("worker");
    const { startWorker } = await import("@/worker/main");
    const worker = startWorker();
    onShutdown(() => worker.stop());
    note("Worker running: it monitors while it holds the lease, and stands by otherwise. Ctrl-C stops it.");
    return new Promise<never>(() => {});
  },
};
