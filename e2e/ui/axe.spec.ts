// Protects (issue 16): the pages an on-call engineer reads first have no serious or
// critical accessibility violation (axe-core), as an operator sees them on the live
// demo: the dashboard with its needs-attention list, a cluster page, the operations
// list, a node's, a database's and a pooler's page, and the events. The load balancer
// page is scanned in lb-stats.spec.ts, under traffic.
import { expect, test } from "@playwright/test";
import { storageState } from "../env";
import { apiAs, seriousAxeViolations } from "../helpers";

test.describe.configure({ timeout: 120_000 });

type Named = { id: string; name: string; cluster: { id: string; name: string } };

test("the first pages of an incident have no serious accessibility violation", async ({ browser }) => {
  const api = await apiAs("VIEWER");
  const first = async (path: string) => ((await (await api.get(path)).json()).items as Named[]).find((x) => x.cluster.name === "demo")!;
  const node = await first("/api/v1/nodes?q=app-&pageSize=50");
  const database = await first("/api/v1/databases?pageSize=50");
  const pooler = await first(`/api/v1/poolers?clusterId=${node.cluster.id}`);
  await api.dispose();

  // bypassCSP: only so that axe can be injected; the pages are what they always are.
  const context = await browser.newContext({ storageState: storageState("OPERATOR"), bypassCSP: true });
  const page = await context.newPage();
  const pages = [
    "/dashboard",
    `/clusters/${node.cluster.id}`,
    "/operations",
    `/nodes/${node.id}`,
    `/databases/${database.id}`,
    `/poolers/${pooler.id}`,
    "/events",
  ];
  const found: Record<string, string[]> = {};
  for (const path of pages) {
    await page.goto(path);
    await expect(page.getByRole("main")).toBeVisible();
    const serious = await seriousAxeViolations(page);
    if (serious.length) found[path] = serious;
  }
  expect(found).toEqual({});
  await context.close();
});
