// Protects: the console API under hostile input. Thousands of random and
// malformed requests (seeded: the seed is printed, FUZZ_SEED replays a run)
// go to every route and method of the contract, and to paths and methods it
// does not have, mostly as ADMIN (so they pass authorization and reach
// parsing and the services), some anonymous or with garbage credentials.
// Each answer must be below 500; a 4xx must be problem+json; a mutation must
// never succeed; the console must still answer afterwards; and the tables only
// API mutations write must be byte for byte what they were.
//
// A mutation can only be refused if it is wrong, so every mutating request is
// built to be wrong: its body fails the route's own schema (checked here,
// before sending, with the contract's zod schema and the handler's parsing
// rules), or it targets a record that does not exist (fresh random ids). The
// one POST that writes nothing when valid (validate a configuration) may get
// real scopes and valid bodies.
//
// Requests that never reach proxy.ts are answered by the front server
// (bin/front-server.mjs), also as problem+json: TRACE and TRACK (405), odd
// request targets (OPTIONS *, absolute- and authority-form, CONNECT on a raw
// socket), broken percent-encodings, and what Node's HTTP parser refuses (an
// unknown method such as FOO, a header over the size limit). Next's own
// text/plain 500 for TRACE and OPTIONS * is gone, and so is its redirect of
// an absolute-form target off-site. A parser refusal may still reset the
// connection instead.
//
// Bodies whose JSON nests 20,000 levels (in under 64 KiB) or holds a lone
// UTF-16 surrogate or a NUL, in a value or a key, are sent to every route
// that takes one, and must be a 400: they are otherwise valid, so before the
// handler refused them they reached PostgreSQL (500) or overflowed the stack.
// next-auth's routes, which parse JSON bodies themselves, get malformed,
// deep and unstorable JSON too.
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import pg from "pg";
import { expect, test } from "@playwright/test";
import { allRoutes } from "@/lib/api/openapi";
import type { RouteSpec } from "@/lib/api/spec";
import { parseUntrustedJson } from "@/lib/agent-protocol/json";
import {
  BROKEN_JSON,
  LONE_SURROGATES,
  NASTY_NUMBER_TEXTS,
  NASTY_STRINGS,
  ODD_REQUEST_LINES,
  Rng,
  deepNesting,
  fuzzSeed,
  missingId,
  randomValue,
  rawExchange,
  statusCodes,
} from "@/lib/testing/fuzz";
import { E2E } from "../env";
import { tokenFor } from "../helpers";

const TOTAL = Number(process.env.FUZZ_REQUESTS ?? 3500);
const CONCURRENCY = 6;
/** Chosen when the test runs (this file is also loaded by the runner, which would print another). */
let seed = 0;

// ---------------------------------------------------------------------------
// Routes, their valid example bodies, real and missing ids
// ---------------------------------------------------------------------------

const routes = allRoutes();
const key = (r: Pick<RouteSpec, "method" | "path">) => `${r.method} ${r.path}`;
const bodyRoutes = routes.filter((r) => r.body);
const paramNames = (r: RouteSpec) => [...r.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]!);
const fill = (r: RouteSpec, values: Record<string, string>) => r.path.replace(/\{([^}]+)\}/g, (_m, n: string) => values[n]!);

/** The one POST that changes nothing even when it is valid. */
const READ_ONLY_POSTS = new Set(["POST /api/v1/config/scopes/{scope}/validate"]);
const isMutating = (method: string, routeKey?: string) => !["GET", "HEAD", "OPTIONS"].includes(method) && !(routeKey && READ_ONLY_POSTS.has(routeKey));

const ref = "zzexample0000000000000001";
const appInput = { database: { url: "postgresql://app:app-password@db.example:5432/app" }, sessionIdleSeconds: 60, logLevel: "info" };

/** A valid body for every route that takes one; mutations start from these. */
const EXAMPLES: Record<string, Record<string, unknown>> = {
  "POST /api/v1/clusters": { name: "fuzz-cluster", description: "d", environment: "staging" },
  "PATCH /api/v1/clusters/{id}": { name: "fuzz-cluster", description: "d", environment: "staging" },
  "POST /api/v1/load-balancers": {
    clusterId: ref,
    name: "lb-1",
    kind: "HAPROXY",
    tier: "SOFTWARE",
    host: "10.0.0.1",
    port: 80,
    agentUrl: "http://10.0.0.1:7070",
  },
  "PATCH /api/v1/load-balancers/{id}": { name: "lb-1", kind: "NGINX", tier: "EDGE", host: "lb.example", port: 443, agentUrl: null },
  "POST /api/v1/load-balancers/{id}/members": { nodeId: ref, weight: 10, backup: false },
  "PATCH /api/v1/load-balancers/{id}/members/{nodeId}": { weight: 10, backup: true },
  "POST /api/v1/nodes": { clusterId: ref, name: "node-1", host: "10.0.0.2", port: 8080, weight: 100, capacity: 1000, agentUrl: "https://10.0.0.2:7070" },
  "PATCH /api/v1/nodes/{id}": { name: "node-1", host: "::1", port: 8081, weight: 5, capacity: 50, agentUrl: null },
  "POST /api/v1/databases": { clusterId: ref, name: "db-1", engine: "POSTGRESQL", host: "db.example", port: 5432, role: "REPLICA", agentUrl: null },
  "PATCH /api/v1/databases/{id}": { name: "db-1", host: "db.example", port: 5433, role: "PRIMARY", agentUrl: "http://db.example:7070" },
  "POST /api/v1/events/{id}/acknowledge": { note: "seen" },
  // Never issued ids: the valid request answers 404 listing them and acknowledges nothing.
  "POST /api/v1/events/acknowledge": { ids: ["800000000000000001", "800000000000000002"], note: "seen" },
  "POST /api/v1/users": { email: "fuzz@example.test", name: "Fuzz", role: "VIEWER", password: "fuzz-password-123456" },
  "PATCH /api/v1/users/{id}": { name: "Fuzz", role: "OPERATOR", disabled: false },
  "POST /api/v1/users/{id}/password": { password: "fuzz-password-123456" },
  "POST /api/v1/tokens": { name: "fuzz token", role: "VIEWER", expiresInDays: 1 },
  "POST /api/v1/displays": { label: "fuzz wall", days: 1 },
  "POST /api/v1/displays/claim": { code: "A".repeat(43) },
  "POST /api/v1/config/scopes/{scope}/validate": { input: appInput },
  "POST /api/v1/config/scopes/{scope}/revisions": { input: appInput, message: "fuzz" },
  "POST /api/v1/config/revisions/{id}/rollback": { message: "back" },
  "POST /api/v1/config/revisions/{id}/deploy": { batchSize: 1, pauseSeconds: 0, targetIds: [ref], reason: "fuzz" },
  "POST /api/v1/config/targets/{type}/{id}/reconcile": { reason: "fuzz" },
  "POST /api/v1/nodes/{id}/drain": { reason: "fuzz", deadlineSeconds: 60, escalation: "none", force: false },
  "POST /api/v1/nodes/{id}/resume": { reason: "fuzz", slowStartSeconds: 0 },
  "POST /api/v1/nodes/{id}/maintenance": { reason: "fuzz", until: "2030-01-01T00:00:00Z" },
  "POST /api/v1/databases/{id}/rebuild": { reason: "fuzz" },
  "POST /api/v1/clusters/{id}/auto-failover": { enabled: false, paused: true, reason: "fuzz" },
  "POST /api/v1/clusters/{id}/replication-mode": { mode: "SYNC", quorum: 1, onLoss: "WAIT", reason: "fuzz" },
  "POST /api/v1/clusters/{id}/promote": { candidateId: ref, expectedPrimaryId: null, generation: 0, reason: "fuzz", force: false },
  "POST /api/v1/settings/two-person-rule": { enabled: false, reason: "fuzz" },
  "POST /api/v1/settings/link-local-destinations": { allowed: false, reason: "fuzz" },
  "POST /api/v1/operations/{id}/approve": { reason: "fuzz" },
  "POST /api/v1/poolers": { clusterId: ref, name: "pgb-1", host: "10.0.0.3", port: 6432, agentUrl: "http://10.0.0.3:7070" },
  "PATCH /api/v1/poolers/{id}": { name: "pgb-1", host: "pgb.example", port: 6433, agentUrl: null },
  "POST /api/v1/operations/{id}/cancel": { reason: "fuzz" },
};

type Pools = Record<string, string[]>;

/** A missing record for each path parameter: well-formed, never issued. */
function missingParam(r: RouteSpec, name: string, rng: Rng): string {
  if (name === "scope") return `${rng.pick(["app", "postgres", "haproxy"])}.${missingId(rng)}`;
  if (name === "type") return rng.pick(["nodes", "load-balancers", "databases"]);
  if (r.path.startsWith("/api/v1/events/")) return String(800_000_000_000_000_000 + rng.int(1_000_000_000));
  return missingId(rng);
}

/** Real records for a route's parameters, or null when the demo has none. */
function realParams(r: RouteSpec, pools: Pools, rng: Rng): Record<string, string> | null {
  const names = paramNames(r);
  if (names.length === 0) return null;
  const pool = (name: string) => (pools[name]?.length ? rng.pick(pools[name]!) : null);
  const out: Record<string, string> = {};
  const top = r.path.split("/")[3]!;
  if (top === "config") {
    const sub = r.path.split("/")[4]!;
    if (sub === "scopes") out.scope = pool("scopes") ?? "";
    else if (sub === "revisions") out.id = pool("revisions") ?? "";
    else {
      out.type = rng.pick(["nodes", "load-balancers", "databases"]);
      out.id = pool(out.type) ?? "";
    }
  } else {
    out.id = pool(top) ?? "";
    if (names.includes("nodeId")) out.nodeId = pool("nodes") ?? "";
  }
  return Object.values(out).every(Boolean) ? out : null;
}

// ---------------------------------------------------------------------------
// Would the handler accept this body? (lib/api/handler.ts, readJsonBody)
// ---------------------------------------------------------------------------

function handlerWouldAccept(r: RouteSpec, contentType: string | undefined, body: Buffer | undefined): boolean {
  if (!r.body) {
    const text = body?.toString("utf8").trim() ?? "";
    return text === "" || text === "{}";
  }
  if (!/^application\/(.+\+)?json\b/i.test(contentType ?? "")) return false;
  if (!body || body.length > (r.maxBodyBytes ?? 64 * 1024)) return false;
  const text = body.toString("utf8");
  if (text.trim() === "") return false;
  // The handler's own parsing: depth, NUL and lone surrogates are refused before the schema.
  const parsed = parseUntrustedJson(text);
  return parsed.ok && r.body.safeParse(parsed.value).success;
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

type Case = {
  gen: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Send the body in chunks, without a content-length. */
  chunked?: boolean;
  mutating: boolean;
  /** Node's HTTP parser may refuse it with a bare 4xx (no problem+json). */
  parserRefusal?: boolean;
  /** The one status allowed (cases whose body is refused for what is in it, whatever its shape). */
  expectStatus?: number;
  /** A huge body: the server may answer early and close while we still write. */
  tolerateReset?: boolean;
};

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Characters Node's client will not put in a request line are percent-encoded; everything else goes raw. */
function rawPath(p: string): string {
  return p.replace(/[^\u0021-\u00ff]/g, (c) => encodeURIComponent(c));
}

function jsonText(value: unknown): string {
  return JSON.stringify(value) ?? "null";
}

/**
 * Stands for a value JSON.stringify cannot write (a number's raw text, deep
 * nesting), replaced in the JSON text afterwards. It must come out of
 * JSON.stringify unchanged: with control characters in it (as it once had)
 * it was escaped, never matched, and those mutations sent the placeholder.
 */
const PLACEHOLDER_VALUE = "fuzz-placeholder-0f1e2d";
const PLACEHOLDER = JSON.stringify(PLACEHOLDER_VALUE);

/** One field of a valid body broken (or the body replaced); the JSON text is returned. */
function mutateBody(base: Record<string, unknown>, rng: Rng): { text: string; how: string } {
  const body: Record<string, unknown> = structuredClone(base);
  const keys = Object.keys(body);
  const field = keys.length ? rng.pick(keys) : "x";
  const how = rng.weighted<string>([
    [6, "wrong-type"],
    [5, "nasty-string"],
    [4, "number"],
    [3, "drop"],
    [2, "null"],
    [3, "extra-key"],
    [2, "proto-key"],
    [2, "array-for-object"],
    [1, "object-for-scalar"],
    [2, "huge-string"],
    [2, "deep"],
    [3, "surrogate"],
    [1, "surrogate-key"],
    [3, "whole-body"],
    [1, "nested-garbage"],
  ]);
  switch (how) {
    case "wrong-type":
      body[field] = randomValue(rng);
      break;
    case "nasty-string":
      body[field] = rng.pick(NASTY_STRINGS);
      break;
    case "number":
      body[field] = PLACEHOLDER_VALUE;
      return { text: jsonText(body).replace(PLACEHOLDER, rng.pick(NASTY_NUMBER_TEXTS)), how: `${how} ${field}` };
    case "drop":
      delete body[field];
      break;
    case "null":
      body[field] = null;
      break;
    case "extra-key":
      body[rng.pick(["isAdmin", "id", "role", "passwordHash", "tokenHash", "createdAt", "", " ", "a".repeat(300), rng.pick(NASTY_STRINGS)])] = randomValue(rng);
      break;
    case "proto-key": {
      const text = jsonText(body);
      const inject = rng.pick([
        '"__proto__":{"isAdmin":true,"role":"ADMIN"}',
        '"constructor":{"prototype":{"isAdmin":true}}',
        '"__proto__":null',
        '"prototype":[]',
      ]);
      return { text: text === "{}" ? `{${inject}}` : `{${inject},${text.slice(1)}`, how };
    }
    case "array-for-object":
      if (body[field] && typeof body[field] === "object" && !Array.isArray(body[field])) body[field] = [body[field]];
      else return { text: jsonText([body]), how: "array-body" };
      break;
    case "object-for-scalar":
      body[field] = rng.pick<unknown>([{ $gt: "" }, { toString: "x" }, { length: 1e9 }, [1, 2, 3]]);
      break;
    case "huge-string":
      body[field] = rng.pick(["x", "é", "\u0000", "😀"]).repeat(rng.pick([1000, 20_000, 70_000, 200_000]));
      break;
    case "surrogate":
      body[field] = rng.pick(LONE_SURROGATES);
      break;
    case "surrogate-key":
      body[rng.pick(LONE_SURROGATES)] = rng.pick(["x", 1, null]);
      break;
    case "deep": {
      const depth = rng.pick([65, 100, 1000, 10_000, 20_000, 30_000]);
      body[field] = PLACEHOLDER_VALUE;
      return { text: jsonText(body).replace(PLACEHOLDER, deepNesting(depth, rng.chance(0.5) ? "array" : "object")), how: `deep ${depth} ${field}` };
    }
    case "whole-body":
      return { text: rng.chance(0.6) ? rng.pick(BROKEN_JSON) : jsonText(randomValue(rng)), how };
    case "nested-garbage":
      body[field] = { [rng.pick(["a", "__proto__", "constructor", ""])]: randomValue(rng), nested: randomValue(rng) };
      break;
  }
  return { text: jsonText(body), how: `${how} ${field}` };
}

const CONTENT_TYPES: ReadonlyArray<readonly [number, string | undefined]> = [
  [30, "application/json"],
  [2, "application/json; charset=utf-8"],
  [1, "application/merge-patch+json"],
  [1, "APPLICATION/JSON"],
  [1, "application/jsonx"],
  [1, "application/json; charset=utf-16le"],
  [1, "text/plain"],
  [1, "application/x-www-form-urlencoded"],
  [1, "multipart/form-data; boundary=zz"],
  [1, "text/html; charset=\u00ff"],
  [1, undefined],
];

type Ctx = { rng: Rng; pools: Pools; admin: string; viewer: string; operator: string };

function bodyCase(ctx: Ctx): Case {
  const { rng, pools } = ctx;
  const r = rng.pick(bodyRoutes);
  const k = key(r);
  const names = paramNames(r);
  // Real targets only with a body the handler refuses; the validate route may take anything.
  const real = names.length > 0 && rng.chance(READ_ONLY_POSTS.has(k) ? 0.5 : 0.3) ? realParams(r, pools, rng) : null;
  const mustBeInvalid = (names.length === 0 || real !== null) && !READ_ONLY_POSTS.has(k);
  for (let attempt = 0; attempt < 50; attempt++) {
    let { text, how } = mutateBody(EXAMPLES[k]!, rng);
    if (READ_ONLY_POSTS.has(k) && rng.chance(0.5)) {
      // Garbage inside the configuration input: the scope's own schema and renderer get it.
      const input = rng.chance(0.5)
        ? { ...appInput, [rng.pick(["database", "sessionIdleSeconds", "logLevel", "settings", "sections", "runtime", "defaults"])]: randomValue(rng) }
        : randomValue(rng);
      text = jsonText({ input });
      how = "input-garbage";
    }
    const contentType = rng.weighted(CONTENT_TYPES);
    let body = Buffer.from(text, "utf8");
    if (contentType?.includes("utf-16")) body = Buffer.from(text, "utf16le");
    if (mustBeInvalid && handlerWouldAccept(r, contentType, body)) continue;
    const params = real ?? Object.fromEntries(names.map((n) => [n, missingParam(r, n, rng)]));
    return {
      gen: `body:${how}${real ? ":real" : ""}`,
      method: r.method,
      path: fill(r, params),
      headers: { ...bearer(ctx.admin), ...(contentType !== undefined ? { "content-type": contentType } : {}) },
      body,
      chunked: body.length > 0 && rng.chance(0.1),
      mutating: isMutating(r.method, k),
      tolerateReset: body.length > 64 * 1024,
    };
  }
  // Nothing invalid came up (unlikely): an unknown field is always refused.
  return {
    gen: "body:fallback",
    method: r.method,
    path: fill(r, Object.fromEntries(names.map((n) => [n, missingParam(r, n, rng)]))),
    headers: { ...bearer(ctx.admin), "content-type": "application/json" },
    body: Buffer.from(jsonText({ ...EXAMPLES[k], fuzzUnknownField: 1 })),
    mutating: isMutating(r.method, k),
  };
}

const QUERY_VALUES = [
  "",
  "0",
  "-1",
  "-0",
  "1.5",
  "1e309",
  "-1e309",
  "NaN",
  "Infinity",
  "0x10",
  "1_000",
  " 5",
  "5 ",
  "9007199254740993",
  "99999999999999999999999",
  "201",
  "100000",
  "true",
  "null",
  "[]",
  "{}",
  "a,b",
  "*",
  "%",
  "%zz",
  "%E0%A4%A",
  "%00",
  "%0d%0aSet-Cookie:x=1",
  "%ED%A0%80",
  "%C0%80",
  "%FF",
  "UP",
  "up",
  "SIDEWAYS",
  "0000-01-01T00:00:00Z",
  "0001-01-01T00:00:00+01:00",
  "2024-13-01T00:00:00Z",
  "9999-12-31T23:59:59.999999999-23:59",
  "2030-01-01T00:00:00Z",
  "15m",
  "7d",
  "1y",
  "NODE",
  "node",
  "999999999999999999",
  "-5",
  "x".repeat(3000),
];

function queryParamNames(r: RouteSpec): string[] {
  if (!r.query) return [];
  const shape = (r.query as unknown as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

/** Percent-encodes UTF-8 bytes (lone surrogates included, as EF BF BD), unlike encodeURIComponent, which throws on them. */
function pct(text: string): string {
  return [...Buffer.from(text, "utf8")]
    .map((b) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, "0")}`))
    .join("");
}

/** A query value as it goes on the wire (QUERY_VALUES are sent raw: some are deliberately bad escapes). */
function queryValue(rng: Rng, pools: Pools): string {
  return rng.weighted<string>([
    [6, rng.pick(QUERY_VALUES)],
    [2, pct(rng.pick(NASTY_STRINGS))],
    [2, rng.pick([...(pools.clusters ?? []), ...(pools.nodes ?? []), ...(pools.revisions ?? []), missingId(rng)])],
  ]);
}

function queryCase(ctx: Ctx): Case {
  const { rng, pools } = ctx;
  const r = rng.pick(routes.filter((x) => x.method === "GET"));
  const known = queryParamNames(r);
  const parts: string[] = [];
  for (let i = rng.between(1, 4); i > 0; i--) {
    const shape = rng.weighted<string>([
      [6, "known"],
      [2, "repeat"],
      [2, "unknown"],
      [1, "bare"],
      [1, "junk"],
    ]);
    const name = known.length ? rng.pick(known) : rng.pick(["page", "limit", "cursor"]);
    if (shape === "known") parts.push(`${name}=${queryValue(rng, pools)}`);
    else if (shape === "repeat") parts.push(`${name}=1`, `${name}=${queryValue(rng, pools)}`);
    else if (shape === "unknown")
      parts.push(`${rng.pick(["color", "__proto__", "constructor", "page[]", "a.b", "%", "%00", "", "x".repeat(200)])}=${queryValue(rng, pools)}`);
    else if (shape === "bare") parts.push(rng.pick([name, "", "=", "=x", "&&"]));
    else parts.push(rng.pick(["%", "%%", "%zz=1", "a=%E0%A4%A", "&&&", "?", "#", ";", "a=1;b=2"]));
  }
  const params = realParams(r, pools, rng) ?? Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, rng)]));
  const headers: Record<string, string> = { ...bearer(ctx.admin) };
  if (r.path === "/api/v1/stream" && rng.chance(0.5)) headers["last-event-id"] = rng.pick(["-1", "abc", "99999999999999999999", "1", "%00", "0x1"]);
  return { gen: "query", method: "GET", path: rawPath(`${fill(r, params)}?${parts.join("&")}`), headers, mutating: false };
}

const PATH_GARBAGE = [
  "",
  ".",
  "..",
  "%2e%2e",
  "..%2f..%2f",
  "%2F",
  "a/b",
  "%00",
  "%",
  "%E0%A4%A",
  "%ZZ",
  "%C0%AE%C0%AE",
  "x".repeat(4000),
  "z".repeat(41),
  "UPPERCASE0001",
  "-1",
  "0",
  "1e309",
  "null",
  "__proto__",
  "constructor",
  "%F0%9F%98%80",
  "\u00ff\u00fe",
  "a;b",
  "a?b=c",
  "a#frag",
  "%23",
  "a%20b",
  "*",
  "~",
  "$",
  "'",
  "%27%20OR%201=1",
  "....//",
  "%252e%252e",
  "\\..\\",
  "%5c..%5c",
];

function safeMutationBody(rng: Rng): { body?: Buffer; headers: Record<string, string> } {
  const choice = rng.int(4);
  if (choice === 0) return { headers: {} };
  if (choice === 1) return { body: Buffer.from('{"fuzzUnknownField":1}'), headers: { "content-type": "application/json" } };
  if (choice === 2) return { body: Buffer.from(rng.pick(["[]", '"x"', "{", "null"])), headers: { "content-type": "application/json" } };
  return { body: Buffer.from("garbage"), headers: { "content-type": rng.pick(["text/plain", "application/json"]) } };
}

function pathCase(ctx: Ctx): Case {
  const { rng } = ctx;
  const r = rng.pick(routes);
  const names = paramNames(r);
  let p: string;
  if (names.length) {
    const broken = rng.pick(names);
    p = fill(r, Object.fromEntries(names.map((n) => [n, n === broken ? rng.pick(PATH_GARBAGE) : missingParam(r, n, rng)])));
  } else {
    p = r.path + rng.pick(["/", "//", "/x", "/..", "/%2e%2e", "/" + missingId(rng), "%00", ";x=1", "/" + "x".repeat(3000)]);
  }
  const mutating = isMutating(r.method);
  const extra = mutating ? safeMutationBody(rng) : { headers: {} as Record<string, string> };
  return { gen: "path", method: r.method, path: rawPath(p), headers: { ...bearer(ctx.admin), ...extra.headers }, body: extra.body, mutating };
}

const AUTH_GARBAGE = (ctx: Ctx, rng: Rng): Record<string, string> =>
  rng.pick<Record<string, string>>([
    {},
    { authorization: "" },
    { authorization: "Bearer" },
    { authorization: "Bearer " },
    { authorization: "Bearer cdk_" },
    { authorization: `Bearer cdk_${rng.string(43)}` },
    { authorization: `Bearer ${ctx.admin}x` },
    { authorization: `Bearer ${ctx.admin.slice(0, -1)}` },
    { authorization: `Bearer ${ctx.admin} ${ctx.admin}` },
    { authorization: "Basic YWRtaW46YWRtaW4=" },
    { authorization: 'Digest username="admin"' },
    { authorization: `Bearer ${"x".repeat(6000)}` },
    { authorization: "Bearer \u00ff\u00fe" },
    { authorization: `Bearer ${ctx.viewer}` },
    { authorization: `Bearer ${ctx.operator}` },
    { cookie: "next-auth.session-token=garbage" },
    { cookie: "next-auth.session-token=eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0..aaaa.bbbb.cccc" },
    { cookie: "next-auth.session-token=%E0%A4%A" },
    { cookie: "x=%; next-auth.session-token=%" },
    { cookie: "__proto__=1; constructor=2" },
    { cookie: `next-auth.session-token=${"a".repeat(8000)}` },
    { cookie: ";;;=;=;" },
    { cookie: "next-auth.session-token=garbage", origin: E2E.baseURL },
    { cookie: "next-auth.session-token=garbage", authorization: `Bearer cdk_${rng.string(43)}` },
  ]);

function authCase(ctx: Ctx): Case {
  const { rng } = ctx;
  const r = rng.pick(routes.filter((x) => x.path !== "/api/v1/stream"));
  const mutating = isMutating(r.method);
  const extra = mutating ? safeMutationBody(rng) : { headers: {} as Record<string, string> };
  const p = fill(r, Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, rng)])));
  return { gen: "auth", method: r.method, path: p, headers: { ...AUTH_GARBAGE(ctx, rng), ...extra.headers }, body: extra.body, mutating };
}

function headerCase(ctx: Ctx): Case {
  const { rng, pools } = ctx;
  const base = rng.chance(0.5) ? queryCaseWithoutQuery(ctx) : bodyCase(ctx);
  const pick = rng.weighted<string>([
    [3, "idempotency"],
    [2, "request-id"],
    [2, "forwarded"],
    [2, "origin"],
    [1, "accept"],
    [2, "cookie"],
    [2, "huge"],
    [1, "many"],
    [1, "encoding"],
    [1, "content-length"],
  ]);
  const h: Record<string, string> = { ...base.headers };
  let parserRefusal = false;
  switch (pick) {
    case "idempotency":
      h["idempotency-key"] = rng.pick([
        "",
        "short",
        "x".repeat(129),
        "x".repeat(6000),
        "key with spaces",
        "\u00ff\u00fe\u00fd\u00fc\u00fb\u00fa\u00f9\u00f8",
        "../../etc",
        "valid-key-" + rng.string(20),
        "%00%00%00%00%00%00",
      ]);
      break;
    case "request-id":
      h["x-request-id"] = rng.pick(["", "\u00ff".repeat(20), "x".repeat(5000), "a b c d e f g h", "<script>"]);
      break;
    case "forwarded":
      h["x-forwarded-for"] = rng.pick(["", ",,,", "1.1.1.1, <script>", "x".repeat(5000), "::1, ::ffff:127.0.0.1", "999.999.999.999"]);
      h["x-forwarded-host"] = rng.pick(["evil.example", "", "\u00ff", "a".repeat(1000)]);
      break;
    case "origin":
      h.origin = rng.pick(["null", "http://[", "https://evil.example", "", E2E.baseURL + "x", "\u00ff"]);
      h["sec-fetch-site"] = rng.pick(["same-origin", "cross-site", "\u00ff"]);
      break;
    case "accept":
      h.accept = rng.pick(["text/html", "*/*;q=abc", "application/problem+json", "\u00ff".repeat(10), "x".repeat(4000)]);
      break;
    case "cookie":
      h.cookie = rng.pick(["x=%", "a=%E0%A4%A", "next-auth.session-token=garbage", "__Secure-next-auth.session-token=zz", "=", "a".repeat(8000)]);
      break;
    case "huge":
      h["x-fuzz-huge"] = "h".repeat(rng.pick([4000, 9000, 12_000]));
      break;
    case "many":
      for (let i = 0; i < 80; i++) h[`x-fuzz-${i}`] = rng.string(20);
      break;
    case "encoding":
      h["content-encoding"] = rng.pick(["gzip", "br", "deflate", "identity, gzip", "\u00ff"]);
      h["transfer-encoding"] = rng.pick(["gzip", "chunked, gzip", "identity"]);
      parserRefusal = true;
      break;
    case "content-length":
      h["content-length"] = rng.pick(["-1", "abc", "1e3", "99999999999999999999", "0, 5"]);
      parserRefusal = true;
      break;
  }
  void pools;
  return { ...base, gen: `header:${pick}`, headers: h, parserRefusal, chunked: false };
}

function queryCaseWithoutQuery(ctx: Ctx): Case {
  const { rng, pools } = ctx;
  const r = rng.pick(routes.filter((x) => x.method === "GET" && x.path !== "/api/v1/stream"));
  const params = realParams(r, pools, rng) ?? Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, rng)]));
  return { gen: "get", method: "GET", path: fill(r, params), headers: { ...bearer(ctx.admin) }, mutating: false };
}

const OTHER_METHODS = [
  "GET",
  "POST",
  "PUT",
  "PATCH",
  "DELETE",
  "OPTIONS",
  "HEAD",
  "PROPFIND",
  "MKCOL",
  "PURGE",
  "LINK",
  "SEARCH",
  "REPORT",
  "LOCK",
  "COPY",
  "MOVE",
];

function methodCase(ctx: Ctx): Case {
  const { rng } = ctx;
  const r = rng.pick(routes);
  const p = fill(r, Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, rng)])));
  const kind = rng.weighted<string>([
    [12, "other"],
    [2, "parser"],
    [2, "trace"],
  ]);
  const method = kind === "other" ? rng.pick(OTHER_METHODS) : kind === "parser" ? rng.pick(["FOO", "GETT", "BREW", "X"]) : rng.pick(["TRACE", "TRACK"]);
  const mutating = isMutating(method);
  const extra = mutating ? safeMutationBody(rng) : { headers: {} as Record<string, string> };
  return {
    gen: `method:${kind === "other" ? method : kind}`,
    method,
    path: p === "/api/v1/stream" && method === "GET" ? `${p}?x=1` : p,
    headers: { ...bearer(ctx.admin), ...extra.headers },
    body: extra.body,
    mutating,
    parserRefusal: kind === "parser",
    // TRACE reaches the front server, TRACK its parser: both are a 405 problem.
    expectStatus: kind === "trace" ? 405 : undefined,
  };
}

function unknownPathCase(ctx: Ctx): Case {
  const { rng } = ctx;
  const p = rng.pick([
    `/api/v1/${rng.string(rng.between(1, 20))}`,
    `/api/v1/nodes/${missingId(rng)}/${rng.string(6)}`,
    `/api/v1/nodes/${missingId(rng)}/drain/now`,
    "/api/v2/nodes",
    "/api",
    "/api/",
    "/api/v1",
    "/api//v1/nodes",
    "/api/v1/nodes;jsessionid=1",
    "/api/v1/%2e%2e/%2e%2e/etc/passwd",
    "/api/v1/openapi.json/x",
    "/api/v1/health.json",
    "/api/v1/config",
    "/api/v1/config/targets/nodes",
    `/api/v1/config/targets/widgets/${missingId(rng)}/running`,
    `/api/v1/${"a/".repeat(200)}`,
    "/api/v1/%",
    "/api/v1/\u00ff",
    "/api/auth/%E0%A4%A",
    "/api/auth/%ED%A0%80",
    "/api/auth/session/%ED%A0%80",
  ]);
  const method = rng.pick(["GET", "POST", "DELETE", "PATCH", "PUT"]);
  const mutating = isMutating(method);
  const extra = mutating ? safeMutationBody(rng) : { headers: {} as Record<string, string> };
  return { gen: "unknown-path", method, path: rawPath(p), headers: { ...bearer(ctx.admin), ...extra.headers }, body: extra.body, mutating };
}

function oversizeCase(ctx: Ctx): Case {
  const { rng } = ctx;
  const r = rng.pick(routes.filter((x) => x.method !== "GET"));
  const p = fill(r, Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, rng)])));
  const size = rng.pick([1024 * 1024, 300 * 1024, 70 * 1024]);
  const body = Buffer.from(jsonText({ name: "x".repeat(size) }));
  return {
    gen: "oversize",
    method: r.method,
    path: p,
    headers: { ...bearer(ctx.admin), "content-type": "application/json" },
    body,
    chunked: rng.chance(0.5),
    mutating: true,
    tolerateReset: true,
  };
}

/** next-auth's routes parse JSON bodies themselves: these must be refused before they do (malformed JSON was Next's 500). */
const NEXT_AUTH_POSTS = [
  "/api/auth/callback/credentials",
  "/api/auth/signin/credentials",
  "/api/auth/signout",
  "/api/auth/callback/oidc",
  "/api/auth/session",
  "/api/auth/_log",
];

function nextAuthJsonCase(ctx: Ctx): Case {
  const { rng } = ctx;
  const text = rng.pick([
    () => rng.pick(BROKEN_JSON.filter((t) => !parseUntrustedJson(t).ok)),
    () => deepNesting(rng.pick([65, 20_000]), rng.chance(0.5) ? "array" : "object"),
    () => JSON.stringify({ email: `a${rng.pick(LONE_SURROGATES)}@e2e.test`, password: "x", csrfToken: "x" }),
    () => JSON.stringify({ [rng.pick(LONE_SURROGATES)]: 1, csrfToken: "\u0000" }),
  ])();
  const body = Buffer.from(text);
  return {
    gen: "next-auth-json",
    method: "POST",
    path: rng.pick(NEXT_AUTH_POSTS),
    headers: { "content-type": rng.pick(["application/json", "application/json; charset=utf-8"]) },
    body,
    mutating: true,
    expectStatus: body.length > 64 * 1024 ? 413 : 400,
    tolerateReset: body.length > 64 * 1024,
  };
}

/** Otherwise-valid bodies with one thing no column can take: a lone surrogate (value or key), a NUL, or 20,000 levels of nesting. */
function unstorableBodies(r: RouteSpec, rng: Rng): Array<{ how: string; text: string }> {
  const example = EXAMPLES[key(r)]!;
  const strings = Object.keys(example).filter((k) => typeof example[k] === "string");
  const field = strings.length ? rng.pick(strings) : (Object.keys(example)[0] ?? "x");
  const withValue = (v: unknown) => JSON.stringify({ ...example, [field]: v });
  return [
    {
      how: `surrogate ${field}`,
      text: withValue(typeof example[field] === "string" ? `${example[field] as string}${rng.pick(LONE_SURROGATES)}` : rng.pick(LONE_SURROGATES)),
    },
    { how: "surrogate key", text: JSON.stringify({ ...example, [rng.pick(LONE_SURROGATES)]: 1 }) },
    { how: `nul ${field}`, text: withValue("a\u0000b") },
    { how: `deep 20000 ${field}`, text: withValue(PLACEHOLDER_VALUE).replace(PLACEHOLDER, deepNesting(20_000, "array")) },
  ];
}

function buildCases(ctx: Ctx, total: number): Case[] {
  const gens: ReadonlyArray<readonly [number, (c: Ctx) => Case]> = [
    [45, bodyCase],
    [14, queryCase],
    [12, pathCase],
    [10, headerCase],
    [8, authCase],
    [6, methodCase],
    [3, unknownPathCase],
    [1, oversizeCase],
    [2, nextAuthJsonCase],
  ];
  const out: Case[] = [];
  // Every route, with each of its methods, at least once with a missing id and (for bodies) a broken body.
  for (const r of routes) {
    const p = fill(r, Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, ctx.rng)])));
    const body = r.body ? Buffer.from('{"fuzzUnknownField":1}') : undefined;
    out.push({
      gen: "every-route",
      method: r.method,
      path: r.path === "/api/v1/stream" ? `${p}?x=1` : p,
      headers: { ...bearer(ctx.admin), ...(body ? { "content-type": "application/json" } : {}) },
      body,
      mutating: isMutating(r.method, key(r)),
    });
    if (!r.body) continue;
    // And with each thing no column can take, on a real record when there is one.
    for (const { how, text } of unstorableBodies(r, ctx.rng)) {
      const params = realParams(r, ctx.pools, ctx.rng) ?? Object.fromEntries(paramNames(r).map((n) => [n, missingParam(r, n, ctx.rng)]));
      out.push({
        gen: `unstorable:${how}`,
        method: r.method,
        path: fill(r, params),
        headers: { ...bearer(ctx.admin), "content-type": "application/json" },
        body: Buffer.from(text),
        mutating: isMutating(r.method, key(r)),
        expectStatus: 400,
      });
    }
  }
  while (out.length < total) out.push(ctx.rng.weighted(gens)(ctx));
  // Raw bytes above 0x7e in the request line: Node's parser refuses them before Next.
  for (const c of out) if (/[\u0080-\u00ff]/.test(c.path)) c.parserRefusal = true;
  return out;
}

// ---------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------

type Answer = { status: number; headers: http.IncomingHttpHeaders; body: string } | { error: string };

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: CONCURRENCY });

function send(c: Case, timeoutMs = 20_000): Promise<Answer> {
  return new Promise((resolve) => {
    let req: http.ClientRequest;
    const done = (a: Answer) => {
      clearTimeout(timer);
      resolve(a);
    };
    const timer = setTimeout(() => {
      req?.destroy();
      done({ error: `no answer within ${timeoutMs} ms` });
    }, timeoutMs);
    try {
      const headers: Record<string, string> = { ...c.headers };
      if (c.body && !c.chunked && headers["content-length"] === undefined) headers["content-length"] = String(c.body.length);
      if (c.chunked) headers["transfer-encoding"] = "chunked";
      req = http.request(
        { host: "127.0.0.1", port: E2E.port, method: c.method, path: c.path, headers, agent: c.parserRefusal || c.tolerateReset ? false : keepAlive },
        (res) => {
          if (String(res.headers["content-type"] ?? "").includes("text/event-stream")) {
            res.destroy();
            return done({ status: res.statusCode ?? 0, headers: res.headers, body: "" });
          }
          const chunks: Buffer[] = [];
          res.on("data", (d: Buffer) => chunks.push(d));
          res.on("end", () => done({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
          res.on("error", (e) => done({ error: e.message }));
        },
      );
    } catch (error) {
      return done({ error: `client refused to send: ${(error as Error).message}` });
    }
    req.on("error", (e) => done({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    if (c.body && c.chunked) {
      for (let i = 0; i < c.body.length; i += 16 * 1024) req.write(c.body.subarray(i, i + 16 * 1024));
      req.end();
    } else {
      req.end(c.body);
    }
  });
}

/** Why this answer breaks the rules, or null. */
function verdict(c: Case, a: Answer): string | null {
  if ("error" in a) {
    if (a.error.startsWith("client refused")) return null;
    if ((c.tolerateReset || c.parserRefusal) && /ECONNRESET|EPIPE|socket hang up/i.test(a.error)) return null;
    return `transport: ${a.error}`;
  }
  const type = String(a.headers["content-type"] ?? "");
  if (a.status >= 500) return `status ${a.status}`;
  if (c.expectStatus !== undefined && a.status !== c.expectStatus) return `status ${a.status}, not ${c.expectStatus}`;
  if (c.mutating && a.status >= 200 && a.status < 300) return `a mutation succeeded (${a.status})`;
  if (a.status >= 400) {
    if (!type.includes("application/problem+json")) return `${a.status} is ${type || "untyped"}, not problem+json`;
    if (c.method === "HEAD") return null;
    try {
      const problem = JSON.parse(a.body) as { status?: number; requestId?: string; title?: string };
      if (problem.status !== a.status || !problem.requestId || !problem.title) return `problem body does not match: ${a.body.slice(0, 200)}`;
    } catch {
      return `problem body is not JSON: ${a.body.slice(0, 200)}`;
    }
  }
  return null;
}

function describe(c: Case, i: number): string {
  const body = c.body ? ` body(${c.body.length}${c.chunked ? ", chunked" : ""})=${JSON.stringify(c.body.subarray(0, 160).toString("utf8"))}` : "";
  const headers = Object.entries(c.headers)
    .filter(([k]) => k !== "authorization" || !c.headers.authorization?.includes("cdk_"))
    .map(([k, v]) => `${k}: ${v.slice(0, 80)}${v.length > 80 ? "…" : ""}`)
    .join(" | ");
  return `#${i} [${c.gen}] ${c.method} ${c.path.slice(0, 200)}${c.path.length > 200 ? "…" : ""}${headers ? ` {${headers}}` : ""}${body}`;
}

// ---------------------------------------------------------------------------
// What API mutations write, read straight from the console's database
// ---------------------------------------------------------------------------

/** Tables only API mutations write, less the columns the worker updates all the time (health, sessions, last seen). */
const WRITTEN_BY_API: Array<{ table: string; key: string[]; exclude?: string[]; where?: string }> = [
  // The worker's sync keeper notes what the primary runs and which replica is synchronous (worker/db-sync.ts).
  { table: "Cluster", key: ["id"], exclude: ["syncDegraded", "syncStandby", "syncNamesSeen", "updatedAt"] },
  { table: "LoadBalancer", key: ["id"], exclude: ["health", "lastSeenAt", "updatedAt"] },
  { table: "Node", key: ["id"], exclude: ["health", "lastSeenAt", "activeSessions", "updatedAt"] },
  { table: "PoolMember", key: ["id"] },
  { table: "DatabaseInstance", key: ["id"], exclude: ["health", "replicationState", "fence", "timeline", "lagBytes", "lastSeenAt", "updatedAt"] },
  { table: "Pooler", key: ["id"], exclude: ["health", "lastSeenAt", "updatedAt"] },
  { table: "AgentCredential", key: ["id"] },
  { table: "RuntimeOverride", key: ["id"] },
  { table: "User", key: ["id"] },
  { table: "LoginThrottle", key: ["key"] },
  { table: "ApiToken", key: ["id"], exclude: ["lastUsedAt"] },
  // Browser sessions and wall displays: no API request of the fuzzer may open, touch or end one.
  { table: "Session", key: ["id"] },
  // Refusals (403) are audited on purpose; anything else would be a change or a server error.
  { table: "AuditEntry", key: ["id"], where: `outcome <> 'DENIED'` },
  // The worker raises events; only acknowledging one is an API write.
  { table: "Event", key: ["id"], where: `"acknowledgedAt" IS NOT NULL OR "acknowledgedById" IS NOT NULL` },
  { table: "ConfigRevision", key: ["id"] },
  { table: "ConfigTargetState", key: ["targetType", "targetId"], exclude: ["reportedChecksum", "reportedAt", "driftSince"] },
  { table: "ConfigDeployment", key: ["id"] },
  { table: "Operation", key: ["id"] },
  // The worker keeps its roll-up progress in rollup.* settings.
  { table: "Setting", key: ["key"], where: `key NOT LIKE 'rollup.%'` },
];

type Fingerprint = Map<string, Map<string, string>>;

async function fingerprint(client: pg.Client): Promise<Fingerprint> {
  const out: Fingerprint = new Map();
  for (const t of WRITTEN_BY_API) {
    const { rows } = await client.query<{ row: Record<string, unknown> }>(
      `SELECT to_jsonb(t) - $1::text[] AS row FROM "${t.table}" t${t.where ? ` WHERE ${t.where}` : ""}`,
      [t.exclude ?? []],
    );
    out.set(t.table, new Map(rows.map(({ row }) => [t.key.map((k) => String(row[k])).join("/"), JSON.stringify(row)])));
  }
  return out;
}

function differences(before: Fingerprint, after: Fingerprint): string[] {
  const out: string[] = [];
  for (const [table, rows] of after) {
    const old = before.get(table)!;
    for (const [id, row] of rows) {
      if (!old.has(id)) out.push(`${table} ${id} added: ${row.slice(0, 300)}`);
      else if (old.get(id) !== row) out.push(`${table} ${id} changed: ${old.get(id)!.slice(0, 300)} → ${row.slice(0, 300)}`);
    }
    for (const id of old.keys()) if (!rows.has(id)) out.push(`${table} ${id} removed`);
  }
  return out;
}

async function connectToConsoleDatabase(): Promise<pg.Client> {
  const config = JSON.parse(fs.readFileSync(path.join(E2E.dataDir, "postgres.json"), "utf8")) as { user: string; password: string; database: string };
  const client = new pg.Client({ host: "127.0.0.1", port: E2E.pgPort, user: config.user, password: config.password, database: config.database });
  await client.connect();
  return client;
}

async function getJson(p: string, token: string): Promise<unknown> {
  const res = await fetch(E2E.baseURL + p, { headers: bearer(token) });
  expect(res.status, `GET ${p}`).toBe(200);
  return res.json();
}

async function realPools(admin: string): Promise<Pools> {
  const ids = async (p: string) => ((await getJson(p, admin)) as { items: { id: string | number }[] }).items.map((x) => String(x.id));
  // Scopes with revisions first: those are the demo's, with agents behind them.
  const scopes = (await getJson("/api/v1/config/scopes", admin)) as Array<{ key: string; latestRevision: number | null }>;
  const scopeList = [...scopes].sort((a, b) => Number(b.latestRevision !== null) - Number(a.latestRevision !== null)).map((s) => s.key);
  const pools: Pools = {
    clusters: await ids("/api/v1/clusters?pageSize=200"),
    nodes: await ids("/api/v1/nodes?pageSize=200"),
    "load-balancers": await ids("/api/v1/load-balancers?pageSize=200"),
    databases: await ids("/api/v1/databases?pageSize=200"),
    poolers: await ids("/api/v1/poolers?pageSize=200"),
    users: await ids("/api/v1/users?pageSize=200"),
    tokens: await ids("/api/v1/tokens?pageSize=200"),
    events: await ids("/api/v1/events?pageSize=50"),
    operations: ((await getJson("/api/v1/operations?limit=200", admin)) as { id: string }[]).map((o) => o.id),
    scopes: scopeList,
    revisions: [],
  };
  for (const scope of scopeList.slice(0, 10)) {
    const detail = (await getJson(`/api/v1/config/scopes/${scope}`, admin)) as { revisions?: { id: string }[] };
    pools.revisions!.push(...(detail.revisions ?? []).map((r) => r.id));
  }
  return pools;
}

/** Operations still running would change the tables under us: let them finish first. */
async function waitForQuiet(client: pg.Client) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const { rows } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM "Operation" WHERE state IN ('PENDING', 'RUNNING')`);
    if (rows[0]!.n === 0) return;
    if (Date.now() > deadline) throw new Error(`${rows[0]!.n} operation(s) still running after 60 s; cannot take a clean fingerprint`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function leaseHolder(client: pg.Client): Promise<string | null> {
  const { rows } = await client.query<{ holder: string }>(`SELECT holder FROM "WorkerLease" WHERE name = 'monitor'`);
  return rows[0]?.holder ?? null;
}

// ---------------------------------------------------------------------------

test.describe.configure({ mode: "serial" });

test("every route with a body has a valid example to mutate", () => {
  expect(Object.keys(EXAMPLES).sort()).toEqual(bodyRoutes.map(key).sort());
  for (const r of bodyRoutes) {
    const parsed = r.body!.safeParse(EXAMPLES[key(r)]);
    expect(parsed.success, `${key(r)}: ${parsed.success ? "" : parsed.error.message}`).toBe(true);
  }
});

test(`${TOTAL} random and malformed requests: no 5xx, problem+json 4xx, no mutation succeeds, nothing written`, async () => {
  test.setTimeout(240_000);
  seed = fuzzSeed("api fuzz");
  const admin = tokenFor("ADMIN");
  const ctx: Ctx = { rng: new Rng(seed), pools: await realPools(admin), admin, viewer: tokenFor("VIEWER"), operator: tokenFor("OPERATOR") };
  const cases = buildCases(ctx, TOTAL);

  const client = await connectToConsoleDatabase();
  try {
    await waitForQuiet(client);
    const before = await fingerprint(client);
    const holderBefore = await leaseHolder(client);

    const started = Date.now();
    const failures: string[] = [];
    const byGen = new Map<string, Map<string, number>>();
    let next = 0;
    const worker = async () => {
      for (;;) {
        const i = next++;
        if (i >= cases.length) return;
        const c = cases[i]!;
        const a = await send(c);
        const why = verdict(c, a);
        if (why)
          failures.push(
            `${why}\n    ${describe(c, i)}\n    → ${"error" in a ? a.error : `${a.status} ${String(a.headers["content-type"] ?? "")} ${a.body.slice(0, 300)}`}`,
          );
        const gen = c.gen.split(":")[0]!;
        const status = "error" in a ? (a.error.startsWith("client refused") ? "unsent" : "reset") : String(a.status);
        const counts = byGen.get(gen) ?? new Map<string, number>();
        counts.set(status, (counts.get(status) ?? 0) + 1);
        byGen.set(gen, counts);
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    const seconds = (Date.now() - started) / 1000;
    console.log(`api fuzz: ${cases.length} requests in ${seconds.toFixed(1)} s (seed ${seed})`);
    for (const [gen, counts] of [...byGen].sort())
      console.log(
        `  ${gen.padEnd(13)} ${[...counts]
          .sort()
          .map(([s, n]) => `${s}×${n}`)
          .join(" ")}`,
      );

    // Still up, the worker included (a restarted worker takes the lease under a new holder id).
    const health = await fetch(`${E2E.baseURL}/api/v1/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: "ok", database: "up" });
    expect(await leaseHolder(client), "the worker holding the lease changed: did it crash?").toBe(holderBefore);

    await waitForQuiet(client);
    const changed = differences(before, await fingerprint(client));
    const report = [
      failures.length ? `${failures.length} bad answer(s):\n${failures.slice(0, 25).join("\n")}` : "",
      changed.length ? `written by the run:\n${changed.slice(0, 25).join("\n")}` : "",
    ].filter(Boolean);
    expect(report, `seed ${seed}\n${report.join("\n")}`).toEqual([]);
  } finally {
    await client.end();
  }
});

/**
 * A few requests no HTTP client would send, written straight to a socket:
 * refused or closed, never a 5xx nor a redirect off-site; and each odd
 * request line (ODD_REQUEST_LINES) answered with one problem+json 4xx.
 */
test("malformed HTTP on a raw socket: refused or closed, odd request lines answered as problems, and the console stays up", async () => {
  const rng = new Rng((seed || fuzzSeed("raw HTTP")) ^ 0x5eed);
  const admin = tokenFor("ADMIN");
  const id = missingId(rng);
  const raw: Array<{ name: string; chunks: Array<string | Buffer>; gapMs?: number; expect?: number }> = [
    { name: "bad request line", chunks: ["GARBAGE\r\n\r\n"] },
    { name: "no version", chunks: ["GET /api/v1/health\r\n\r\n"] },
    { name: "HTTP/9.9", chunks: ["GET /api/v1/health HTTP/9.9\r\nHost: x\r\n\r\n"] },
    { name: "space in path", chunks: ["GET /api/v1/no des HTTP/1.1\r\nHost: x\r\n\r\n"] },
    { name: "binary", chunks: [rng.bytes(512)] },
    { name: "header without colon", chunks: ["GET /api/v1/health HTTP/1.1\r\nHost x\r\n\r\n"] },
    { name: "NUL in header", chunks: ["GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n"] },
    {
      name: "content-length and chunked",
      chunks: [
        `POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      ],
    },
    {
      name: "two content-lengths",
      chunks: [
        `POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\n{}`,
      ],
    },
    {
      name: "bad chunk size",
      chunks: [
        `POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n`,
      ],
    },
    {
      name: "truncated body, then close",
      chunks: [
        `POST /api/v1/nodes/${id}/drain HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"reason":"fuz`,
      ],
    },
    { name: "truncated headers, then close", chunks: ["POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\nContent-Ty"] },
    { name: "slow headers", chunks: ["GET /api/v1/he", "alth HTTP/1.1\r\n", "Host: x\r\n", "\r\n"], gapMs: 300 },
    {
      name: "slow body, then close",
      chunks: [
        `POST /api/v1/clusters HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`,
        '"na',
        'me":',
      ],
      gapMs: 300,
    },
    { name: "pipelined garbage after a good request", chunks: ["GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\nXYZ /\r\n\r\n"] },
    { name: "header folding", chunks: ["GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-A: a\r\n  folded\r\n\r\n"] },
    ...ODD_REQUEST_LINES.map((o) => ({
      name: o.name,
      chunks: [`${o.line}\r\nHost: 127.0.0.1:${E2E.port}\r\nAuthorization: Bearer ${admin}\r\nContent-Length: 0\r\n\r\n`],
      expect: o.kind === "method" ? 405 : 400,
    })),
  ];
  const statuses: string[] = [];
  const bad: string[] = [];
  for (const r of raw) {
    const answer = await rawExchange("127.0.0.1", E2E.port, r);
    const codes = statusCodes(answer);
    statuses.push(`${r.name}: ${codes.join(",") || "closed"}`);
    if (codes.some((code) => code >= 500)) bad.push(`${r.name}: ${answer.slice(0, 300)}`);
    const location = /\r\nlocation: ([^\r]*)/i.exec(answer)?.[1];
    if (location && new URL(location, E2E.baseURL).origin !== E2E.baseURL) bad.push(`${r.name}: redirected off-site to ${location}`);
    if (r.expect !== undefined) {
      const problem = /\r\ncontent-type: application\/problem\+json[^]*?\r\n\r\n(\{[^]*\})$/i.exec(answer)?.[1];
      let body: { status?: number; requestId?: string } = {};
      try {
        body = JSON.parse(problem ?? "{}") as typeof body;
      } catch {}
      if (codes.join() !== String(r.expect) || body.status !== r.expect || !body.requestId)
        bad.push(`${r.name}: expected one ${r.expect} problem, got ${answer.slice(0, 300) || "none (closed)"}`);
    }
  }
  console.log(`raw HTTP: ${statuses.join("; ")}`);
  expect(bad).toEqual([]);
  const health = await fetch(`${E2E.baseURL}/api/v1/health`);
  expect(health.status).toBe(200);
});
