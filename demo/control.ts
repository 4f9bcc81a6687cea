// The demo process's control channel, and the one definition of what
// `clusterdeck lab` can ask of it: a unix socket in the demo folder (mode
// 600, so only its owner can use it) through which the CLI (cli/demo.ts),
// the e2e specs and the benches ask the process that owns the demo's children
// for their status, to kill, hang or resume one, or to stop. Both ends of the
// wire are here, so a lab command is added (or changed) in one place.
import http from "node:http";
import { chmod, rm } from "node:fs/promises";
import path from "node:path";
import type { DemoCluster } from "@/demo/cluster";

/** What each action does to a part of the running cluster; the CLI's `lab kill|hang|resume` are made from this list. */
export const partActions = {
  kill: { summary: "kill -9 a part (an app node, an agent, a database)", done: "Killed", run: (cluster: DemoCluster, name: string) => cluster.kill(name) },
  hang: { summary: "SIGSTOP a part: it keeps its sockets and answers nothing", done: "Hung", run: (cluster: DemoCluster, name: string) => cluster.hang(name) },
  resume: { summary: "SIGCONT a hung part, or start a killed one again", done: "Resumed", run: (cluster: DemoCluster, name: string) => cluster.resume(name) },
} as const;
export type PartAction = keyof typeof partActions;

/** One request over the channel. */
export type ControlCommand = { verb: "status" } | { verb: "stop" } | { verb: PartAction; name: string };

const isPartAction = (verb: string): verb is PartAction => Object.hasOwn(partActions, verb);

export const controlSocket = (dir: string) => path.join(dir, "control.sock");

export async function serveControl(dir: string, cluster: DemoCluster, onStop: () => void): Promise<{ close(): Promise<void> }> {
  const socketPath = controlSocket(dir);
  await rm(socketPath, { force: true });
  const server = http.createServer(async (req, res) => {
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    try {
      const [, verb = "", name] = (req.url ?? "/").split("/");
      if (req.method === "GET" && verb === "status") return reply(200, { components: cluster.status(), haproxyUrl: cluster.state.haproxyUrl });
      if (req.method !== "POST") return reply(405, { error: "use POST" });
      if (verb === "stop") {
        reply(202, { ok: true });
        return onStop();
      }
      const target = decodeURIComponent(name ?? "");
      if (!isPartAction(verb)) return reply(404, { error: `unknown command '${verb}'` });
      await partActions[verb].run(cluster, target);
      return reply(200, { ok: true, components: cluster.status() });
    } catch (error) {
      return reply(409, { error: (error as Error).message });
    }
  });
  await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  await chmod(socketPath, 0o600);
  return {
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function route(command: ControlCommand): { method: "GET" | "POST"; path: string } {
  if (command.verb === "status") return { method: "GET", path: "/status" };
  if (command.verb === "stop") return { method: "POST", path: "/stop" };
  return { method: "POST", path: `/${command.verb}/${encodeURIComponent(command.name)}` };
}

export function controlRequest(dir: string, command: ControlCommand): Promise<{ status: number; body: Record<string, unknown> }> {
  const { method, path: pathname } = route(command);
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: controlSocket(dir), method, path: pathname, timeout: 30_000 }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c: string) => (text += c));
      res.on("end", () => {
        try {
          resolve({ status: res.statusCode ?? 500, body: JSON.parse(text) });
        } catch {
          resolve({ status: res.statusCode ?? 500, body: { error: text } });
        }
      });
    });
    req.on("error", reject);
    req.on("timeout", () => req.destroy(new Error("the demo did not answer within 30 s")));
    req.end();
  });
}
