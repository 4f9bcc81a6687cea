// Where the end-to-end console runs, and who signs in to it. The data folder
// is thrown away before each run (scripts/test.sh); the guard below refuses
// to point these tests at anything but a local, throwaway console.
import path from "node:path";

const port = Number(process.env.E2E_PORT ?? 3100);
const oidcPort = Number(process.env.E2E_OIDC_PORT ?? 3190);
const dataDir = path.resolve(process.env.E2E_DATA_DIR ?? ".e2e-data");

if (process.env.DATABASE_URL) {
  throw new Error(
    "Refusing to run end-to-end tests with DATABASE_URL set: they create and delete data. Unset it; the tests start their own embedded database.",
  );
}

export const E2E = {
  port,
  pgPort: Number(process.env.E2E_PG_PORT ?? 55439),
  baseURL: `http://127.0.0.1:${port}`,
  dataDir,
  authDir: path.resolve("e2e/.auth"),
  /**
   * The demo console's idle timeout. Longer than the default 30 min on purpose: the
   * sessions the setup project stores are used by specs that may run more than 30 min
   * later, and nothing in between is their user's activity. e2e/ui/session.spec.ts
   * moves sessions' clocks back by this much.
   */
  sessionIdleSeconds: Number(process.env.E2E_SESSION_IDLE_TIMEOUT ?? 4 * 3600),
  users: {
    ADMIN: { email: "admin@e2e.test", password: "admin-password-e2e-1" },
    OPERATOR: { email: "operator@e2e.test", password: "operator-password-e2e-1" },
    VIEWER: { email: "viewer@e2e.test", password: "viewer-password-e2e-1" },
  },
  /** The test identity provider (e2e/oidc/provider.ts) the console trusts for single sign-on. */
  oidc: {
    port: oidcPort,
    issuer: `http://127.0.0.1:${oidcPort}`,
    clientId: "clusterdeck-e2e",
    clientSecret: "e2e-oidc-client-secret-not-for-production",
    name: "E2E Identity",
    groups: { ADMIN: "cd-admins", OPERATOR: "cd-operators", VIEWER: "cd-viewers" },
    /** Login name at the provider → claims. Groups can be changed during a run (PUT /__e2e/groups/<login>). */
    accounts: {
      "sso-admin": { email: "sso-admin@e2e.test", name: "SSO Admin", groups: ["staff", "cd-admins"] },
      "sso-viewer": { email: "sso-viewer@e2e.test", name: "SSO Viewer", groups: "cd-viewers" },
      "sso-nogroup": { email: "sso-nogroup@e2e.test", name: "SSO Nobody", groups: ["staff", "contractors"] },
      "sso-promoted": { email: "sso-promoted@e2e.test", name: "SSO Promoted", groups: ["cd-viewers"] },
      // Claims the email of the local operator account: must not take it over.
      "sso-clash": { email: "operator@e2e.test", name: "SSO Clash", groups: ["cd-admins"] },
    } as Record<string, { email: string; name: string; groups: string[] | string }>,
  },
} as const;

export type E2ERole = keyof typeof E2E.users;
export const storageState = (role: E2ERole) => path.join(E2E.authDir, `${role.toLowerCase()}.json`);
export const tokensFile = () => path.join(E2E.authDir, "tokens.json");
