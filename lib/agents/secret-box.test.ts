import { expect, it } from "vitest";
import { openSecret, sealSecret } from "@/lib/agents/secret-box";

const consoleSecret = "a".repeat(43);

it("round-trips, never stores the plain text, and detects tampering or the wrong key", () => {
  const sealed = sealSecret("agent-secret-value", consoleSecret);
  expect(sealed).not.toContain("agent-secret-value");
  expect(sealSecret("agent-secret-value", consoleSecret)).not.toBe(sealed);
  expect(openSecret(sealed, consoleSecret)).toBe("agent-secret-value");
  expect(() => openSecret(sealed, "b".repeat(43))).toThrow();
  const [v, iv, body] = sealed.split(".");
  const flipped = body!.slice(0, -2) + (body!.endsWith("A") ? "B" : "A") + body!.slice(-1);
  expect(() => openSecret([v, iv, flipped].join("."), consoleSecret)).toThrow();
});
