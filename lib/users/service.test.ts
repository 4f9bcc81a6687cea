// Protects: the last active admin cannot be removed, even by two racing
// requests; role changes end sessions; every change has its audit entry and
// a refused change leaves none.
import { describe, expect, it } from "vitest";
import { setupTestDatabase } from "@/lib/testing/test-db";
import { systemActor } from "@/lib/common/actor";
import type { AuditContext } from "@/lib/audit/service";
import { toJson } from "@/lib/http/json";

setupTestDatabase();

const audit: AuditContext = { actor: systemActor("test"), requestId: "test-request-1", clientIp: "127.0.0.1" };

describe("users", () => {
  it("refuses to demote or disable the last active admin", async () => {
    const { createUser, updateUser } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    const admin = await createUser({ email: "only-admin@test.dev", name: "", role: "ADMIN", password: "a-long-password-1" }, audit);
    const auditBefore = await db.auditEntry.count();
    await expect(updateUser(admin.id, { role: "VIEWER" }, audit)).rejects.toMatchObject({ code: "conflict" });
    await expect(updateUser(admin.id, { disabled: true }, audit)).rejects.toMatchObject({ code: "conflict" });
    expect(await db.auditEntry.count()).toBe(auditBefore);
    expect((await db.user.findUniqueOrThrow({ where: { id: admin.id } })).role).toBe("ADMIN");
  });

  it("lets exactly one of two admins demote the other when they race", async () => {
    const { createUser, updateUser } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    await db.user.updateMany({ where: { role: "ADMIN" }, data: { disabled: true } });
    const a = await createUser({ email: "race-a@test.dev", name: "", role: "ADMIN", password: "a-long-password-1" }, audit);
    const b = await createUser({ email: "race-b@test.dev", name: "", role: "ADMIN", password: "a-long-password-1" }, audit);
    const results = await Promise.allSettled([updateUser(a.id, { role: "OPERATOR" }, audit), updateUser(b.id, { role: "OPERATOR" }, audit)]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.user.count({ where: { role: "ADMIN", disabled: false } })).toBe(1);
  });

  it("ends a user's sessions on role change, disable and password reset, and audits each", async () => {
    const { createUser, updateUser, resetPassword } = await import("@/lib/users/service");
    const { db } = await import("@/lib/db");
    const u = await createUser({ email: "sessions@test.dev", name: "", role: "OPERATOR", password: "a-long-password-1" }, audit);
    const version = async () => (await db.user.findUniqueOrThrow({ where: { id: u.id } })).sessionVersion;
    expect(await version()).toBe(0);
    await updateUser(u.id, { name: "renamed" }, audit);
    expect(await version()).toBe(0);
    await updateUser(u.id, { role: "VIEWER" }, audit);
    expect(await version()).toBe(1);
    await updateUser(u.id, { disabled: true }, audit);
    expect(await version()).toBe(2);
    await resetPassword(u.id, "another-long-password", audit);
    expect(await version()).toBe(3);
    const entries = await db.auditEntry.findMany({ where: { targetId: u.id }, orderBy: { id: "asc" } });
    expect(entries.map((e) => e.action)).toEqual(["user.create", "user.update", "user.update", "user.update", "user.reset-password"]);
    expect(entries[2]!.summary).toMatchObject({ changes: { role: { from: "OPERATOR", to: "VIEWER" } } });
    expect(entries.every((e) => e.requestId === "test-request-1")).toBe(true);
    expect(toJson(entries)).not.toContain("another-long-password");
  });
});
