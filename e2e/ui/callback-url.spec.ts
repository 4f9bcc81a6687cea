// Protects: signing in never leads off the console, whatever `callbackUrl`
// the sign-in link carries. Each hostile value is the start of a phishing
// link: sign in on the real page (password, and single sign-on through the
// test provider), and the browser must end on the console's own origin, with
// no request ever sent anywhere else. A signed-in visitor sent to such a link
// is redirected on the console too. A legitimate path still works.
import { expect, test, type Browser, type Page } from "@playwright/test";
import { E2E } from "../env";

const home = new URL(E2E.baseURL);
const hostile = [
  "/\\evil.example",
  "/\t/evil.example",
  "/\n/evil.example",
  "/\r\n/evil.example/x",
  "\t//evil.example",
  "//evil.example",
  "/%09/evil.example",
  "/%2F%2Fevil.example",
  "/.//evil.example",
  "/\\/evil.example",
  "\\\\evil.example",
  "https://evil.example/",
  "HTTPS:evil.example",
  `http://${home.host}@evil.example/`,
  `http://${home.host}.evil.example/`,
  "javascript:alert(document.domain)",
  " javascript:alert(1)",
  "data:text/html,<script>alert(1)</script>",
  `/${"a".repeat(5000)}`,
];

/** Opens the sign-in page with `callbackUrl`, and records every host the tab navigates to (the test provider's own page loads fonts from elsewhere: not ours to judge). */
async function open(browser: Browser, callbackUrl: string) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const hosts = new Set<string>();
  const dialogs: string[] = [];
  page.on("request", (r) => {
    const url = new URL(r.url());
    if (r.isNavigationRequest() && url.protocol.startsWith("http")) hosts.add(url.host);
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await page.goto(`/login?callbackUrl=${encodeURIComponent(callbackUrl)}`);
  return { context, page, hosts, dialogs };
}

async function expectHome(page: Page, hosts: Set<string>, dialogs: string[], label: string) {
  // Wherever it ends, it is on the console (the dashboard, or a page of ours such as a 404 for "/%09/evil.example").
  await expect(page, label).toHaveURL((url) => url.origin === home.origin && !url.pathname.startsWith("/login"));
  await page.waitForLoadState("load");
  expect(new URL(page.url()).origin, label).toBe(home.origin);
  expect(
    [...hosts].filter((h) => h !== home.host && h !== new URL(E2E.oidc.issuer).host),
    label,
  ).toEqual([]);
  expect(dialogs, label).toEqual([]);
}

test("a password sign-in with a hostile callbackUrl ends on the console", async ({ browser }) => {
  test.setTimeout(120_000);
  const { email, password } = E2E.users.VIEWER;
  for (const value of hostile) {
    const label = JSON.stringify(value.slice(0, 60));
    const { context, page, hosts, dialogs } = await open(browser, value);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expectHome(page, hosts, dialogs, label);

    // Signed in now: the same link redirects on the console as well.
    await page.goto(`/login?callbackUrl=${encodeURIComponent(value)}`);
    await expectHome(page, hosts, dialogs, `${label} (signed in)`);
    await context.close();
  }
});

test("a single sign-on with a hostile callbackUrl ends on the console", async ({ browser }) => {
  for (const value of ["/\\evil.example", "/\t/evil.example", "https://evil.example/"]) {
    const label = JSON.stringify(value);
    const { context, page, hosts, dialogs } = await open(browser, value);
    await page.getByRole("button", { name: `Sign in with ${E2E.oidc.name}` }).click();
    await expect(page).toHaveURL((url) => url.origin === E2E.oidc.issuer && url.pathname.startsWith("/interaction/"));
    await page.locator('input[name="login"]').fill("sso-viewer");
    await page.locator('input[name="password"]').fill("any password will do here");
    await page.getByRole("button", { name: "Sign-in" }).click();
    await expectHome(page, hosts, dialogs, label);
    await context.close();
  }
});

test("a legitimate callbackUrl still brings the user back to it", async ({ browser }) => {
  const { context, page } = await open(browser, "/events?severity=CRITICAL#top");
  await page.getByLabel("Email").fill(E2E.users.VIEWER.email);
  await page.getByLabel("Password").fill(E2E.users.VIEWER.password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/events\?severity=CRITICAL#top$/);
  await context.close();
});
