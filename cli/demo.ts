// `clusterdeck demo`: the console (embedded database, web, worker) plus the
// demo cluster, all stopped together by Ctrl-C. `clusterdeck lab …` drives a
// running demo cluster: status, kill/hang/resume a part, stop it. What those
// do is defined once, in demo/control.ts; here they become commands.
import path from "node:path";
import { dataDir, env, resetEnvCache } from "@/lib/env";
import { startDemoCluster, type ComponentStatus } from "@/demo/cluster";
import { controlRequest, partActions, serveControl, type ControlCommand, type PartAction } from "@/demo/control";
import { str, type Command } from "./args";
import { CliError } from "./errors";
import { onShutdown, shutdown } from "./lifecycle";
import { note, print } from "./output";
import { runConsole } from "./start";

const demoDir = () => path.join(dataDir(), "demo");

export const demoCommand: Command = {
  name: "demo",
  summary: "Run the console with a live demo cluster: HAProxy, 3 app nodes, PostgreSQL primary + replica, agents, traffic.",
  details:
    "Everything runs on loopback. HAProxy and PostgreSQL 15 come from Debian's packages; as root the demo installs them when missing. " +
    "While it runs, `clusterdeck lab status|kill|hang|resume NAME` breaks and mends parts of it.",
  options: {
    port: { type: "string", value: "N", description: "HTTP port of the console (default: PORT, else 3000)" },
    rps: { type: "string", value: "N", description: "Requests per second from the traffic generator (default 20)" },
  },
  async run(values) {
    const port = Number(str(values, "port") ?? env().PORT);
    const rps = Number(str(values, "rps") ?? 20);
    if (!Number.isFinite(rps) || rps < 0 || rps > 5000) throw new CliError("--rps must be 0 to 5000");
    await runConsole({
      port,
      build: true,
      worker: true,
      afterStart: async ({ url, env: consoleEnv }) => {
        // The demo registers its platform through the console's own services: same database, same secret.
        for (const key of ["DATABASE_URL", "CLUSTERDECK_SECRET", "NEXTAUTH_SECRET"] as const) process.env[key] = consoleEnv[key];
        resetEnvCache();
        const dir = demoDir();
        const cluster = await startDemoCluster({ dir, log: print, trafficRps: rps });
        onShutdown(() => cluster.stop());
        const control = await serveControl(dir, cluster, () => void shutdown(0));
        onShutdown(() => control.close());
        printStatus(cluster.status());
        print(
          [
            "",
            `Demo cluster up. Console: ${url}   Traffic enters HAProxy at ${cluster.state.haproxyUrl ?? "(no HAProxy)"}`,
            "Break it while you watch:  npx clusterdeck lab kill app-2   ·   lab hang agent:app-1   ·   lab resume app-2   ·   lab status",
            "Ctrl-C stops everything.",
            "",
          ].join("\n"),
        );
      },
    });
  },
};

function printStatus(components: ComponentStatus[]): void {
  const width = Math.max(...components.map((c) => c.name.length));
  for (const c of components) {
    print(
      `  ${c.name.padEnd(width)}  ${c.kind.padEnd(8)}  ${c.state.padEnd(7)}  ${c.port ? `port ${c.port}` : ""}${c.pid ? `  pid ${c.pid}` : ""}${c.note ? `  ${c.note}` : ""}`,
    );
  }
}

async function ask(command: ControlCommand) {
  const reply = await controlRequest(demoDir(), command).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT" || error.code === "ECONNREFUSED") {
      throw new CliError(`No demo cluster is running for ${dataDir()} (start one with \`npx clusterdeck demo\`).`);
    }
    throw error;
  });
  if (reply.status >= 400) throw new CliError(String(reply.body.error ?? `the demo refused (${reply.status})`));
  return reply.body;
}

const nameOption = {
  name: {
    type: "string" as const,
    value: "NAME",
    description: "Component, e.g. app-2, agent:app-1, pg-primary (also accepted as the first argument)",
    required: true,
  },
};

function action(verb: PartAction): Command {
  return {
    name: `lab ${verb}`,
    summary: partActions[verb].summary,
    options: nameOption,
    async run(values) {
      const name = str(values, "name")!;
      const body = await ask({ verb, name });
      note(`${partActions[verb].done} ${name}.`);
      printStatus(body.components as ComponentStatus[]);
    },
  };
}

export const labCommands: Command[] = [
  {
    name: "lab up",
    summary: "Bring the demo cluster up (the same as `clusterdeck demo`)",
    options: demoCommand.options,
    run: (values) => demoCommand.run(values),
  },
  {
    name: "lab status",
    summary: "List the demo cluster's parts: running, hung or dead",
    options: {},
    async run() {
      const body = await ask({ verb: "status" });
      printStatus(body.components as ComponentStatus[]);
    },
  },
  ...(Object.keys(partActions) as PartAction[]).map(action),
  {
    name: "lab down",
    summary: "Stop the running demo (console included)",
    options: {},
    async run() {
      await ask({ verb: "stop" });
      note("Stopping the demo.");
    },
  },
];

/** `lab kill app-2` reads better than `lab kill --name app-2`; accept both. */
export function labPositional(args: string[]): string[] {
  return args[0] && !args[0].startsWith("-") ? ["--name", args[0], ...args.slice(1)] : args;
}
