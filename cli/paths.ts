// Repo-relative paths, found from this file so the CLI works from any cwd.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const migrationsDir = path.join(repoRoot, "prisma", "migrations");
export const nextBin = path.join(repoRoot, "node_modules", "next", "dist", "bin", "next");
export const nextBuildIdFile = path.join(repoRoot, ".next", "BUILD_ID");
export const workerEntry = path.join(repoRoot, "worker", "run.ts");
/** The web process: Next behind the front server (plain JavaScript, run by bare node). */
export const frontServerEntry = path.join(repoRoot, "bin", "front-server.mjs");

/** Node arguments that run a TypeScript entry of this repo the way the CLI itself runs. */
export function tsNodeArgs(entry: string, args: string[] = []): string[] {
  return ["--conditions=react-server", "--import", import.meta.resolve("tsx"), entry, ...args];
}

// The worker's V8 flags live beside the launcher (plain JS), which needs them for `clusterdeck worker`.
export { WORKER_V8_FLAGS } from "../bin/worker-flags.mjs";
