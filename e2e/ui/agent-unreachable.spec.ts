// Truthful states on the demo (issue 16): app-1's agent is hung (SIGSTOP,
// through the demo's control channel) while the app keeps serving, so
// HAProxy's checks of it pass. The node's page and the load balancer's page
// say "Agent unreachable" — with the reason and the help's timings — and the
// node stays in the load balancer's pool table; resumed, it is Up again. The
// demo is left as found (the agent resumed and the node UP) even on failure.
import path from "node:path";
import { expect, test } from "@playwright/test";
import { controlRequest } from "@/demo/control";
import { E2E, storageState } from "../env";
import { apiAs } from "../helpers";

const demoDir = path.join(E2E.dataDir, "demo");

test.describe.configure({ timeout: 90_000 });

type Listed = { id: string; name: string; health: string; cluster: { name: string } };

async function demoNode(name: string): Promise<Listed | undefined> {
  const api = await apiAs("VIEWER");
  try {
    const nodes = await (await api.get(`/api/v1/nodes?q=${name}&pageSize=10`)).json();
    return nodes.items.find((n: Listed) => n.name === name && n.cluster.name === "demo");
  } finally {
    await api.dispose();
  }
}

test("a hung agent beside a serving app is 'Agent unreachable', stays in the pool table, and is Up once resumed", async ({ browser }) => {
  await expect.poll(async () => (await demoNode("app-1"))?.health, { timeout: 60_000 }).toBe("UP");
  const node = (await demoNode("app-1"))!;
  const api = await apiAs("VIEWER");
  const lbs = await (await api.get("/api/v1/load-balancers?q=haproxy-1&pageSize=10")).json();
  await api.dispose();
  const lb = lbs.items.find((l: Listed) => l.name === "haproxy-1" && l.cluster.name === "demo") as Listed;

  const context = await browser.newContext({ storageState: storageState("VIEWER") });
  const page = await context.newPage();
  try {
    const hung = await controlRequest(demoDir, { verb: "hang", name: "agent:app-1" });
    expect(hung.status).toBe(200);
    // Heartbeat timeout (3.5 s) plus a second, with slack for a busy machine.
    await expect.poll(async () => (await demoNode("app-1"))?.health, { timeout: 15_000, intervals: [250] }).toBe("UNREACHABLE");

    await page.goto(`/nodes/${node.id}`);
    const health = page.getByTestId("health-prop");
    await expect(health.getByText("Agent unreachable", { exact: true })).toBeVisible();
    await expect(page.getByTestId("health-reason")).toContainText("agent unreachable; haproxy-1's health check still passes");
    await page.getByText("How health is decided").click();
    await expect(page.getByTestId("health-help")).toContainText("noticed after 3.5 s without a report");
    await expect(page.getByTestId("health-help")).toContainText("about 4.5 s after its agent hung");

    await page.goto(`/load-balancers/${lb.id}`);
    const row = page.getByRole("table", { name: "Pool members" }).getByRole("row").filter({ hasText: "app-1" });
    await expect(row).toHaveCount(1);
    await expect(row.getByText("Agent unreachable", { exact: true })).toBeVisible();
    // Its admin state is its own: Active, not coloured or worded as a failure.
    await expect(row.getByText("Active", { exact: true })).toBeVisible();
  } finally {
    await controlRequest(demoDir, { verb: "resume", name: "agent:app-1" });
  }
  await expect.poll(async () => (await demoNode("app-1"))?.health, { timeout: 20_000 }).toBe("UP");
  await page.reload();
  await expect(page.getByRole("table", { name: "Pool members" }).getByRole("row").filter({ hasText: "app-1" }).getByText("Up", { exact: true })).toBeVisible();
  await context.close();
});
