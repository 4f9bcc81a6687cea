// Reading a request body within a limit.
import type { IncomingMessage } from "node:http";

export class BodyTooLarge extends Error {}
/** The client went away before its body was complete. */
export class BodyAborted extends Error {}

/**
 * Reads the request body up to `limit` bytes. Past the limit the rest is read
 * and dropped rather than the request destroyed: the socket must stay usable
 * for the 413 (a for-await loop left early destroys it, and then the refusal
 * itself failed and answered 500).
 */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(new BodyTooLarge());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
    };
    req.on("data", (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        return settle(() => reject(new BodyTooLarge()));
      }
      chunks.push(chunk);
    });
    req.on("end", () => settle(() => resolve(Buffer.concat(chunks))));
    req.on("error", () => settle(() => reject(new BodyAborted())));
    req.on("close", () => settle(() => (req.complete ? resolve(Buffer.concat(chunks)) : reject(new BodyAborted()))));
  });
}
