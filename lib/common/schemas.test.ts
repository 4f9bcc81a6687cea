// Protects: a date-time the API accepts is one PostgreSQL stores. The ISO
// format alone admits year 0000, which the database refuses: GET
// /api/v1/events?from=0000-01-01T00:00:00Z answered 500 (found by
// e2e/api/fuzz.spec.ts); it is a 400 now, like any other bad value.
import { expect, it } from "vitest";
import { agentUrlSchema, isoDateTimeSchema } from "@/lib/common/schemas";
import { auditList } from "@/lib/audit/schemas";
import { eventList } from "@/lib/events/schemas";
import { maintenanceRequest } from "@/lib/operations/schemas";

it("accepts years 1 to 9999 in UTC and nothing else", () => {
  for (const ok of ["0001-01-01T00:00:00Z", "2030-01-01T00:00:00+02:00", "9999-12-31T23:59:59.999Z"])
    expect(isoDateTimeSchema.safeParse(ok).success, ok).toBe(true);
  for (const bad of ["0000-01-01T00:00:00Z", "0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2024-13-01T00:00:00Z", "yesterday"])
    expect(isoDateTimeSchema.safeParse(bad).success, bad).toBe(false);
  expect(eventList.safeParse({ from: "0000-01-01T00:00:00Z" }).success).toBe(false);
  expect(auditList.safeParse({ to: "0000-06-01T00:00:00Z" }).success).toBe(false);
  expect(maintenanceRequest.safeParse({ reason: "x", until: "0000-01-01T00:00:00Z" }).success).toBe(false);
});

it("takes an agent URL without a user name or password: agents authenticate with their own key", () => {
  expect(agentUrlSchema.safeParse("https://10.0.0.5:7070").success).toBe(true);
  for (const bad of ["https://admin:s3cret@10.0.0.5:7070", "http://token@agent.internal:9101", "https://:pw@10.0.0.5"])
    expect(agentUrlSchema.safeParse(bad).success, bad).toBe(false);
});
