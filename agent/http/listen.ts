// The HTTP(S) server the pipeline sits behind: TLS 1.2+ when the config names
// certificate files, request and header timeouts, and answers for what never
// reaches a route (CONNECT, requests Node cannot parse).
import { readFile } from "node:fs/promises";
import http, { type IncomingMessage, type ServerResponse } from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { AgentConfig } from "../config";

export async function createAgentServer(config: AgentConfig, listener: (req: IncomingMessage, res: ServerResponse) => void): Promise<http.Server> {
  const serverOptions = { requestTimeout: 15_000, headersTimeout: 10_000, keepAliveTimeout: 65_000 };
  let server: http.Server;
  if (config.tls) {
    const [cert, key] = await Promise.all(
      (["certFile", "keyFile"] as const).map((field) =>
        readFile(config.tls![field]).catch((error: Error) => {
          throw new Error(`tls.${field}: cannot read ${config.tls![field]}: ${error.message}`);
        }),
      ),
    );
    server = https.createServer({ ...serverOptions, cert, key, minVersion: "TLSv1.2" }, listener);
  } else {
    server = http.createServer(serverOptions, listener);
  }
  // CONNECT asks for a tunnel; Node hands over the bare socket, and without this closed it unanswered.
  server.on("connect", (_req, socket: Socket) => {
    socket.on("error", () => {});
    const body = JSON.stringify({ error: "method-not-allowed", message: "CONNECT is not served: this agent is not a proxy" });
    socket.end(
      `HTTP/1.1 405 Method Not Allowed\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\nallow: GET, POST\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  server.on("clientError", (_error, socket) => {
    if (socket.writable) socket.end("HTTP/1.1 400 Bad Request\r\nconnection: close\r\n\r\n");
    else socket.destroy();
  });
  return server;
}
