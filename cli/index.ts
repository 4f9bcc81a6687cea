// `npx clusterdeck …` (started through bin/clusterdeck.mjs): finds the
// command, parses its flags, runs it, and turns failures into a message and
// an exit code: 1 for a refused or failed action, 2 for a wrong command line.
import { readFileSync } from "node:fs";
import path from "node:path";
import { asApiError } from "@/lib/http/problem";
import { env } from "@/lib/env";
import { commandHelp, parseCommand, refusePasswordFlag, type Command } from "./args";
import { CliError, UsageError } from "./errors";
import { exit, installSignalHandlers, runCleanups } from "./lifecycle";
import { DataDirLockedError } from "./lock";
import { migrateCommand } from "./migrate";
import { repoRoot } from "./paths";
import { startCommand } from "./start";
import { demoCommand, labCommands, labPositional } from "./demo";
import { workerCommand } from "./worker";
import { tokenCommands } from "./tokens";
import { userCommands } from "./users";

const commands: Command[] = [startCommand, demoCommand, workerCommand, migrateCommand, ...userCommands, ...tokenCommands, ...labCommands];
const groups: Record<string, string> = { users: "Manage console users", tokens: "Manage API tokens", lab: "Drive the running demo cluster" };

function mainHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "Usage: clusterdeck <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    'Run "clusterdeck <command> --help" for its options.',
    "Environment: DATABASE_URL (else an embedded PostgreSQL in CLUSTERDECK_DATA_DIR, default ./.clusterdeck).",
    "",
  ].join("\n");
}

function groupHelp(group: string): string {
  const members = commands.filter((c) => c.name.startsWith(`${group} `));
  const width = Math.max(...members.map((c) => c.name.length));
  return [
    `Usage: clusterdeck ${group} <command> [options]`,
    "",
    `${groups[group]}:`,
    ...members.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (first === undefined) {
    process.stderr.write(mainHelp());
    return 2;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    process.stdout.write(mainHelp());
    return 0;
  }
  if (first === "--version" || first === "-v") {
    const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
    process.stdout.write(`${pkg.version}\n`);
    return 0;
  }
  refusePasswordFlag(argv);

  if (first in groups) {
    if (second === undefined || second === "--help" || second === "-h") {
      (second ? process.stdout : process.stderr).write(groupHelp(first));
      return second ? 0 : 2;
    }
    const command = commands.find((c) => c.name === `${first} ${second}`);
    if (!command) throw new UsageError(`Unknown command "${first} ${second}".`, first);
    return runCommand(command, first === "lab" ? labPositional(argv.slice(2)) : argv.slice(2));
  }
  const command = commands.find((c) => c.name === first);
  if (!command) throw new UsageError(`Unknown command "${first}".`, "");
  return runCommand(command, argv.slice(1));
}

async function runCommand(command: Command, args: string[]): Promise<number> {
  const values = parseCommand(command, args);
  if (values === null) {
    process.stdout.write(commandHelp(command));
    return 0;
  }
  return (await command.run(values)) ?? 0;
}

/** A failure as the operator should read it, and its exit code. */
function describe(error: unknown): { message: string; code: number; hint?: string } {
  if (error instanceof UsageError) {
    const where = error.command ? `clusterdeck ${error.command} --help` : "clusterdeck --help";
    return { message: error.message, code: 2, hint: error.command !== undefined ? `Run "${where}" for usage.\n` : undefined };
  }
  if (error instanceof CliError) return { message: error.message, code: error.exitCode };
  // A service's refusal (last active ADMIN, a token above its owner, …): its detail is written for people.
  const refusal = asApiError(error);
  if (refusal) return { message: refusal.detail ?? refusal.title, code: 1 };
  if (error instanceof DataDirLockedError) return { message: error.message, code: 1 };
  const e = error as { code?: string; message?: string } | null;
  if (e?.code === "P2021" || e?.code === "P2022") {
    return { message: "The database has no (or an old) Clusterdeck schema: run `clusterdeck migrate` first.", code: 1 };
  }
  if (e?.code === "ECONNREFUSED" || /ECONNREFUSED|Can't reach database/i.test(e?.message ?? "")) {
    return { message: `Cannot reach the database (${e?.message ?? "connection refused"}). Is DATABASE_URL right, and the server up?`, code: 1 };
  }
  if (e?.message?.startsWith("Invalid environment")) return { message: e.message, code: 1 };
  return { message: `unexpected error: ${error instanceof Error ? error.message : String(error)}`, code: 1 };
}

function debugEnabled(): boolean {
  try {
    return env().CLUSTERDECK_DEBUG;
  } catch {
    return false;
  }
}

installSignalHandlers();
let code: number;
try {
  code = await main(process.argv.slice(2));
} catch (error) {
  const { message, code: exitCode, hint } = describe(error);
  process.stderr.write(`clusterdeck: ${message}\n${hint ?? ""}`);
  if (debugEnabled() && error instanceof Error && !(error instanceof CliError || asApiError(error))) process.stderr.write(`${error.stack}\n`);
  code = exitCode;
}
await runCleanups();
await exit(code);
