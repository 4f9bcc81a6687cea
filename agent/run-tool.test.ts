// Protects: a program an agent runs never sees the agent's own environment
// (an agent started from a console process holds that process's secrets).
import { afterEach, expect, it } from "vitest";
import { runTool, TOOL_PATH } from "./run-tool";

afterEach(() => {
  delete process.env.CLUSTERDECK_TEST_SECRET;
});

it("runs a tool with a fixed PATH and locale and what the caller names, nothing of its own environment", async () => {
  process.env.CLUSTERDECK_TEST_SECRET = "must-not-reach-tools";
  const plain = await runTool("env", [], { timeoutMs: 5000 });
  expect(plain.code).toBe(0);
  expect(plain.stdout.trim().split("\n").sort()).toEqual([`LC_ALL=C`, `PATH=${TOOL_PATH}`]);
  const extra = await runTool("env", [], { timeoutMs: 5000, env: { PGPASSWORD: "pw" } });
  expect(extra.stdout).toContain("PGPASSWORD=pw");
  expect(extra.stdout).not.toContain("must-not-reach-tools");
});

it("says why a tool could not run, or was stopped", async () => {
  expect((await runTool("/no/such/tool", [], { timeoutMs: 5000 })).error).toMatch(/cannot run \/no\/such\/tool: ENOENT/);
  const slow = await runTool("sleep", ["5"], { timeoutMs: 200 });
  expect(slow.code).toBeNull();
  expect(slow.error).toMatch(/stopped/);
  expect((await runTool("sh", ["-c", "exit 3"], { timeoutMs: 5000 })).code).toBe(3);
});
