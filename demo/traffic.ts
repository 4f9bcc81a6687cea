// A traffic generator for the demo: virtual clients that keep a session
// cookie (so HAProxy keeps them on one node), browse at a steady rate, write
// now and then, and leave after a while so sessions rise and fall.
import http from "node:http";

export type Traffic = { stop(): void; stats(): { sent: number; ok: number; failed: number } };

type Client = { cookie: string; leavesAt: number };

export function startTraffic(opts: { url: string; rps: number; writeShare: number; clients?: number }): Traffic {
  const target = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const clients: Client[] = [];
  const wanted = opts.clients ?? 30;
  let sent = 0;
  let ok = 0;
  let failed = 0;

  const request = (client: Client) => {
    const write = Math.random() < opts.writeShare;
    sent++;
    const req = http.request(
      {
        host: target.hostname,
        port: target.port,
        path: write ? "/write" : "/",
        method: write ? "POST" : "GET",
        agent,
        headers: client.cookie ? { cookie: client.cookie } : {},
        timeout: 5000,
      },
      (res) => {
        const setCookie = res.headers["set-cookie"];
        if (setCookie) {
          const jar = new Map(
            client.cookie
              .split("; ")
              .filter(Boolean)
              .map((c) => [c.split("=")[0], c] as const),
          );
          for (const c of setCookie) {
            const pair = c.split(";")[0]!;
            jar.set(pair.split("=")[0], pair);
          }
          client.cookie = [...jar.values()].join("; ");
        }
        res.resume();
        res.on("end", () => ((res.statusCode ?? 500) < 500 ? ok++ : failed++));
      },
    );
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => failed++);
    req.end();
  };

  const timer = setInterval(() => {
    const now = Date.now();
    for (let i = clients.length - 1; i >= 0; i--) if (clients[i]!.leavesAt < now) clients.splice(i, 1);
    while (clients.length < wanted) clients.push({ cookie: "", leavesAt: now + 20_000 + Math.random() * 40_000 });
    // A tick is 100 ms: send rps/10 requests from random clients.
    const perTick = opts.rps / 10;
    const count = Math.floor(perTick) + (Math.random() < perTick % 1 ? 1 : 0);
    for (let i = 0; i < count; i++) request(clients[Math.floor(Math.random() * clients.length)]!);
  }, 100);

  return {
    stop() {
      clearInterval(timer);
      agent.destroy();
    },
    stats: () => ({ sent, ok, failed }),
  };
}
