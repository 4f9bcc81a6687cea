// Protects: the agent under hostile requests. A real agent runs as its own
// process (bin/clusterdeck-agent.mjs, so a crash is an exit we see) with the
// app role, beside a stand-in app that records every admin call, and manages
// a settings file. Thousands of seeded random and malformed requests follow
// (the seed is printed; FUZZ_SEED replays a run): unsigned, garbage and wrong
// signatures, replayed nonces, skewed clocks, invalid JSON, invalid and
// foreign actions, invalid configurations, huge bodies, wrong methods and
// paths, header garbage, and malformed HTTP on raw sockets (bad request
// lines, truncated bodies, slow partial writes, then close). No answer may
// be a 5xx and no change may succeed. Signed bodies nested past the JSON
// depth limit or holding a NUL or lone UTF-16 surrogate (keys too) must be
// refused as such (400), and a configuration whose text holds them must
// fail validation naming them; odd request lines (absolute-, authority-, asterisk-form, CONNECT,
// TRACE, TRACK) must get a 4xx, not silence. Afterwards the process must still run
// and answer a correctly signed request, the app must have been asked
// nothing (no drain, resume, end-sessions, hold, release or reload), and the managed folder
// must be byte for byte what it was.
import { spawn, type ChildProcess } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_SKEW_MS, generateAgentSecret, signRequest } from "@/lib/agent-protocol/signing";
import { agentAction, configCandidate, snapshot } from "@/lib/agent-protocol/types";
import { appSettings } from "@/lib/agent-protocol/config/app-settings";
import { configChecksum } from "@/lib/agent-protocol/config/checksum";
import { BROKEN_JSON, NASTY_STRINGS, ODD_REQUEST_LINES, Rng, deepNesting, fuzzSeed, randomValue, rawExchange, statusCodes } from "@/lib/testing/fuzz";
import { waitFor } from "./testing/client";

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 5000);
const CONCURRENCY = 8;
const bin = path.resolve("bin/clusterdeck-agent.mjs");
const key = generateAgentSecret();
const otherKey = generateAgentSecret();
const metricsToken = "metrics-" + "m".repeat(30);

const PATHS = ["/v1/status", "/v1/stream", "/v1/actions", "/v1/config", "/v1/config/validate", "/v1/config/apply", "/metrics"] as const;
/** Changes that must never succeed here; /v1/config/validate changes nothing even when valid. */
const CHANGES = new Set(["/v1/actions", "/v1/config/apply"]);

// ---------------------------------------------------------------------------
// The stand-in app: health and stats for the driver; every other call recorded
// ---------------------------------------------------------------------------

type FakeApp = { url: string; adminCalls: string[]; close(): Promise<void> };

async function startFakeApp(): Promise<FakeApp> {
  const adminCalls: string[] = [];
  let requests = 0;
  const server = http.createServer((req, res) => {
    const p = (req.url ?? "").split("?")[0];
    res.setHeader("content-type", "application/json");
    if (req.method === "GET" && p === "/health") return res.end('{"status":"ok"}');
    if (req.method === "GET" && p === "/stats")
      return res.end(JSON.stringify({ sessions: 3, requests: (requests += 5), errors: 0, latencyMs: 2, draining: false }));
    adminCalls.push(`${req.method} ${req.url}`);
    res.end("{}");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, adminCalls, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/** Every file of a folder with its mode and content hash. */
function folderState(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    const st = statSync(full);
    out[name] = `${(st.mode & 0o7777).toString(8)} ${st.size} ${st.mtimeMs} ${createHash("sha256").update(readFileSync(full)).digest("hex")}`;
  }
  return out;
}

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

type Case = {
  gen: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  chunked?: boolean;
  /** Write the body in pieces this far apart (slow client). */
  slowMs?: number;
  /** Send the same request again at once: it must be refused as a replay. */
  replay?: boolean;
  /** The Authorization header, made when the request is sent (signatures age). */
  auth?: () => string;
  /** The one answer allowed (a signed body the agent must refuse for what is in it, not for its shape). */
  expect?: { status: number; body: RegExp };
};

type Answer = { status: number; body: string } | { error: string };

let base = "";
/** What each request carried, so a replay sends the very same header. */
const sentAuthorization = new WeakMap<Case, string>();
const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(c: Case, timeoutMs = 20_000): Promise<Answer> {
  const u = new URL(base);
  return new Promise((resolve) => {
    let req: http.ClientRequest | undefined;
    const timer = setTimeout(() => {
      req?.destroy();
      resolve({ error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    const done = (a: Answer) => {
      clearTimeout(timer);
      resolve(a);
    };
    try {
      const headers: Record<string, string> = { ...c.headers, ...(c.auth ? { authorization: c.auth() } : {}) };
      if (headers.authorization !== undefined) sentAuthorization.set(c, headers.authorization);
      if (c.body && !c.chunked && headers["content-length"] === undefined) headers["content-length"] = String(c.body.length);
      if (c.chunked) headers["transfer-encoding"] = "chunked";
      req = http.request(
        { host: u.hostname, port: u.port, method: c.method, path: c.path, headers, agent: c.chunked || c.slowMs ? false : keepAlive },
        (res) => {
          if (String(res.headers["content-type"] ?? "").includes("ndjson")) {
            res.destroy();
            return done({ status: res.statusCode ?? 0, body: "" });
          }
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => done({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (e) => done({ error: e.message }));
        },
      );
    } catch (error) {
      return done({ error: `client refused to send: ${(error as Error).message}` });
    }
    req.on("error", (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    if (!c.body) return void req.end();
    if (!c.slowMs && !c.chunked) return void req.end(c.body);
    const r = req;
    const step = Math.max(1, Math.ceil(c.body.length / 4));
    void (async () => {
      for (let i = 0; i < c.body!.length; i += step) {
        if (r.destroyed) return;
        r.write(c.body!.subarray(i, i + step));
        if (c.slowMs) await new Promise((res) => setTimeout(res, c.slowMs));
      }
      r.end();
    })();
  });
}

const sign = (method: string, pathWithQuery: string, body?: Buffer | string, over: Partial<Parameters<typeof signRequest>[0]> = {}) =>
  signRequest({ ...key, method, pathWithQuery, body: body ?? "", ...over });

/** Would the agent carry out this signed change? (Then it must not be sent.) */
function wouldChange(p: string, body: Buffer): boolean {
  let json: unknown;
  try {
    json = JSON.parse(body.toString("utf8"));
  } catch {
    return false;
  }
  if (p === "/v1/actions") {
    const parsed = agentAction.safeParse(json);
    return parsed.success && parsed.data.action.startsWith("app.");
  }
  if (p === "/v1/config/apply") {
    const parsed = configCandidate.safeParse(json);
    if (!parsed.success || parsed.data.kind !== "APP" || configChecksum(parsed.data.content) !== parsed.data.checksum) return false;
    try {
      return appSettings.safeParse(JSON.parse(parsed.data.content)).success;
    } catch {
      return false;
    }
  }
  return false;
}

const VALID_SETTINGS = JSON.stringify({ database: { url: "postgresql://app:app-secret@db.example:5432/app" }, sessionIdleSeconds: 60, logLevel: "info" });

/** A body for a signed POST: mostly broken actions and configurations, sometimes nothing like either. */
function postBody(rng: Rng, p: string): Buffer {
  const kind = rng.weighted<string>([
    [3, "broken-json"],
    [2, "random"],
    [4, p === "/v1/actions" ? "action" : "config"],
    [1, "deep"],
  ]);
  if (kind === "broken-json") return Buffer.from(rng.pick(BROKEN_JSON));
  if (kind === "random") return Buffer.from(JSON.stringify(randomValue(rng)) ?? "null");
  if (kind === "deep") return Buffer.from(deepNesting(rng.pick([100, 1000, 5000]), rng.chance(0.5) ? "array" : "object"));
  if (kind === "action") {
    const action: Record<string, unknown> = rng.pick<Record<string, unknown>>([
      { action: "app.explode" },
      { action: "app.drain", force: true },
      { action: "APP.DRAIN" },
      { action: "app.drain\u0000" },
      { action: ["app.drain"] },
      { action: null },
      {},
      { action: "app.hold-writes", ms: rng.pick([0, -1, 30_001, 1.5, "1000", null, 1000]) },
      { action: "app.release-writes", ms: rng.pick([1000, null]) },
      { action: "postgres.promote", waitSeconds: rng.pick([0, 301, 1.5, -1, 60]) },
      { action: "postgres.fence" },
      { action: "postgres.rebuild", host: rng.pick(NASTY_STRINGS), port: 5432 },
      { action: "postgres.repoint", host: "db", port: rng.pick([0, 65536, "5432", 5432]) },
      { action: "postgres.repoint", host: "db", port: 5432, slot: rng.pick(["../x", "pg_slot", "clusterdeck_A", "clusterdeck_x'; DROP", ""]) },
      { action: "postgres.slots", keep: rng.pick([["clusterdeck_a", "other"], "clusterdeck_a", [1]]), maxWalKeepMb: 1024 },
      { action: "postgres.slots", keep: [], maxWalKeepMb: rng.pick([0, 15, 1.5, "1GB", -1, 2_000_000]) },
      { action: "postgres.use-slot", slot: rng.pick(NASTY_STRINGS) },
      { action: "postgres.fence", stop: rng.pick(["yes", 1, null]) },
      { action: "postgres.wait-replay", lsn: rng.pick(NASTY_STRINGS), timeoutMs: rng.pick([-1, 300_001, 1.5, "10"]) },
      { action: "pgbouncer.pause", database: rng.pick(NASTY_STRINGS), timeoutMs: rng.pick([99, 300_001, 1.5, "1000", 1000]) },
      { action: "pgbouncer.resume", database: rng.pick([...NASTY_STRINGS, "pgbouncer", "*"]) },
      { action: "pgbouncer.retarget", database: rng.pick([...NASTY_STRINGS, "app"]), host: rng.pick(NASTY_STRINGS), port: rng.pick([0, 65536, "5432", 5432]) },
      { action: "haproxy.set-state", backend: rng.pick(NASTY_STRINGS), server: "app-1", state: rng.pick(["drain", "DRAIN", "up"]) },
      { action: "haproxy.set-weight", backend: "web", server: "app-1", weight: rng.pick([-1, 257, 1e309, 10]) },
    ]);
    if (rng.chance(0.3)) action[rng.pick(["action", "extra", "__proto__", "constructor"])] = randomValue(rng);
    const text = JSON.stringify(action);
    return Buffer.from(rng.chance(0.1) ? text.replace('"action"', '"__proto__":{"action":"app.drain"},"action"') : text);
  }
  // A configuration candidate with one thing wrong: the checksum, the kind, the shape, or the settings inside.
  let content = rng.pick([
    VALID_SETTINGS,
    "{}",
    "not json",
    JSON.stringify({ database: { url: rng.pick(NASTY_STRINGS) } }),
    JSON.stringify({ database: { url: "postgresql://a@b/c" }, logLevel: "loud" }),
    JSON.stringify(randomValue(rng)) ?? "",
    "x".repeat(rng.pick([10, 600 * 1024])),
  ]);
  if (rng.chance(0.1)) content = VALID_SETTINGS.replace("}", `,"${rng.pick(["extra", "__proto__", "constructor"])}":1}`);
  const candidate: Record<string, unknown> = { kind: "APP", content, checksum: configChecksum(content) };
  const breakWhat = rng.pick(["checksum", "kind", "extra", "types", "none"]);
  if (breakWhat === "checksum") candidate.checksum = rng.pick([configChecksum(content + " "), "0".repeat(64), "ABC", configChecksum(content).toUpperCase()]);
  if (breakWhat === "kind") candidate.kind = rng.pick(["HAPROXY", "POSTGRES", "app", "", null]);
  if (breakWhat === "extra") candidate[rng.pick(["force", "path", "file", "__proto__"])] = rng.pick(["/etc/passwd", true, "../../x"]);
  if (breakWhat === "types") candidate[rng.pick(["kind", "content", "checksum"])] = randomValue(rng);
  return Buffer.from(JSON.stringify(candidate));
}

/**
 * A POST body the agent must not carry out even if the request turns out to
 * be correctly signed (some "garbage" headers still are: extra fields and
 * spaces after commas are tolerated by the parser).
 */
function safeBody(rng: Rng, p: string): Buffer {
  for (let i = 0; i < 20; i++) {
    const body = postBody(rng, p);
    if (!wouldChange(p, body)) return body;
  }
  return Buffer.from("{");
}

/** Chosen now, signed when sent (a signature made long before sending would fail for its age instead). */
function garbageAuthorization(rng: Rng, method: string, p: string, body?: Buffer): () => string {
  const pick = rng.int(garbageAuthorizations("", "", 0).length);
  const nasty = rng.pick(NASTY_STRINGS).replace(/[^\x20-\x7e]/g, "?");
  const size = rng.pick([600, 8000]);
  return () => garbageAuthorizations(sign(method, p, body), nasty, size)[pick]!;
}

function garbageAuthorizations(good: string, nasty: string, size: number): string[] {
  return [
    "",
    "CD1-HMAC-SHA256",
    "CD1-HMAC-SHA256 ",
    "CD1-HMAC-SHA256 keyId=,ts=,nonce=,sig=",
    "CD1-HMAC-SHA256 " + nasty,
    good.replace(/ts=\d+/, "ts=abc"),
    good.replace(/ts=\d+/, "ts=1e309"),
    good.replace(/ts=\d+/, "ts=-1"),
    good.replace(/ts=\d+/, `ts=${Date.now()}.5`),
    good.replace(/ts=\d+/, "ts=99999999999999999999"),
    good.replace(/nonce=[^,]+/, "nonce=short"),
    good.replace(/nonce=[^,]+/, `nonce=${"n".repeat(65)}`),
    good.replace(/sig=[^,]+$/, "sig="),
    good.replace(/sig=[^,]+$/, `sig=${"A".repeat(43)}`),
    good.replace(/sig=[^,]+$/, `sig=${"A".repeat(600)}`),
    good.replace(/keyId=[^,]+/, "keyId=../../etc"),
    good.replace(/keyId=[^,]+/, `keyId=${otherKey.keyId}`),
    good.replace(/keyId=[^,]+/, "keyId=__proto__"),
    good.replace(/keyId=[^,]+/, "keyId=constructor"),
    good.replace(/keyId=[^,]+/, "keyId=toString"),
    good.replace("CD1-HMAC-SHA256", "cd1-hmac-sha256"),
    good.replace(",", ",,"),
    good + ",extra=1",
    good + "," + good,
    good.replace(/,/g, ", "),
    `Bearer ${key.secret}`,
    `Bearer ${metricsToken}`,
    "Basic " + Buffer.from("a:b").toString("base64"),
    "x".repeat(size),
  ];
}

/** JSON text the agent must refuse as such: too deep (within `maxDepth` levels so it fits the route's size limit), or with a NUL or lone surrogate in a value or a key. */
function badJson(rng: Rng, maxDepth: number): string {
  const deep = (n: number) => deepNesting(n, rng.chance(0.5) ? "array" : "object");
  return rng.pick([
    () => deep(rng.pick([65, 1000, maxDepth])),
    () => `{"action":"app.drain","note":${deep(rng.pick([65, 2000]))}}`,
    () => JSON.stringify({ action: "app.drain", note: rng.pick(["\ud800", "x\udfff", "\udc00\ud800", "a\u0000"]) }),
    () => JSON.stringify({ action: "app.drain", [rng.pick(["\ud800", "k\udbff", "\u0000"])]: 1 }),
    () => JSON.stringify({ kind: "APP", content: VALID_SETTINGS, checksum: configChecksum(VALID_SETTINGS), extra: { deeper: ["\ud83d"] } }),
  ])();
}

function casesFor(rng: Rng): Case[] {
  const cases: Case[] = [];
  const anyPath = () => rng.pick(PATHS);
  const routeMethod = (p: string) => (["/v1/actions", "/v1/config/validate", "/v1/config/apply"].includes(p) ? "POST" : "GET");
  const gens: ReadonlyArray<readonly [number, () => Case]> = [
    [
      14,
      () => {
        const p = anyPath();
        const method = rng.chance(0.8) ? routeMethod(p) : rng.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD"]);
        const body = method === "POST" ? safeBody(rng, p) : undefined;
        return { gen: "unsigned", method, path: p, headers: { "content-type": "application/json" }, body };
      },
    ],
    [
      14,
      () => {
        const p = anyPath();
        const method = routeMethod(p);
        const body = method === "POST" ? safeBody(rng, p) : undefined;
        return { gen: "garbage-auth", method, path: p, headers: {}, auth: garbageAuthorization(rng, method, p, body), body };
      },
    ],
    [
      14,
      () => {
        const p = rng.pick(["/v1/status", "/v1/stream", "/v1/actions", "/v1/config", "/v1/config/validate", "/v1/config/apply"]);
        const method = routeMethod(p);
        let body = method === "POST" ? safeBody(rng, p) : undefined;
        // The signature is over something else than what is sent. A valid drain may ride along: it must not run.
        if (method === "POST" && rng.chance(0.3)) body = Buffer.from(JSON.stringify({ action: "app.drain" }));
        const how = rng.pick(["secret", "body", "path", "method", "query"]);
        const auth = () =>
          how === "secret"
            ? sign(method, p, body, { secret: otherKey.secret })
            : how === "body"
              ? sign(method, p, Buffer.concat([body ?? Buffer.alloc(0), Buffer.from(" ")]))
              : how === "path"
                ? sign(method, p + "/", body)
                : how === "method"
                  ? sign(method === "GET" ? "POST" : "GET", p, body)
                  : sign(method, `${p}?x=1`, body);
        return { gen: `bad-signature:${how}`, method, path: p, headers: { "content-type": "application/json" }, auth, body };
      },
    ],
    [
      8,
      () => {
        const p = rng.pick(["/v1/status", "/v1/actions", "/v1/config/apply"]);
        const method = routeMethod(p);
        const body = method === "POST" ? Buffer.from(JSON.stringify({ action: "app.drain" })) : undefined;
        // A margin over the limit: sending takes a moment after signing.
        const off = rng.pick([MAX_SKEW_MS + 2000 + rng.int(10_000), MAX_SKEW_MS * 10, 86_400_000, Date.now()]) * (rng.chance(0.5) ? 1 : -1);
        return {
          gen: "skew",
          method,
          path: p,
          headers: { "content-type": "application/json" },
          auth: () => sign(method, p, body, { now: Math.max(0, Date.now() + off) }),
          body,
        };
      },
    ],
    [
      8,
      () => {
        // Signed correctly and accepted once (a read, or a change refused for its content); the copy must be refused.
        const p = rng.pick(["/v1/status", "/v1/config", "/v1/actions", "/v1/config/validate", "/v1/config/apply"]);
        const method = routeMethod(p);
        const body = method === "POST" ? safeBody(rng, p) : undefined;
        return { gen: "replay", method, path: p, headers: { "content-type": "application/json" }, auth: () => sign(method, p, body), body, replay: true };
      },
    ],
    [
      20,
      () => {
        const p = rng.pick(["/v1/actions", "/v1/actions", "/v1/config/validate", "/v1/config/apply", "/v1/config/apply"]);
        const body = safeBody(rng, p);
        const chunked = rng.chance(0.1);
        return {
          gen: "signed-invalid",
          method: "POST",
          path: p,
          headers: { "content-type": rng.pick(["application/json", "text/plain", "\u00ff"]) },
          auth: () => sign("POST", p, body),
          body,
          chunked,
          slowMs: !chunked && rng.chance(0.03) ? 50 : undefined,
        };
      },
    ],
    [
      6,
      () => {
        // Signed, so read: JSON nested past the limit (20,000 levels overflowed any recursive
        // walk) or holding a NUL or lone surrogate, keys included, is refused before anything uses it.
        const p = rng.pick(["/v1/actions", "/v1/config/validate", "/v1/config/apply"]);
        const body = Buffer.from(badJson(rng, p === "/v1/actions" ? 2500 : 20_000));
        return {
          gen: "signed-bad-json",
          method: "POST",
          path: p,
          headers: { "content-type": "application/json" },
          auth: () => sign("POST", p, body),
          body,
          expect: { status: 400, body: /"bad-request".*(nested more than|NUL|lone UTF-16 surrogate)/ },
        };
      },
    ],
    [
      4,
      () => {
        // A configuration fit to apply but for a lone surrogate or deep nesting inside its JSON text.
        const p = rng.pick(["/v1/config/validate", "/v1/config/apply"]);
        const content = rng.pick([
          VALID_SETTINGS.replace("app-secret", rng.pick(["app-\\ud800secret", "\\udfff", "a\\udc00\\ud83d"])),
          VALID_SETTINGS.replace('"info"', rng.pick(['"info","\\ud800":1', `"info","x":${deepNesting(rng.pick([65, 500, 20_000]), "array")}`])),
        ]);
        const body = Buffer.from(JSON.stringify({ kind: "APP", content, checksum: configChecksum(content) }));
        return {
          gen: "signed-bad-content",
          method: "POST",
          path: p,
          headers: { "content-type": "application/json" },
          auth: () => sign("POST", p, body),
          body,
          // Validation reports problems with 200; applying refuses with 422. Either way, named.
          expect: p.endsWith("validate")
            ? { status: 200, body: /"ok":false.*(nested more than|lone UTF-16 surrogate)/ }
            : { status: 422, body: /nested more than|lone UTF-16 surrogate/ },
        };
      },
    ],
    [
      3,
      () => {
        // Correctly signed reads: they must keep working in the middle of all this.
        const p = rng.pick(["/v1/status", "/v1/config", "/v1/stream"]);
        return { gen: "signed-read", method: "GET", path: p, headers: {}, auth: () => sign("GET", p) };
      },
    ],
    [
      8,
      () => {
        const p = rng.pick([
          "/",
          "",
          "/v1",
          "/v1/",
          "/v1/status/",
          "/v1/status?x=1",
          "//v1/status",
          "/v1/../v1/actions",
          "/v1/%2e%2e/actions",
          "/V1/STATUS",
          "/v1/actions%00",
          "/v1/status#x",
          "/metrics/",
          "/v1/config/validate/x",
          "/" + "a".repeat(8000),
          "/v1/%",
          "/v1/\u00ff",
          "*",
        ]);
        // (CONNECT is left to the raw sockets: Node's client waits for a tunnel, not an answer.)
        const method = rng.pick(["GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD", "PROPFIND", "FOO", "TRACE"]);
        const body = method === "GET" || method === "HEAD" ? undefined : safeBody(rng, "/v1/actions");
        const target = p.replace(/[^\u0021-\u00ff]/g, "?");
        return { gen: "method-path", method, path: target, headers: {}, auth: rng.chance(0.5) ? () => sign(method, target, body) : undefined, body };
      },
    ],
    [
      5,
      () => {
        const p = rng.pick(["/v1/status", "/v1/actions", "/v1/config/apply", "/metrics"]);
        const method = routeMethod(p);
        const body = method === "POST" ? safeBody(rng, p) : undefined;
        const headers: Record<string, string> = {};
        const what = rng.pick(["huge", "many", "type", "encoding", "length", "expect"]);
        if (what === "huge") headers["x-fuzz"] = "h".repeat(rng.pick([4000, 12_000, 20_000]));
        if (what === "many") for (let i = 0; i < 200; i++) headers[`x-fuzz-${i}`] = String(i);
        if (what === "type")
          headers["content-type"] = rng.pick(["", "text/html; charset=\u00ff", "multipart/form-data; boundary=x", "application/json; charset=utf-16"]);
        if (what === "encoding") headers["content-encoding"] = rng.pick(["gzip", "br", "\u00ff"]);
        if (what === "length") headers["content-length"] = rng.pick(["-1", "abc", "1e3", "0, 5", "99999999999999999999"]);
        if (what === "expect") headers.expect = rng.pick(["100-continue", "garbage"]);
        return { gen: `headers:${what}`, method, path: p, headers, auth: () => sign(method, p, body), body: what === "length" ? undefined : body };
      },
    ],
    [
      3,
      () => {
        const p = rng.pick(["/v1/actions", "/v1/config/validate", "/v1/config/apply", "/v1/status"]);
        const body = Buffer.from(JSON.stringify({ action: "app.drain", pad: "x".repeat(rng.pick([17 * 1024, 200 * 1024, 1_100_000, 2_000_000])) }));
        const signed = rng.chance(0.5);
        return {
          gen: "oversize",
          method: p === "/v1/status" ? "GET" : "POST",
          path: p,
          headers: {},
          auth: signed ? () => sign("POST", p, body) : garbageAuthorization(rng, "POST", p, body),
          body,
          chunked: rng.chance(0.5),
        };
      },
    ],
    [
      3,
      () => ({
        gen: "metrics",
        method: "GET",
        path: rng.pick(["/metrics", "/metrics?x=1"]),
        headers: rng.pick<Record<string, string>>([
          {},
          { authorization: "Bearer" },
          { authorization: `Bearer ${metricsToken}x` },
          { authorization: `Bearer ${metricsToken.slice(1)}` },
          { authorization: `bearer ${metricsToken}` },
          { authorization: `Bearer ${"x".repeat(5000)}` },
        ]),
        auth: rng.chance(0.2) ? () => sign("GET", "/metrics") : undefined,
      }),
    ],
  ];
  while (cases.length < TOTAL) cases.push(rng.weighted(gens)());
  return cases;
}

/** Why this answer breaks the rules, or null. */
function verdict(c: Case, a: Answer): string | null {
  if ("error" in a) {
    if (a.error.startsWith("client refused")) return null;
    // The agent may answer early (413, 400) and close while a big or garbled body is still being written.
    if (
      /ECONNRESET|EPIPE|socket hang up/i.test(a.error) &&
      ((c.body?.length ?? 0) > 16 * 1024 || c.chunked || c.slowMs || c.gen.startsWith("headers") || c.gen === "method-path")
    )
      return null;
    return `transport: ${a.error}`;
  }
  if (a.status >= 500) return `status ${a.status}`;
  if (c.expect && (a.status !== c.expect.status || !c.expect.body.test(a.body))) return `expected ${c.expect.status} matching ${c.expect.body}`;
  const p = c.path.split("?")[0]!;
  if (c.method === "POST" && CHANGES.has(p) && a.status >= 200 && a.status < 300) return `a change was carried out (${a.status})`;
  return null;
}

// ---------------------------------------------------------------------------

describe("agent fuzz (a real agent process)", () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), "agent-fuzz-"));
  const managed = path.join(dir, "managed");
  const configFile = path.join(dir, "agent.json");
  const settingsFile = path.join(managed, "app-settings.json");
  let app: FakeApp;
  let child: ChildProcess;
  let stderr = "";
  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;

  beforeAll(async () => {
    app = await startFakeApp();
    const { mkdirSync } = await import("node:fs");
    mkdirSync(managed, { mode: 0o700 });
    writeFileSync(settingsFile, VALID_SETTINGS, { mode: 0o600 });
    writeFileSync(
      configFile,
      JSON.stringify({
        name: "fuzz-app",
        role: "app",
        listen: { port: 0 },
        intervalMs: 1000,
        credentials: [key],
        metricsToken,
        app: {
          healthUrl: `${app.url}/health`,
          statsUrl: `${app.url}/stats`,
          drainUrl: `${app.url}/admin/drain`,
          resumeUrl: `${app.url}/admin/resume`,
          endSessionsUrl: `${app.url}/admin/end-sessions`,
          holdWritesUrl: `${app.url}/admin/hold-writes`,
          releaseWritesUrl: `${app.url}/admin/release-writes`,
          settingsFile,
          reloadUrl: `${app.url}/admin/reload`,
        },
      }),
      { mode: 0o600 },
    );
    child = spawn(process.execPath, [bin, "--config", configFile], { stdio: ["ignore", "ignore", "pipe"] });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code, signal) => (exited = { code, signal }));
    base = await waitFor("the agent to start", () => /"msg":"agent started".*"url":"(http:\/\/[^"]+)"/.exec(stderr)?.[1], 30_000);
  });

  afterAll(async () => {
    keepAlive.destroy();
    if (child && exited === null) {
      child.kill("SIGTERM");
      await new Promise((r) => setTimeout(r, 500));
      if (exited === null) child.kill("SIGKILL");
    }
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`survives ${TOTAL} random and malformed requests and changes nothing`, { timeout: 120_000 }, async () => {
    const seed = fuzzSeed("agent fuzz");
    const rng = new Rng(seed);
    const before = folderState(managed);
    const adminCallsBefore = app.adminCalls.length;
    const logBefore = stderr.length;
    const cases = casesFor(rng);
    const failures: string[] = [];
    const byGen = new Map<string, Map<string, number>>();
    const count = (gen: string, what: string) => {
      const m = byGen.get(gen) ?? new Map<string, number>();
      m.set(what, (m.get(what) ?? 0) + 1);
      byGen.set(gen, m);
    };
    const started = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (;;) {
          const i = next++;
          if (i >= cases.length) return;
          const c = cases[i]!;
          const a = await send(c);
          const why = verdict(c, a);
          const label = `#${i} [${c.gen}] ${c.method} ${c.path.slice(0, 120)} body=${JSON.stringify(c.body?.subarray(0, 120).toString("utf8") ?? "")}`;
          if (why) failures.push(`${why}: ${label} → ${"error" in a ? a.error : `${a.status} ${a.body.slice(0, 200)}`}`);
          count(c.gen.split(":")[0]!, "error" in a ? (a.error.startsWith("client refused") ? "unsent" : "reset") : String(a.status));
          // A copy of a request the agent authenticated (413 and 401 come before the signature is checked or used).
          if (c.replay && !("error" in a) && ![401, 404, 405, 413].includes(a.status)) {
            const again = await send({ ...c, auth: () => sentAuthorization.get(c)! });
            const reason = "error" in again ? again.error : `${again.status} ${again.body.slice(0, 100)}`;
            if ("error" in again || again.status !== 401 || !again.body.includes('"replay"')) failures.push(`replay not refused: ${label} → ${reason}`);
            count("replay-copy", "error" in again ? "error" : String(again.status));
          }
        }
      }),
    );
    const seconds = (Date.now() - started) / 1000;
    console.log(`agent fuzz: ${cases.length} requests in ${seconds.toFixed(1)} s (seed ${seed})`);
    for (const [gen, m] of [...byGen].sort())
      console.log(
        `  ${gen.padEnd(15)} ${[...m]
          .sort()
          .map(([s, n]) => `${s}×${n}`)
          .join(" ")}`,
      );

    const requestFailures = [
      ...new Set(
        stderr
          .slice(logBefore)
          .split("\n")
          .filter((l) => l.includes('"msg":"request failed"'))
          .map((l) => l.replace(/"time":"[^"]+",?/, "")),
      ),
    ];
    expect(failures, `seed ${seed}\n${failures.slice(0, 25).join("\n")}\nagent log:\n${requestFailures.slice(0, 10).join("\n")}`).toEqual([]);
    expect(exited, `the agent exited; its log:\n${stderr.slice(-3000)}`).toBeNull();
    expect(app.adminCalls.slice(adminCallsBefore), "the app was asked to act").toEqual([]);
    expect(folderState(managed)).toEqual(before);
    expect(readFileSync(settingsFile, "utf8")).toBe(VALID_SETTINGS);
    // Still serving, to a correctly signed request.
    const res = await send({ gen: "final", method: "GET", path: "/v1/status", headers: { authorization: sign("GET", "/v1/status") } });
    expect("error" in res ? res.error : res.status).toBe(200);
    const snap = snapshot.parse(JSON.parse((res as { body: string }).body));
    expect(snap.app?.draining).toBe(false);
    expect(snap.config?.checksum).toBe(configChecksum(VALID_SETTINGS));
    // Refusals are logged, never with the key.
    expect(stderr).toContain('"msg":"request refused"');
    expect(stderr).not.toContain(key.secret);
  });

  it("survives malformed HTTP on raw sockets: bad request lines, truncated and slow bodies, then close", { timeout: 60_000 }, async () => {
    const rng = new Rng(fuzzSeed("agent raw HTTP"));
    const adminCallsBefore = app.adminCalls.length;
    const u = new URL(base);
    const drain = JSON.stringify({ action: "app.drain" });
    const signedDrain = sign("POST", "/v1/actions", drain);
    // `answered`: an odd request line the agent must answer with a 4xx (CONNECT used to be dropped unanswered).
    const raw: Array<{ name: string; chunks: Array<string | Buffer>; gapMs?: number; answered?: boolean }> = [
      { name: "bad request line", chunks: ["GARBAGE\r\n\r\n"] },
      { name: "no version", chunks: ["GET /v1/status\r\n\r\n"] },
      { name: "HTTP/9.9", chunks: ["GET /v1/status HTTP/9.9\r\n\r\n"] },
      { name: "binary", chunks: [rng.bytes(1024)] },
      { name: "NUL in header", chunks: ["GET /v1/status HTTP/1.1\r\nHost: x\r\nX: a\u0000b\r\n\r\n"] },
      { name: "header without colon", chunks: ["GET /v1/status HTTP/1.1\r\nHost x\r\n\r\n"] },
      {
        name: "content-length and chunked",
        chunks: [
          `POST /v1/actions HTTP/1.1\r\nHost: x\r\nAuthorization: ${signedDrain}\r\nContent-Length: ${drain.length}\r\nTransfer-Encoding: chunked\r\n\r\n${drain}`,
        ],
      },
      { name: "two content-lengths", chunks: [`POST /v1/actions HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`] },
      { name: "bad chunk size", chunks: ["POST /v1/actions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n"] },
      // Signed for the whole drain, but only half of it arrives: nothing may run.
      {
        name: "signed drain, truncated body, then close",
        chunks: [
          `POST /v1/actions HTTP/1.1\r\nHost: x\r\nAuthorization: ${sign("POST", "/v1/actions", drain)}\r\nContent-Length: ${drain.length}\r\n\r\n${drain.slice(0, 10)}`,
        ],
      },
      {
        name: "signed drain, slow body, then close",
        chunks: [
          `POST /v1/actions HTTP/1.1\r\nHost: x\r\nAuthorization: ${sign("POST", "/v1/actions", drain)}\r\nContent-Length: ${drain.length}\r\n\r\n`,
          drain.slice(0, 5),
          drain.slice(5, 12),
        ],
        gapMs: 400,
      },
      { name: "truncated headers, then close", chunks: ["POST /v1/actions HTTP/1.1\r\nHost: x\r\nAuthoriz"] },
      { name: "slow headers", chunks: ["GET /v1/st", "atus HTTP/1.1\r\n", "Host: x\r\n", "\r\n"], gapMs: 300 },
      { name: "pipelined garbage", chunks: ["GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\nXYZ\r\n\r\n"] },
      { name: "absolute-form target", chunks: ["GET http://evil.example/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"], answered: true },
      { name: "asterisk target", chunks: ["OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"], answered: true },
      { name: "CONNECT", chunks: ["CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n"], answered: true },
      { name: "TRACE", chunks: ["TRACE /v1/status HTTP/1.1\r\nHost: x\r\n\r\n"], answered: true },
      ...ODD_REQUEST_LINES.map((o) => ({ name: o.name, chunks: [`${o.line}\r\nHost: x\r\n\r\n`], answered: true })),
      { name: "huge header line", chunks: [`GET /v1/status HTTP/1.1\r\nHost: x\r\nX: ${"a".repeat(70_000)}\r\n\r\n`] },
    ];
    const seen: string[] = [];
    const bad: string[] = [];
    for (const r of raw) {
      const answer = await rawExchange(u.hostname, Number(u.port), r);
      const codes = statusCodes(answer);
      seen.push(`${r.name}: ${codes.join(",") || "closed"}`);
      if (codes.some((code) => code >= 500)) bad.push(`${r.name}: ${answer.slice(0, 300)}`);
      if (r.answered && (codes.length !== 1 || codes[0]! < 400)) bad.push(`${r.name}: expected one 4xx answer, got ${answer.slice(0, 300) || "none (closed)"}`);
    }
    // Many half-open connections at once (slowloris-like), then all dropped.
    const sockets = await Promise.all(
      Array.from(
        { length: 50 },
        () =>
          new Promise<net.Socket>((resolve) => {
            const s = net.connect(Number(u.port), u.hostname, () => {
              s.write("POST /v1/actions HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n");
              resolve(s);
            });
            s.on("error", () => {});
          }),
      ),
    );
    await new Promise((r) => setTimeout(r, 300));
    for (const s of sockets) s.destroy();
    console.log(`agent raw HTTP: ${seen.join("; ")}`);
    expect(bad).toEqual([]);
    expect(exited).toBeNull();
    expect(app.adminCalls.slice(adminCallsBefore)).toEqual([]);
    const res = await send({ gen: "final", method: "GET", path: "/v1/status", headers: { authorization: sign("GET", "/v1/status") } });
    expect("error" in res ? res.error : res.status).toBe(200);
    expect(readFileSync(settingsFile, "utf8")).toBe(VALID_SETTINGS);
  });
});
