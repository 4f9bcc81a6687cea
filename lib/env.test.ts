// Protects: single sign-on is on only with issuer, client id and secret all
// set; half a setup, or one that maps no group to a role, stops the start
// with a message naming what is missing.
import { afterEach, describe, expect, it, vi } from "vitest";
import { env, oidcSettings, resetEnvCache } from "@/lib/env";

const full = {
  CLUSTERDECK_OIDC_ISSUER: "https://idp.example.com/realms/ops/",
  CLUSTERDECK_OIDC_CLIENT_ID: "clusterdeck",
  CLUSTERDECK_OIDC_CLIENT_SECRET: "s3cret",
  CLUSTERDECK_OIDC_VIEWER_GROUPS: "staff, ops-viewers ,",
};

function withEnv(vars: Record<string, string>) {
  for (const key of Object.keys(process.env)) if (key.startsWith("CLUSTERDECK_OIDC_")) vi.stubEnv(key, undefined);
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  resetEnvCache();
}

afterEach(() => {
  vi.unstubAllEnvs();
  resetEnvCache();
});

describe("single sign-on settings", () => {
  it("are off when nothing is set, or only blanks", () => {
    withEnv({});
    expect(oidcSettings()).toBeNull();
    withEnv({ CLUSTERDECK_OIDC_ISSUER: "", CLUSTERDECK_OIDC_CLIENT_ID: "", CLUSTERDECK_OIDC_CLIENT_SECRET: "" });
    expect(oidcSettings()).toBeNull();
  });

  it("are on with all three set, with defaults and parsed group lists", () => {
    withEnv(full);
    expect(oidcSettings()).toEqual({
      issuer: "https://idp.example.com/realms/ops",
      clientId: "clusterdeck",
      clientSecret: "s3cret",
      name: "Single sign-on",
      scopes: "openid email profile groups",
      groupsClaim: "groups",
      groups: { ADMIN: [], OPERATOR: [], VIEWER: ["staff", "ops-viewers"] },
    });
  });

  it("refuse half a setup, naming what is missing", () => {
    withEnv({ CLUSTERDECK_OIDC_ISSUER: full.CLUSTERDECK_OIDC_ISSUER, CLUSTERDECK_OIDC_VIEWER_GROUPS: "staff" });
    expect(() => env()).toThrow(/half configured.*CLUSTERDECK_OIDC_ISSUER set but CLUSTERDECK_OIDC_CLIENT_ID, CLUSTERDECK_OIDC_CLIENT_SECRET missing/);
    withEnv({ ...full, CLUSTERDECK_OIDC_CLIENT_SECRET: "" });
    expect(() => env()).toThrow(/CLUSTERDECK_OIDC_CLIENT_SECRET missing/);
  });

  it("refuse a setup where no group grants a role", () => {
    withEnv({ ...full, CLUSTERDECK_OIDC_VIEWER_GROUPS: " , " });
    expect(() => env()).toThrow(/no group maps to a role/);
  });

  it("refuse an issuer that is not a URL", () => {
    withEnv({ ...full, CLUSTERDECK_OIDC_ISSUER: "idp.example.com" });
    expect(() => env()).toThrow(/CLUSTERDECK_OIDC_ISSUER/);
  });
});

describe("CLUSTERDECK_TRUST_PROXY", () => {
  it("is a count of proxies in front: unset or blank is none, 1 is one as before", () => {
    for (const [value, hops] of [
      ["", 0],
      ["0", 0],
      ["1", 1],
      ["2", 2],
      [" 3 ", 3],
    ] as const) {
      withEnv({ CLUSTERDECK_TRUST_PROXY: value });
      expect(env().CLUSTERDECK_TRUST_PROXY, JSON.stringify(value)).toBe(hops);
    }
  });

  it("refuses anything but a non-negative integer, saying what it means", () => {
    for (const value of ["true", "false", "yes", "-1", "1.5", "1e3", "0x1", "1,2", "9999"]) {
      withEnv({ CLUSTERDECK_TRUST_PROXY: value });
      expect(() => env(), value).toThrow(/CLUSTERDECK_TRUST_PROXY: must be the number of proxies in front of the console: 0 for none/);
    }
  });
});
