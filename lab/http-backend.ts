/**
 * A tiny HTTP "app server" to put behind the lab HAProxy: `GET /health` answers
 * 200 (or 503 after setHealthy(false)), anything else answers
 * `{"server": <name>, "requests": n}` so a client can see who served it.
 *
 *   const app = await startHttpBackend({ name: "app1" });   // port: free one unless given
 *   app.port; app.requests; app.setHealthy(false); await app.stop();
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface HttpBackendHandle {
  name: string;
  port: number;
  url: string;
  /** Requests served, /health checks excluded. */
  readonly requests: number;
  setHealthy(healthy: boolean): void;
  /** Stops listening and drops every open connection (like a crashed server). */
  stop(): Promise<void>;
}

export async function startHttpBackend(opts: { name: string; port?: number; host?: string }): Promise<HttpBackendHandle> {
  let healthy = true;
  let requests = 0;
  const server = http.createServer((req, res) => {
    if (req.url === "/health") {
      res.writeHead(healthy ? 200 : 503, { "content-type": "text/plain" }).end(healthy ? "ok\n" : "unhealthy\n");
      return;
    }
    requests++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ server: opts.name, requests }));
  });
  const host = opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  let stopped: Promise<void> | null = null;
  return {
    name: opts.name,
    port,
    url: `http://${host}:${port}`,
    get requests() {
      return requests;
    },
    setHealthy(h) {
      healthy = h;
    },
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
  };
}
