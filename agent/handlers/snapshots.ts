// The snapshots the collector publishes: the latest (GET /v1/status), or
// NDJSON, the latest at once and then one per interval (GET /v1/stream). One
// collect loop serves every client.
import type { Exchange } from "../http/route";
import { remoteOf } from "../http/respond";
import type { AgentState } from "../state";

/** More concurrent streams than any sane number of workers would open. */
export const MAX_STREAMS = 64;
/** A stream client this far behind is dropped rather than buffered for. */
const MAX_STREAM_BACKLOG_BYTES = 1024 * 1024;

export async function status(agent: AgentState, x: Exchange): Promise<void> {
  x.send(200, await agent.collector.current());
}

export function stream(agent: AgentState, x: Exchange): void {
  const { req, res } = x;
  const { collector, streams, log } = agent;
  if (streams.size >= MAX_STREAMS) {
    x.send(503, { error: "too-many-streams", message: `at most ${MAX_STREAMS} streams at once` }, { "retry-after": "5" });
    return;
  }
  res.writeHead(200, {
    "content-type": "application/x-ndjson; charset=utf-8",
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  req.socket.setNoDelay(true);
  req.socket.setKeepAlive(true, 10_000);
  streams.add(res);
  const send = (line: string) => {
    if (res.writableLength > MAX_STREAM_BACKLOG_BYTES) {
      log({ level: "warn", msg: "stream client too slow, dropped", remote: remoteOf(req) });
      res.destroy();
      return;
    }
    res.write(line);
  };
  const unsubscribe = collector.subscribe(send);
  if (collector.latestLine) send(collector.latestLine);
  else res.flushHeaders();
  res.on("close", () => {
    unsubscribe();
    streams.delete(res);
  });
}
