#!/usr/bin/env node
// `npx clusterdeck-agent --config FILE`. The TypeScript loader (tsx) is
// registered in this very process and agent/main.ts runs here, so the pid a
// supervisor, an operator or a test sees is the agent's own: kill, SIGSTOP
// and SIGHUP reach the daemon, not a launcher in front of it.
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { register } from "tsx/esm/api";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
// The "@/…" paths come from the repo's tsconfig, whatever the cwd.
register({ tsconfig: path.join(root, "tsconfig.json") });
await import(pathToFileURL(path.join(root, "agent", "main.ts")).href);
