// Protects (issue 11, §5): the Content-Security-Policy of every page. Every
// page of the app tree (walked from app/**/page.tsx, so a new page without a
// way to reach it here fails) is opened as ADMIN, /login and /forbidden
// anonymously, plus a not-found page; for each response:
//   - the policy's script-src has a nonce, different on every response, and
//     no 'unsafe-inline';
//   - every <script> tag in the HTML carries that nonce;
//   - nothing on the page trips the policy while it runs, live updates
//     included (a `securitypolicyviolation` listener installed before any of
//     the page's scripts, and the console).
// And the policy does bite: an inline event handler is refused.
// API and static responses get a policy that allows nothing.
import fs from "node:fs";
import path from "node:path";
import { expect, test, type Page, type Response } from "@playwright/test";
import { E2E, storageState } from "../env";
import { apiAs, uniqueName } from "../helpers";

test.describe.configure({ timeout: 240_000 });

/** Every page route, as a pattern such as /nodes/[id] ("/" included), from the app folder. */
function pageRoutes(): string[] {
  const root = path.resolve("app");
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory() && entry.name !== "api") walk(full);
      else if (entry.name === "page.tsx") {
        const segments = path
          .relative(root, dir)
          .split(path.sep)
          .filter((s) => s && !/^\(.+\)$/.test(s));
        out.push("/" + segments.join("/"));
      }
    }
  };
  walk(root);
  return out.sort();
}

function scriptSrc(csp: string): string[] {
  const directive = csp
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("script-src "));
  return directive ? directive.split(/\s+/).slice(1) : [];
}

type Visit = { url: string; nonce: string };

/** Collects violations from before the page's first script, in every document of the context. */
async function watchViolations(page: Page): Promise<string[]> {
  const fromConsole: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to (execute|load|apply|connect|evaluate)/i.test(m.text())) fromConsole.push(`console: ${m.text()}`);
  });
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      w.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} at ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  return fromConsole;
}

async function violations(page: Page, fromConsole: string[]): Promise<string[]> {
  const inPage = await page.evaluate(() => (window as unknown as { __cspViolations?: string[] }).__cspViolations ?? []);
  return [...inPage, ...fromConsole.splice(0)];
}

const seenNonces = new Set<string>();

/** Opens a page and checks its policy and its HTML; returns the nonce. */
async function checkPage(page: Page, url: string, expectStatus: (s: number) => boolean = (s) => s < 400): Promise<Visit> {
  const response = (await page.goto(url, { waitUntil: "load" })) as Response;
  expect(response, url).not.toBeNull();
  expect(expectStatus(response.status()), `${url} answered ${response.status()}`).toBe(true);
  const csp = response.headers()["content-security-policy"] ?? "";
  const sources = scriptSrc(csp);
  expect(sources, `${url}: ${csp}`).not.toContain("'unsafe-inline'");
  expect(sources, `${url}: ${csp}`).not.toContain("'unsafe-eval'");
  const nonceSource = sources.find((s) => /^'nonce-[A-Za-z0-9+/=_-]{16,}'$/.test(s));
  expect(nonceSource, `${url}: no nonce in ${csp}`).toBeTruthy();
  const nonce = nonceSource!.slice("'nonce-".length, -1);
  expect(seenNonces.has(nonce), `${url}: nonce ${nonce} was used before`).toBe(false);
  seenNonces.add(nonce);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).toMatch(/object-src 'none'/);
  // The other security headers are still there.
  expect(response.headers()["x-frame-options"]).toBe("DENY");
  expect(response.headers()["x-content-type-options"]).toBe("nosniff");
  const html = await response.text();
  const tags = html.match(/<script\b[^>]*>/g) ?? [];
  expect(tags.length, `${url}: no script tags at all?`).toBeGreaterThan(0);
  for (const tag of tags) expect(tag, `${url}: a script without this response's nonce`).toContain(`nonce="${nonce}"`);
  return { url: response.url(), nonce };
}

async function realPaths(): Promise<Record<string, string>> {
  const api = await apiAs("ADMIN");
  const first = async (listPath: string, pick: (items: Record<string, unknown>[]) => Record<string, unknown> | undefined = (i) => i[0]) => {
    const body = await (await api.get(listPath)).json();
    const items = (Array.isArray(body) ? body : body.items) as Record<string, unknown>[];
    return pick(items);
  };
  // The demo registers itself a little after the console answers.
  await expect
    .poll(async () => (await first("/api/v1/databases?pageSize=200", (i) => i.find((d) => (d.cluster as { name: string }).name === "demo"))) !== undefined, {
      timeout: 90_000,
    })
    .toBe(true);
  await expect.poll(async () => (await first("/api/v1/operations?limit=50")) !== undefined, { timeout: 60_000 }).toBe(true);
  const demo = (items: Record<string, unknown>[]) => items.find((x) => (x.cluster as { name: string } | undefined)?.name === "demo") ?? items[0];
  const cluster = await first("/api/v1/clusters?q=demo");
  const scope = await first("/api/v1/config/scopes", (items) => items.find((s) => s.kind === "HAPROXY" && s.clusterName === "demo") ?? items[0]);
  // The demo may run without a pooler: then one of its own, in a cluster of its own.
  const aPooler = async () => {
    const own = await (await api.post("/api/v1/clusters", { data: { name: uniqueName("csp-pooler") } })).json();
    return (await api.post("/api/v1/poolers", { data: { clusterId: own.id, name: "pgb-csp", host: "127.0.0.1", port: 6498 } })).json() as Promise<{
      id: string;
    }>;
  };
  const ids = {
    "/clusters/[id]": `/clusters/${cluster!.id}`,
    "/nodes/[id]": `/nodes/${(await first("/api/v1/nodes?pageSize=200", demo))!.id}`,
    "/load-balancers/[id]": `/load-balancers/${(await first("/api/v1/load-balancers?pageSize=200", demo))!.id}`,
    "/databases/[id]": `/databases/${(await first("/api/v1/databases?pageSize=200", demo))!.id}`,
    "/poolers/[id]": `/poolers/${((await first("/api/v1/poolers?pageSize=200", demo)) ?? (await aPooler()))!.id}`,
    "/operations/[id]": `/operations/${(await first("/api/v1/operations?limit=50"))!.id}`,
    "/config/[scope]": `/config/${scope!.key}`,
    "/config/[scope]/edit": `/config/${scope!.key}/edit`,
  };
  await api.dispose();
  return ids;
}

test("every page carries a fresh nonce, no 'unsafe-inline' for scripts, and runs without a violation", async ({ browser }) => {
  const filled = await realPaths();
  const routes = pageRoutes();
  const anonymous = ["/login", "/forbidden"];
  const asAdmin = routes.filter((r) => !anonymous.includes(r)).map((r) => filled[r] ?? r);
  // A page pattern this spec cannot fill is a page it would not check.
  for (const url of asAdmin) expect(url, `no id to open ${url} with: add it to realPaths()`).not.toMatch(/\[/);
  expect(routes).toEqual(expect.arrayContaining(anonymous));

  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  const fromConsole = await watchViolations(page);
  for (const url of asAdmin) {
    await checkPage(page, url);
    // Live pages keep running: let the stream deliver (connect-src) and charts draw (styles).
    if (await page.getByTestId("live-status").count()) await expect(page.getByTestId("live-status").first()).toHaveText("Live", { timeout: 15_000 });
    await page.waitForTimeout(url === "/dashboard" || url.startsWith("/nodes/") ? 3000 : 500);
    expect(await violations(page, fromConsole), url).toEqual([]);
  }
  // An error page: what a missing record or an unknown path renders.
  await checkPage(page, "/nodes/zzzznotfound000000000000", (s) => s === 404);
  expect(await violations(page, fromConsole)).toEqual([]);
  await checkPage(page, "/no-such-page", (s) => s === 404);
  expect(await violations(page, fromConsole)).toEqual([]);

  // The policy bites, and the listener above would have told: an inline handler does not run.
  await checkPage(page, "/dashboard");
  const ran = await page.evaluate(async () => {
    const el = document.createElement("button");
    el.setAttribute("onclick", "window.__inlineRan = true");
    document.body.appendChild(el);
    el.click();
    await new Promise((r) => setTimeout(r, 200));
    return (window as unknown as { __inlineRan?: boolean }).__inlineRan === true;
  });
  expect(ran).toBe(false);
  expect((await violations(page, fromConsole)).join("\n")).toMatch(/script-src-attr blocked inline/);
  await context.close();

  const anon = await browser.newContext();
  const anonPage = await anon.newPage();
  const anonConsole = await watchViolations(anonPage);
  for (const url of anonymous) {
    const visit = await checkPage(anonPage, url);
    expect(new URL(visit.url).pathname, `${url} is open to anyone`).toBe(url);
    await anonPage.waitForTimeout(500);
    expect(await violations(anonPage, anonConsole), url).toEqual([]);
  }
  // The sign-in form still works under the policy.
  await anonPage.goto("/login");
  await anonPage.getByLabel("Email").fill(E2E.users.VIEWER.email);
  await anonPage.getByLabel("Password").fill(E2E.users.VIEWER.password);
  await anonPage.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(anonPage).toHaveURL(/\/dashboard$/);
  expect(await violations(anonPage, anonConsole)).toEqual([]);
  await anon.close();
});

test("two loads of the same page get two nonces", async ({ browser }) => {
  const context = await browser.newContext({ storageState: storageState("ADMIN") });
  const page = await context.newPage();
  const a = await checkPage(page, "/nodes");
  const b = await checkPage(page, "/nodes");
  expect(a.nonce).not.toBe(b.nonce);
  await context.close();
});

test("API and static responses carry a policy that allows nothing to run", async ({ request }) => {
  const health = await request.get("/api/v1/health");
  expect(health.headers()["content-security-policy"]).toMatch(/default-src 'none'/);
  const unknown = await request.get("/api/v1/no-such-route");
  expect(unknown.status()).toBe(404);
  expect(unknown.headers()["content-type"]).toContain("application/problem+json");
  expect(unknown.headers()["content-security-policy"]).toMatch(/default-src 'none'/);
  const login = await (await request.get("/login")).text();
  const chunk = login.match(/src="(\/_next\/static\/[^"]+\.js)"/)?.[1];
  expect(chunk).toBeTruthy();
  const asset = await request.get(chunk!);
  expect(asset.status()).toBe(200);
  expect(asset.headers()["content-security-policy"]).toMatch(/default-src 'none'/);
  // The anonymous redirect to /login still happens, for pages that are not open to all.
  const redirected = await request.get("/nodes", { maxRedirects: 0 });
  expect(redirected.status()).toBe(307);
  expect(redirected.headers().location).toMatch(/\/login\?callbackUrl=%2Fnodes$/);
});
