// Protects: NUL characters, which PostgreSQL text cannot hold, are found
// wherever they hide in a request, so the handler answers 400, not a 500.
import { describe, expect, it } from "vitest";
import { findNul } from "@/lib/api/json";

describe("findNul", () => {
  it("finds a NUL in a string, deep in arrays and objects, or in a key", () => {
    expect(findNul("a\u0000b", "query.q")).toBe("query.q");
    expect(findNul({ a: [1, { b: "x\u0000" }] })).toBe("body.a.1.b");
    expect(findNul({ ["k\u0000"]: 1 })).toBe("body (a key)");
  });
  it("passes everything else, including the escaped text of a NUL", () => {
    expect(findNul({ a: "\\u0000", b: [null, 1, true, "ok"], c: {} })).toBeNull();
    expect(findNul(null)).toBeNull();
  });
});
