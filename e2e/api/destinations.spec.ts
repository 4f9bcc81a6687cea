// Protects (issue 11, §5): where the console agrees to connect, and what it
// repeats of what answered.
//   - A node whose agent URL leads to something that is not an agent (here an
//     HTTP service on loopback whose every answer holds a secret): a VIEWER
//     reading the node, its events and its running configuration sees a
//     status line, never that body.
//   - A literal link-local or metadata address in an agent URL or host is a
//     422 naming the field, however it is spelled; the admin-only setting
//     allows it, with a reason that lands in the audit trail.
// The connect-time check (names resolving there) is worker/destinations.test.ts.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "@playwright/test";
import { apiAs, uniqueName } from "../helpers";

const SECRET = "METADATA-SECRET-AKIAE2E0123456789";

test.describe.configure({ timeout: 90_000 });

async function foreignService() {
  const server = http.createServer((req, res) => {
    req.resume();
    // Each path a different shape: JSON like an agent's, text, HTML.
    if (req.url?.startsWith("/v1/stream")) return void res.writeHead(403, { "content-type": "text/plain" }).end(`${SECRET}\n`);
    if (req.url?.startsWith("/v1/config"))
      return void res.writeHead(409, { "content-type": "application/json" }).end(JSON.stringify({ error: SECRET, message: SECRET }));
    res.writeHead(500, { "content-type": "text/html" }).end(`<html><body>${SECRET}</body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
}

test("a VIEWER sees a status line, never the body of a non-agent at an agent URL", async () => {
  const foreign = await foreignService();
  const admin = await apiAs("ADMIN");
  const viewer = await apiAs("VIEWER");
  try {
    const cluster = await (await admin.post("/api/v1/clusters", { data: { name: uniqueName("foreign") } })).json();
    const created = await admin.post("/api/v1/nodes", {
      data: { clusterId: cluster.id, name: "not-an-agent", host: "127.0.0.1", port: 1, agentUrl: `http://127.0.0.1:${foreign.port}` },
    });
    expect(created.status(), await created.text()).toBe(201);
    const node = await created.json();
    expect((await admin.post(`/api/v1/nodes/${node.id}/agent-credential`)).status()).toBe(201);

    // The worker watches it from its next refresh, and calls it DOWN with a reason.
    let events: { message: string; data: unknown }[] = [];
    await expect
      .poll(
        async () => {
          events = (await (await viewer.get(`/api/v1/events?subjectId=${node.id}`)).json()).items;
          return events.some((e) => e.message.startsWith("not-an-agent is down"));
        },
        { timeout: 60_000 },
      )
      .toBe(true);
    const down = events.find((e) => e.message.startsWith("not-an-agent is down"))!;
    // The status line, then the evidence that the node itself is down too (nothing listens on its port 1).
    expect(down.message).toBe(
      `not-an-agent is down: agent at http://127.0.0.1:${foreign.port}: agent answered 403 Forbidden (not a signed agent answer); ` +
        "the worker's TCP probe of 127.0.0.1:1: connection refused",
    );

    const running = await viewer.get(`/api/v1/config/targets/nodes/${node.id}/running`);
    expect(running.status()).toBe(200);
    const runningBody = await running.json();
    expect(runningBody.running.error).toBe(`agent at http://127.0.0.1:${foreign.port} answered 409 Conflict (not a signed agent answer)`);

    const answers = [
      JSON.stringify(events),
      JSON.stringify(runningBody),
      await (await viewer.get(`/api/v1/nodes/${node.id}`)).text(),
      await (await viewer.get(`/api/v1/events?pageSize=200`)).text(),
      await (await viewer.get(`/api/v1/summary`)).text(),
    ];
    for (const answer of answers) expect(answer).not.toContain(SECRET);

    expect((await admin.delete(`/api/v1/nodes/${node.id}`)).status()).toBe(204);
    expect((await admin.delete(`/api/v1/clusters/${cluster.id}`)).status()).toBe(204);
  } finally {
    await foreign.close();
    await admin.dispose();
    await viewer.dispose();
  }
});

test("a literal link-local or metadata address is refused at input, naming the field, until an admin allows it", async () => {
  const admin = await apiAs("ADMIN");
  const operator = await apiAs("OPERATOR");
  const cluster = await (await admin.post("/api/v1/clusters", { data: { name: uniqueName("linklocal") } })).json();
  try {
    const base = { clusterId: cluster.id, name: "ll-node", host: "10.9.8.7", port: 8080 };
    const refused = [
      ["agentUrl", { agentUrl: "http://169.254.169.254:7070" }],
      ["agentUrl", { agentUrl: "http://[::ffff:169.254.169.254]:7070" }],
      ["agentUrl", { agentUrl: "http://[64:ff9b::a9fe:a9fe]/" }],
      ["agentUrl", { agentUrl: "http://0xa9fea9fe:7070" }],
      ["agentUrl", { agentUrl: "https://[fd00:ec2::254]/" }],
      ["host", { host: "169.254.170.2" }],
      ["host", { host: "fe80::1%eth0" }],
      ["host", { host: "100.100.100.200" }],
    ] as const;
    for (const [field, input] of refused) {
      const res = await admin.post("/api/v1/nodes", { data: { ...base, ...input } });
      expect(res.status(), JSON.stringify(input)).toBe(422);
      expect(res.headers()["content-type"]).toContain("application/problem+json");
      const problem = await res.json();
      expect(problem.errors, JSON.stringify(input)).toEqual([
        { path: `body.${field}`, message: expect.stringMatching(/unless an admin allows link-local destinations/) },
      ]);
    }
    // A load balancer and a database say the same; an edit too.
    expect(
      (
        await admin.post("/api/v1/load-balancers", {
          data: { clusterId: cluster.id, name: "ll-lb", kind: "HAPROXY", host: "10.9.8.6", port: 80, agentUrl: "http://169.254.169.254/" },
        })
      ).status(),
    ).toBe(422);
    expect(
      (
        await admin.post("/api/v1/databases", { data: { clusterId: cluster.id, name: "ll-db", host: "169.254.169.254", port: 5432, role: "REPLICA" } })
      ).status(),
    ).toBe(422);
    const ok = await (await admin.post("/api/v1/nodes", { data: base })).json();
    expect((await admin.patch(`/api/v1/nodes/${ok.id}`, { data: { agentUrl: "http://[fe80::1]:7070" } })).status()).toBe(422);

    // The setting: admins only, read and changed with a reason.
    expect(await (await admin.get("/api/v1/settings/link-local-destinations")).json()).toEqual({ allowed: false });
    expect((await operator.get("/api/v1/settings/link-local-destinations")).status()).toBe(403);
    expect((await operator.post("/api/v1/settings/link-local-destinations", { data: { allowed: true, reason: "operators may not" } })).status()).toBe(403);
    expect((await admin.post("/api/v1/settings/link-local-destinations", { data: { allowed: true } })).status()).toBe(422);
    const reason = `agents on link-local addresses ${uniqueName("r")}`;
    const allowed = await admin.post("/api/v1/settings/link-local-destinations", { data: { allowed: true, reason } });
    expect(allowed.status(), await allowed.text()).toBe(200);
    try {
      expect(await allowed.json()).toEqual({ allowed: true });
      const audit = (await (await admin.get("/api/v1/audit?action=settings.link-local-destinations&pageSize=20")).json()).items as {
        action: string;
        reason: string;
        summary: unknown;
      }[];
      expect(audit.find((a) => a.reason === reason)).toMatchObject({ action: "settings.link-local-destinations", summary: { from: false, to: true } });
      const now = await admin.patch(`/api/v1/nodes/${ok.id}`, { data: { agentUrl: "http://169.254.169.254:7070", host: "169.254.170.2" } });
      expect(now.status(), await now.text()).toBe(200);
    } finally {
      expect((await admin.post("/api/v1/settings/link-local-destinations", { data: { allowed: false, reason: `back to refusing ${reason}` } })).status()).toBe(
        200,
      );
    }
    expect(await (await admin.get("/api/v1/settings/link-local-destinations")).json()).toEqual({ allowed: false });
    expect((await admin.delete(`/api/v1/nodes/${ok.id}`)).status()).toBe(204);
  } finally {
    await admin.delete(`/api/v1/clusters/${cluster.id}`);
    await admin.dispose();
    await operator.dispose();
  }
});
