// Protects: a request carrying a cookie that does not percent-decode (any
// cookie on our host, ours or not) is simply not signed in — it used to fail
// with a 500 (URIError) before the role check (found by e2e/api/fuzz.spec.ts).
import { beforeAll, expect, it } from "vitest";
import { resetEnvCache } from "@/lib/env";
import { requestActor, sessionActorFrom } from "@/lib/sign-in/session";

beforeAll(() => {
  process.env.CLUSTERDECK_SECRET ??= "s".repeat(40);
  resetEnvCache();
});

it("treats undecodable or forged cookies as no session", async () => {
  for (const cookie of ["x=%", "a=%E0%A4%A; next-auth.session-token=%", "next-auth.session-token=garbage", "__proto__=1; constructor=2", ";;;=;=;", "=x"]) {
    await expect(sessionActorFrom(new Headers({ cookie })), cookie).resolves.toBeNull();
    await expect(requestActor(new Headers({ cookie })), cookie).resolves.toEqual({ actor: null, via: null });
  }
});
