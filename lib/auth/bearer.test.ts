// Protects: a bearer token is refused once expired or revoked or when its
// owner is disabled, and never acts above its owner's current role.
import { expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { generateApiToken } from "@/lib/auth/tokens";

setupTestDatabase();

it("honours expiry, revocation, owner state and the owner's role", async () => {
  const { db } = await import("@/lib/db");
  const { bearerActor } = await import("@/lib/sign-in/session");
  const owner = await db.user.create({ data: { email: "owner@test.dev", role: "OPERATOR", passwordHash: "x" } });
  const make = async (role: "ADMIN" | "OPERATOR" | "VIEWER", extra: { expiresAt?: Date; revokedAt?: Date } = {}) => {
    const t = generateApiToken();
    await db.apiToken.create({ data: { name: role, role, prefix: t.prefix, tokenHash: t.tokenHash, ownerId: owner.id, ...extra } });
    return `Bearer ${t.token}`;
  };

  const viewer = await make("VIEWER");
  expect(await bearerActor(viewer)).toMatchObject({ actor: { type: "TOKEN", role: "VIEWER", userId: owner.id } });
  // Minted as ADMIN (by a since-demoted admin, say): acts as its owner's OPERATOR.
  expect(await bearerActor(await make("ADMIN"))).toMatchObject({ actor: { role: "OPERATOR" } });
  expect(await bearerActor(await make("VIEWER", { expiresAt: new Date(Date.now() - 1000) }))).toHaveProperty("error");
  expect(await bearerActor(await make("VIEWER", { revokedAt: new Date() }))).toHaveProperty("error");
  expect(await bearerActor("Bearer cdk_" + "x".repeat(43))).toHaveProperty("error");
  expect(await bearerActor("Basic abc")).toHaveProperty("error");

  await db.user.update({ where: { id: owner.id }, data: { disabled: true } });
  expect(await bearerActor(viewer)).toHaveProperty("error");
});
