// Protects: JSON from outside that PostgreSQL cannot store, or that nests
// deep enough to overflow the stack of whatever walks it, is refused with
// where it went wrong, so the handler answers 400, not a 500 — NUL characters
// and lone UTF-16 surrogates wherever they hide (keys too), and nesting past
// MAX_JSON_DEPTH, found without recursion at any depth.
import { describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH, depthOverflowAt, findBadText, parseUntrustedJson } from "@/lib/agent-protocol/json";
import { deepNesting } from "@/lib/testing/fuzz";

describe("findBadText", () => {
  it("finds a NUL in a string, deep in arrays and objects, or in a key", () => {
    expect(findBadText("a\u0000b", "query.q")).toEqual({ path: "query.q", problem: "nul" });
    expect(findBadText({ a: [1, { b: "x\u0000" }] })).toEqual({ path: "body.a.1.b", problem: "nul" });
    expect(findBadText({ ["k\u0000"]: 1 })).toEqual({ path: "body (a key)", problem: "nul" });
  });

  it("finds a lone surrogate, high or low, in a value or a key, but passes pairs", () => {
    expect(findBadText({ name: "x\ud800" })).toEqual({ path: "body.name", problem: "surrogate" });
    expect(findBadText({ a: { b: ["ok", "\udfff"] } })).toEqual({ path: "body.a.b.1", problem: "surrogate" });
    expect(findBadText({ a: { ["\ud83d"]: "v" } })).toEqual({ path: "body.a (a key)", problem: "surrogate" });
    expect(findBadText({ emoji: "😀", mixed: "a\ud83d\ude00b", cjk: "漢字", bom: "\ufeff" })).toBeNull();
  });

  it("passes everything else, including the escaped text of a NUL", () => {
    expect(findBadText({ a: "\\u0000", b: [null, 1, true, "ok"], c: {} })).toBeNull();
    expect(findBadText(null)).toBeNull();
  });

  it("walks any depth without recursion, and shortens huge keys in the path", () => {
    let deep: unknown = "\ud800";
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(findBadText(deep)?.path.split(".").length).toBe(200_001);
    expect(findBadText({ ["k".repeat(5000)]: "\u0000" })?.path).toBe(`body.${"k".repeat(40)}…`);
  });
});

describe("depthOverflowAt", () => {
  it("counts brackets outside strings only, escapes included", () => {
    expect(depthOverflowAt('{"a":[[1]]}', 3)).toBe(-1);
    expect(depthOverflowAt('{"a":[[1]]}', 2)).toBe(6);
    expect(depthOverflowAt('["[[[[", "\\"[[[["]', 1)).toBe(-1);
    expect(depthOverflowAt("[]".repeat(1000), 1)).toBe(-1);
  });
});

describe("parseUntrustedJson", () => {
  it("refuses 20,000 levels in under 64 KiB before parsing, naming where", () => {
    for (const kind of ["array", "object"] as const) {
      const text = `{"name":${deepNesting(20_000, kind)}}`;
      expect(text.length).toBeLessThan(kind === "array" ? 64 * 1024 : 200 * 1024);
      const result = parseUntrustedJson(text);
      expect(result).toMatchObject({ ok: false, refusal: { kind: "depth", where: "body" } });
      if (!result.ok)
        expect(result.refusal.message).toBe(
          `body is nested more than ${MAX_JSON_DEPTH} levels deep (at character ${9 + (MAX_JSON_DEPTH - 1) * (kind === "array" ? 1 : 5)})`,
        );
    }
  });

  it("takes exactly MAX_JSON_DEPTH levels", () => {
    expect(parseUntrustedJson(deepNesting(MAX_JSON_DEPTH, "array"))).toMatchObject({ ok: true });
    expect(parseUntrustedJson(deepNesting(MAX_JSON_DEPTH + 1, "array"))).toMatchObject({ ok: false, refusal: { kind: "depth" } });
  });

  it("refuses escaped lone surrogates and NULs with their path, and malformed JSON", () => {
    expect(parseUntrustedJson('{"description":"d\\ud800"}')).toMatchObject({ ok: false, refusal: { kind: "text", where: "body.description" } });
    expect(parseUntrustedJson('{"a":{"\\udc00":1}}')).toMatchObject({ ok: false, refusal: { kind: "text", where: "body.a (a key)" } });
    expect(parseUntrustedJson('["\\u0000"]', "content")).toMatchObject({ ok: false, refusal: { kind: "text", where: "content.0" } });
    expect(parseUntrustedJson("{")).toMatchObject({ ok: false, refusal: { kind: "syntax" } });
    expect(parseUntrustedJson('{"ok":"\\ud83d\\ude00"}')).toEqual({ ok: true, value: { ok: "😀" } });
  });
});
