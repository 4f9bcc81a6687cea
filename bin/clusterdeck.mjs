#!/usr/bin/env node
// `npx clusterdeck …`: re-runs node with the TypeScript loader (tsx) and the
// react-server condition (so shared modules' `import "server-only"` resolve
// harmlessly) on cli/index.ts. Paths come from this file's location so it
// works from any cwd; the cwd itself is kept, since CLUSTERDECK_DATA_DIR is
// resolved against it.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { WORKER_V8_FLAGS } from "./worker-flags.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// Resolved from this file, hence from the repo's node_modules, whatever the cwd.
const tsxLoader = import.meta.resolve("tsx");

const child = spawn(
  process.execPath,
  [
    ...(process.argv[2] === "worker" ? WORKER_V8_FLAGS : []),
    "--conditions=react-server",
    "--import",
    tsxLoader,
    path.join(root, "cli", "index.ts"),
    ...process.argv.slice(2),
  ],
  {
    stdio: "inherit",
    // tsx looks for tsconfig.json (for the "@/…" paths) in the cwd unless told.
    env: { ...process.env, TSX_TSCONFIG_PATH: path.join(root, "tsconfig.json") },
  },
);

const signals = ["SIGINT", "SIGTERM", "SIGHUP"];
const forward = (signal) => {
  // A terminal's Ctrl-C reaches the whole process group, the child included;
  // forwarding anyway covers `kill <launcher pid>`. The CLI ignores repeats.
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
for (const signal of signals) process.on(signal, forward);

child.on("error", (error) => {
  console.error(`clusterdeck: could not start node: ${error.message}`);
  process.exit(1);
});

child.on("exit", (code, signal) => {
  if (signal) {
    // Die of the same signal, so callers see what really happened.
    for (const s of signals) process.off(s, forward);
    process.kill(process.pid, signal);
    return;
  }
  process.exit(code ?? 1);
});
