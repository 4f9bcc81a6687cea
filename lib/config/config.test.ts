// Protects: a generated HAProxy configuration is deterministic and accepted
// by the real `haproxy -c`; settings schemas refuse what would break a
// target; secrets are masked for readers; diffs count what changed.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { appSettings } from "@/lib/agent-protocol/config/app-settings";
import { canonicalJson, configChecksum } from "@/lib/agent-protocol/config/checksum";
import { diffConfigs } from "./diff";
import { backendName, haproxyInput, renderHaproxy, type HaproxyPool } from "./haproxy";
import { maskConfigText } from "@/lib/agent-protocol/mask";
import { postgresSettings } from "@/lib/agent-protocol/config/postgres-settings";

const dir = mkdtempSync(path.join(os.tmpdir(), "config-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let haproxy = true;
try {
  execFileSync("haproxy", ["-v"], { stdio: "ignore" });
} catch {
  haproxy = false;
}

const pool: HaproxyPool = {
  loadBalancer: { name: "edge-1", host: "127.0.0.1", port: 18080 },
  members: [
    { name: "app-2", host: "127.0.0.1", port: 19002, weight: 100, backup: false },
    { name: "app-1", host: "127.0.0.1", port: 19001, weight: 50, backup: false },
    { name: "app-3", host: "::1", port: 19003, weight: 100, backup: true },
  ],
};
const runtime = { statsSocket: `${dir}/admin.sock`, pidFile: `${dir}/haproxy.pid` };
const input = haproxyInput.parse({});

function haproxyCheck(text: string): { ok: boolean; output: string } {
  const file = path.join(dir, `check-${Math.random().toString(36).slice(2)}.cfg`);
  writeFileSync(file, text);
  const r = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
  return { ok: r.status === 0, output: r.stdout + r.stderr };
}

describe("HAProxy configuration", () => {
  it("is the same text for the same pool in any order, with servers, weights, backup and cookies", () => {
    const a = renderHaproxy(pool, input, runtime);
    const b = renderHaproxy({ ...pool, members: [...pool.members].reverse() }, input, runtime);
    expect(a).toBe(b);
    expect(a).toContain(`backend ${backendName("edge-1")}`);
    expect(a).toMatch(/server app-1 127\.0\.0\.1:19001 check weight 50 cookie app-1\n/);
    expect(a).toMatch(/server app-3 \[::1\]:19003 check weight 100 backup cookie app-3\n/);
    expect(a.indexOf("server app-1")).toBeLessThan(a.indexOf("server app-2"));
    expect(a).toContain("bind 127.0.0.1:18080");
    expect(a).toContain("slowstart 10s");
  });

  it.skipIf(!haproxy)("passes the real haproxy -c, and an extra line HAProxy does not know fails it with its line", () => {
    const good = renderHaproxy(pool, input, runtime);
    expect(haproxyCheck(good)).toMatchObject({ ok: true });
    const bad = renderHaproxy(pool, { ...input, backendExtra: "balance no-such-algorithm" }, runtime);
    const result = haproxyCheck(bad);
    expect(result.ok).toBe(false);
    const line = bad.split("\n").findIndex((l) => l.includes("no-such-algorithm")) + 1;
    expect(result.output).toContain(`:${line}]`);
  });

  it("refuses inputs that could not be rendered safely", () => {
    expect(haproxyInput.safeParse({ stickyCookie: "a b" }).success).toBe(false);
    expect(haproxyInput.safeParse({ globalExtra: "nbthread 2\u0000" }).success).toBe(false);
    expect(haproxyInput.safeParse({ unknown: 1 }).success).toBe(false);
  });
});

describe("settings schemas", () => {
  it("app settings need a postgresql URL and refuse unknown fields", () => {
    expect(appSettings.parse({ database: { url: "postgresql://app:pw@10.0.0.5:5432/shop" } })).toEqual({
      database: { url: "postgresql://app:pw@10.0.0.5:5432/shop" },
      sessionIdleSeconds: 60,
      logLevel: "info",
    });
    expect(appSettings.safeParse({ database: { url: "http://x/y" } }).success).toBe(false);
    expect(appSettings.safeParse({ database: { url: "postgresql://h/db" }, extra: true }).success).toBe(false);
  });

  it("app settings keep host paths and server settings out of the database URL", () => {
    const ok = (url: string) => appSettings.safeParse({ database: { url } }).success;
    expect(ok("postgresql://app:pw@10.0.0.5:5432/shop?sslmode=require&application_name=shop&connect_timeout=5")).toBe(true);
    // node-postgres and libpq read these as files on the app's host, or send them as server settings.
    for (const param of [
      "sslrootcert=/etc/shadow",
      "sslcert=/etc/shadow",
      "sslkey=/root/.ssh/id_rsa",
      "host=/var/run/postgresql",
      "options=-c%20log_directory%3D/tmp",
      "SSLROOTCERT=/x",
      "sslmode=verify-full&sslrootcert=/x",
      "passfile=/etc/shadow",
      "service=x",
    ]) {
      expect(ok(`postgresql://app:pw@10.0.0.5:5432/shop?${param}`), param).toBe(false);
    }
    expect(ok("postgresql://app:pw@10.0.0.5:5432/shop?sslmode=require;x")).toBe(false);
  });

  it("postgres settings accept only managed names and well-formed values", () => {
    expect(postgresSettings.safeParse({ settings: { work_mem: "8MB", statement_timeout: "30s", synchronous_commit: "remote_apply" } }).success).toBe(true);
    expect(postgresSettings.safeParse({ settings: { shared_buffers: "1GB" } }).success).toBe(false); // needs a restart: not managed
    expect(postgresSettings.safeParse({ settings: { work_mem: "8MB; DROP TABLE x" } }).success).toBe(false);
    // Set per cluster by the replication mode now, with the reason when a revision still names it.
    const sync = postgresSettings.safeParse({ settings: { synchronous_standby_names: "ANY 1 (b)" } });
    expect(sync.error?.issues[0]?.message).toMatch(/set per cluster now/);
  });
});

describe("checksums, masking and diffs", () => {
  it("canonical JSON does not depend on key order", () => {
    expect(canonicalJson({ b: 1, a: { d: 2, c: 3 } })).toBe(canonicalJson({ a: { c: 3, d: 2 }, b: 1 }));
    expect(configChecksum("x")).toBe("2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881");
  });

  it("masks URL passwords, secret keys and HAProxy passwords", () => {
    const json = canonicalJson({ database: { url: "postgresql://app:s3cr%40t@db:5432/shop" }, apiToken: "abc", name: "visible" });
    const masked = maskConfigText("APP", json);
    expect(masked).not.toContain("s3cr%40t");
    expect(masked).not.toContain('"abc"');
    expect(masked).toContain("postgresql://app:••••••@db:5432/shop");
    expect(masked).toContain('"visible"');
    const cfg = "userlist ops\n    user admin password $6$hash\n    user bob insecure-password hunter2\nlisten stats\n    stats auth admin:topsecret\n";
    const m2 = maskConfigText("HAPROXY", cfg);
    for (const secret of ["$6$hash", "hunter2", "topsecret"]) expect(m2).not.toContain(secret);
  });

  it("diffs count added and removed lines", () => {
    const d = diffConfigs("a\nb\nc\n", "a\nB\nc\nd\n");
    expect(d).toMatchObject({ identical: false, added: 2, removed: 1 });
    expect(diffConfigs("same\n", "same\n")).toMatchObject({ identical: true, hunks: [] });
  });
});
