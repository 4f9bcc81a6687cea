// Protects: with CLUSTERDECK_CHECK_RESPONSES on (the e2e console runs so), an
// answer that does not match its route's response schema is a 500 naming the
// field, not a silent drift the typed client would then believe; Dates pass
// as the ISO strings toJson writes. Off, the answer goes out unchecked.
import { afterEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { handler } from "@/lib/api/handler";
import { route } from "@/lib/api/spec";
import { wireDate } from "@/lib/common/schemas";
import { resetEnvCache } from "@/lib/env";

const spec = route({
  method: "GET",
  path: "/api/v1/test",
  tag: "test",
  summary: "test",
  access: "public",
  response: z.object({ state: z.enum(["UP", "DOWN"]), since: wireDate, note: z.string().nullable() }),
});

async function call(answer: unknown, check: "0" | "1") {
  process.env.CLUSTERDECK_CHECK_RESPONSES = check;
  resetEnvCache();
  const res = await handler(spec, async () => answer as never)(new Request("http://127.0.0.1/api/v1/test"));
  return { status: res.status, body: await res.json() };
}

afterEach(() => {
  delete process.env.CLUSTERDECK_CHECK_RESPONSES;
  resetEnvCache();
});

describe("answer check", () => {
  it("passes an answer that matches, Dates included", async () => {
    const since = new Date("2026-12-05T01:02:03.004Z");
    expect(await call({ state: "UP", since, note: null }, "1")).toEqual({ status: 200, body: { state: "UP", since: since.toISOString(), note: null } });
  });

  it("refuses with 500 an answer with a wrong enum, a missing field or a wrong type, naming the fields", async () => {
    for (const [answer, field] of [
      [{ state: "SIDEWAYS", since: new Date(), note: null }, "state"],
      [{ state: "UP", note: null }, "since"],
      [{ state: "UP", since: new Date(), note: 3 }, "note"],
    ] as const) {
      const { status, body } = await call(answer, "1");
      expect(status).toBe(500);
      expect(body.detail).toContain(`${field}:`);
    }
  });

  it("sends the answer unchecked when checking is off", async () => {
    expect((await call({ state: "SIDEWAYS" }, "0")).status).toBe(200);
  });
});
