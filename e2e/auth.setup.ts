// Signs in each role through the login page and keeps its browser state;
// creates the operator and viewer through the API as the admin, and one API
// token per role for the API specs.
import fs from "node:fs";
import { expect, test as setup } from "@playwright/test";
import { E2E, storageState, tokensFile, type E2ERole } from "./env";

async function signIn(page: import("@playwright/test").Page, role: E2ERole) {
  const { email, password } = E2E.users[role];
  await page.goto("/login");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/dashboard$/);
  await expect(page.getByTestId("current-user")).toContainText(email);
  await page.context().storageState({ path: storageState(role) });
}

setup("sign in every role and mint tokens", async ({ page, browser }) => {
  fs.mkdirSync(E2E.authDir, { recursive: true });
  await signIn(page, "ADMIN");

  // Cookie-authenticated API calls must carry our Origin (CSRF defence).
  const headers = { origin: E2E.baseURL };
  for (const role of ["OPERATOR", "VIEWER"] as const) {
    const res = await page.request.post("/api/v1/users", {
      headers,
      data: { email: E2E.users[role].email, password: E2E.users[role].password, role, name: `${role.toLowerCase()} e2e` },
    });
    expect(res.status(), await res.text()).toBe(201);
  }

  const tokens: Record<string, string> = {};
  for (const role of ["ADMIN", "OPERATOR", "VIEWER"] as const) {
    const res = await page.request.post("/api/v1/tokens", { headers, data: { name: `e2e ${role.toLowerCase()}`, role, expiresInDays: 1 } });
    expect(res.status(), await res.text()).toBe(201);
    tokens[role] = (await res.json()).token;
  }
  fs.writeFileSync(tokensFile(), JSON.stringify(tokens), { mode: 0o600 });

  for (const role of ["OPERATOR", "VIEWER"] as const) {
    const context = await browser.newContext();
    await signIn(await context.newPage(), role);
    await context.close();
  }
});
