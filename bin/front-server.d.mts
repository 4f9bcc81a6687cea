import type { IncomingMessage, RequestListener, Server } from "node:http";
import type { Socket } from "node:net";

export type Refusal = { status: number; title: string; detail: string; headers?: Record<string, string> };

export declare function refusalFor(req: Pick<IncomingMessage, "method" | "url">): Refusal | null;
export declare function peerAddress(socket: Pick<Socket, "remoteAddress"> | undefined): string | null;
export declare function applyForwarding(req: Pick<IncomingMessage, "headers" | "socket">, hops: number): void;
export declare function createFrontServer(options: {
  handle: (req: IncomingMessage, res: Parameters<RequestListener>[1]) => unknown;
  trustProxyHops: number;
  log?: (line: Record<string, unknown>) => void;
}): { server: Server; close(): Promise<void> };
export declare function runFrontServer(options: { dir: string; hostname: string; port: number; trustProxyHops: number }): Promise<void>;
