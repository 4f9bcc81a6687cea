// End-to-end tests against the real console: `clusterdeck start` with its
// own embedded PostgreSQL in a throwaway data folder, driven through the
// API and through Debian's chromium.
import { defineConfig, devices } from "@playwright/test";
import { E2E } from "./e2e/env";

const chromium = {
  ...devices["Desktop Chrome"],
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  },
};

export default defineConfig({
  testDir: "./e2e",
  fullyParallel: false,
  workers: 1,
  forbidOnly: Boolean(process.env.CI),
  retries: 0,
  timeout: 30_000,
  expect: { timeout: 7_000 },
  reporter: process.env.CI ? [["list"]] : [["list"], ["html", { open: "never" }]],
  use: { baseURL: E2E.baseURL, trace: "retain-on-failure" },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/, use: chromium },
    { name: "api", testMatch: /api\/.*\.spec\.ts/, dependencies: ["setup"] },
    { name: "ui", testMatch: /ui\/.*\.spec\.ts/, dependencies: ["setup"], use: chromium },
    // Runs its own console (two web instances, two workers, its own PostgreSQL), not the demo.
    { name: "ha", testMatch: /ha\/.*\.spec\.ts/, use: chromium },
  ],
  webServer: [
    {
      // The identity provider the console trusts for single sign-on (e2e/ui/sso.spec.ts).
      command: "node --import tsx e2e/oidc/provider.ts",
      url: `${E2E.oidc.issuer}/.well-known/openid-configuration`,
      timeout: 30_000,
      reuseExistingServer: false,
      stdout: "ignore",
      stderr: "pipe",
      env: { E2E_OIDC_PORT: String(E2E.oidc.port), E2E_PORT: String(E2E.port) },
    },
    {
      // The demo: console, worker, and a live cluster (HAProxy, app nodes, PostgreSQL pair, agents).
      command: `node bin/clusterdeck.mjs demo --port ${E2E.port} --rps 5`,
      url: `${E2E.baseURL}/api/v1/health`,
      timeout: 120_000,
      reuseExistingServer: false,
      // SIGTERM, not Playwright's default SIGKILL: the demo then stops what it started
      // (PostgreSQL runs detached through pg_ctl and would outlive a killed parent).
      gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
      stdout: "pipe",
      stderr: "pipe",
      env: {
        CLUSTERDECK_DATA_DIR: E2E.dataDir,
        CLUSTERDECK_PG_PORT: String(E2E.pgPort),
        CLUSTERDECK_ADMIN_EMAIL: E2E.users.ADMIN.email,
        CLUSTERDECK_ADMIN_PASSWORD: E2E.users.ADMIN.password,
        NEXTAUTH_URL: E2E.baseURL,
        NEXT_TELEMETRY_DISABLED: "1",
        // Every answer the suite gets is checked against its route's response schema.
        CLUSTERDECK_CHECK_RESPONSES: "1",
        CLUSTERDECK_SESSION_IDLE_TIMEOUT: String(E2E.sessionIdleSeconds),
        CLUSTERDECK_OIDC_ISSUER: E2E.oidc.issuer,
        CLUSTERDECK_OIDC_CLIENT_ID: E2E.oidc.clientId,
        CLUSTERDECK_OIDC_CLIENT_SECRET: E2E.oidc.clientSecret,
        CLUSTERDECK_OIDC_NAME: E2E.oidc.name,
        CLUSTERDECK_OIDC_ADMIN_GROUPS: E2E.oidc.groups.ADMIN,
        CLUSTERDECK_OIDC_OPERATOR_GROUPS: E2E.oidc.groups.OPERATOR,
        CLUSTERDECK_OIDC_VIEWER_GROUPS: E2E.oidc.groups.VIEWER,
      },
    },
  ],
});
