// The demo process's control channel: a unix socket in the demo folder (mode
// 600, so only its owner can use it) through which `clusterdeck lab` asks the
// process that owns the demo's children to kill, hang or resume them.
import http from "node:http";
import { chmod, rm } from "node:fs/promises";
import path from "node:path";
import type { DemoCluster } from "@/demo/cluster";

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
      const [, verb, name] = (req.url ?? "/").split("/");
      if (req.method === "GET" && verb === "status") return reply(200, { components: cluster.status(), haproxyUrl: cluster.state.haproxyUrl });
      if (req.method !== "POST") return reply(405, { error: "use POST" });
      if (verb === "stop") {
        reply(202, { ok: true });
        return onStop();
      }
      const target = decodeURIComponent(name ?? "");
      if (verb === "kill") cluster.kill(target);
      else if (verb === "hang") cluster.hang(target);
      else if (verb === "resume") await cluster.resume(target);
      else return reply(404, { error: `unknown command '${verb}'` });
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

export function controlRequest(dir: string, method: "GET" | "POST", pathname: string): Promise<{ status: number; body: Record<string, unknown> }> {
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
