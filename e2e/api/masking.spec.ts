// Protects: viewers and operators read every configuration with its secrets
// masked, whatever characters they hold, while admins read them as written.
// On the demo's real HAProxy and agents, an admin saves an app-settings
// revision whose database password holds ', " and a space (not deployed: the
// demo's apps really use that URL), and an HAProxy revision with an
// Authorization header (double-quoted, with an escaped quote), an X-Api-Key
// header (single-quoted) and an http-check X-Api-Key header
// (backslash-escaped), which the agent validates with haproxy -c and deploys;
// a line with an X-Auth-Token header is then added to the file on disk
// (drift), so the running configuration the agent reports holds a secret of
// its own. Then every configuration route of the contract (scopes, scope,
// draft, revision, diff, validate, running of every target), and the
// operation, events and audit that followed, are read as VIEWER and OPERATOR:
// no secret appears in any form (each carries a random core, so even part
// of one is caught). The admin sees each of them. Everything is put back at
// the end (HAProxy rolled back and redeployed, app settings rolled back).
import { randomBytes } from "node:crypto";
import { appendFile } from "node:fs/promises";
import path from "node:path";
import { expect, test, type APIRequestContext, type APIResponse } from "@playwright/test";
import { api as contract } from "@/lib/api/contract";
import { E2E } from "../env";
import { apiAs } from "../helpers";

const MASK = "••••••";
const haproxyCfg = path.join(E2E.dataDir, "demo", "haproxy", "haproxy.cfg");
const hex = () => randomBytes(6).toString("hex");

// A unique core in each secret: finding it anywhere in an answer is a leak, even of a part.
const core = { db: hex(), bearer: hex(), apiKey: hex(), checkKey: hex(), drift: hex() };
const dbPassword = `db'${core.db}" pass word`;
const haproxyLines = [
  "backend be_masking_e2e",
  "    option httpchk",
  `    http-check send meth GET uri /health hdr X-Api-Key chk\\ ${core.checkKey}\\#x`,
  `    http-request set-header Authorization "Bearer tok'${core.bearer}\\"x y"`,
  `    http-request set-header X-Api-Key 'key"${core.apiKey} z'`,
];
const driftLine = `    http-request set-header X-Auth-Token "drift'${core.drift}"`;

type Scope = { key: string; kind: "APP" | "HAPROXY" | "POSTGRES"; clusterName: string; latestRevision: number | null };
type Target = { type: "NODE" | "LOAD_BALANCER" | "DATABASE"; id: string; name: string };
type Revision = { id: string; number: number; content: string; input: Record<string, unknown> };
const pathType = { NODE: "nodes", LOAD_BALANCER: "load-balancers", DATABASE: "databases" } as const;

test.describe.configure({ mode: "serial" });

async function json<T>(res: APIResponse, status = 200): Promise<T> {
  expect(res.status(), `${res.url()}: ${await res.text()}`).toBe(status);
  return (await res.json()) as T;
}

/** The demo's configurations, once the demo has handed them to the console and deployed them. */
async function demoScopes(admin: APIRequestContext): Promise<Record<Scope["kind"], Scope>> {
  let scopes: Scope[] = [];
  await expect
    .poll(
      async () => {
        scopes = (await json<Scope[]>(await admin.get("/api/v1/config/scopes"))).filter((s) => s.clusterName === "demo");
        return scopes.filter((s) => s.latestRevision !== null && s.kind !== "POSTGRES").length;
      },
      { timeout: 90_000 },
    )
    .toBe(2);
  await settled(admin);
  return Object.fromEntries(scopes.map((s) => [s.kind, s])) as Record<Scope["kind"], Scope>;
}

async function settled(admin: APIRequestContext) {
  await expect
    .poll(
      async () => {
        const ops = await json<{ state: string }[]>(await admin.get("/api/v1/operations?kind=config.deploy"));
        return ops.every((o) => !["AWAITING_APPROVAL", "PENDING", "RUNNING"].includes(o.state));
      },
      { timeout: 60_000 },
    )
    .toBe(true);
}

async function deploy(admin: APIRequestContext, revisionId: string, reason: string): Promise<string> {
  const op = await json<{ id: string }>(await admin.post(`/api/v1/config/revisions/${revisionId}/deploy`, { data: { reason } }), 202);
  await expect.poll(async () => (await json<{ state: string }>(await admin.get(`/api/v1/operations/${op.id}`))).state, { timeout: 60_000 }).toBe("SUCCEEDED");
  return op.id;
}

test("viewers and operators never see a configuration's secrets; admins do", async () => {
  test.setTimeout(240_000);
  const admin = await apiAs("ADMIN");
  const scopes = await demoScopes(admin);
  const latestOf = async (s: Scope) => (await json<{ revisions: Revision[] }>(await admin.get(`/api/v1/config/scopes/${s.key}?revisions=1`))).revisions[0]!;
  const originalApp = await latestOf(scopes.APP);
  const originalHaproxy = await latestOf(scopes.HAPROXY);
  const cleanup: Array<() => Promise<void>> = [];

  try {
    // --- As ADMIN: an app-settings revision whose password holds ', " and a space. ---
    const appDraft = await json<{ input: { database: { url: string } } }>(await admin.get(`/api/v1/config/scopes/${scopes.APP.key}/draft`));
    const url = new URL(appDraft.input.database.url);
    const appInput = { ...appDraft.input, database: { url: `${url.protocol}//${url.username || "app"}:${dbPassword}@${url.host}${url.pathname}` } };
    const appRevision = await json<Revision>(
      await admin.post(`/api/v1/config/scopes/${scopes.APP.key}/revisions`, {
        data: { input: appInput, message: "e2e masking: a password with quotes and spaces" },
      }),
      201,
    );
    cleanup.push(
      async () =>
        void (await admin.post(`/api/v1/config/revisions/${originalApp.id}/rollback`, { data: { message: "e2e masking: put the app settings back" } })),
    );
    expect(JSON.parse(appRevision.content).database.url).toContain(dbPassword);

    // --- As ADMIN: an HAProxy revision with credential headers, checked by the agent's haproxy -c and deployed. ---
    // The input's current shape comes from the draft (its fields change as the product does).
    const hapDraft = await json<{ input: Record<string, unknown> & { extraSections?: string } }>(
      await admin.get(`/api/v1/config/scopes/${scopes.HAPROXY.key}/draft`),
    );
    const hapInput = { ...hapDraft.input, extraSections: [hapDraft.input.extraSections ?? "", ...haproxyLines].filter(Boolean).join("\n") };
    const validated = await json<{ content: string; problems: unknown[] }>(
      await admin.post(`/api/v1/config/scopes/${scopes.HAPROXY.key}/validate`, { data: { input: hapInput } }),
    );
    expect(validated.problems).toEqual([]);
    for (const line of haproxyLines) expect(validated.content).toContain(line);
    const hapRevision = await json<Revision>(
      await admin.post(`/api/v1/config/scopes/${scopes.HAPROXY.key}/revisions`, { data: { input: hapInput, message: "e2e masking: credential headers" } }),
      201,
    );
    cleanup.push(async () => {
      await settled(admin);
      const back = await json<Revision>(
        await admin.post(`/api/v1/config/revisions/${originalHaproxy.id}/rollback`, { data: { message: "e2e masking: put HAProxy back" } }),
        201,
      );
      await deploy(admin, back.id, "e2e masking: put HAProxy back");
    });
    const deployment = await deploy(admin, hapRevision.id, "e2e masking: credential headers");
    // A hand edit on the load balancer: the running file now holds a secret no revision has.
    await appendFile(haproxyCfg, `${driftLine}\n`);

    // --- Every configuration route, with real parameters. ---
    const targets: Target[] = [];
    for (const s of Object.values(scopes)) targets.push(...(await json<{ targets: Target[] }>(await admin.get(`/api/v1/config/scopes/${s.key}`))).targets);
    const reads: Record<string, string[]> = {
      "GET /api/v1/config/scopes": ["/api/v1/config/scopes"],
      "GET /api/v1/config/scopes/{scope}": Object.values(scopes).map((s) => `/api/v1/config/scopes/${s.key}?revisions=200`),
      "GET /api/v1/config/scopes/{scope}/draft": Object.values(scopes).map((s) => `/api/v1/config/scopes/${s.key}/draft`),
      "GET /api/v1/config/revisions/{id}": [appRevision.id, hapRevision.id, originalApp.id, originalHaproxy.id].map((id) => `/api/v1/config/revisions/${id}`),
      "GET /api/v1/config/revisions/{id}/diff": [
        `/api/v1/config/revisions/${appRevision.id}/diff`,
        `/api/v1/config/revisions/${hapRevision.id}/diff`,
        `/api/v1/config/revisions/${originalApp.id}/diff?against=${appRevision.id}`,
        `/api/v1/config/revisions/${originalHaproxy.id}/diff?against=${hapRevision.id}`,
      ],
      "GET /api/v1/config/targets/{type}/{id}/running": targets.map((t) => `/api/v1/config/targets/${pathType[t.type]}/${t.id}/running`),
    };
    // Where the same texts surface next: the deployment, its events and the audit trail.
    const elsewhere = [`/api/v1/operations/${deployment}`, "/api/v1/operations?limit=200", "/api/v1/events?pageSize=200", "/api/v1/audit?pageSize=200"];
    const validate = { path: `/api/v1/config/scopes/${scopes.HAPROXY.key}/validate`, data: { input: hapInput } };
    const validateApp = { path: `/api/v1/config/scopes/${scopes.APP.key}/validate`, data: { input: appInput } };
    // Every configuration route is read here, or is a change only config:write may make.
    const writes = new Set([
      "POST /api/v1/config/scopes/{scope}/validate",
      "POST /api/v1/config/scopes/{scope}/revisions",
      "POST /api/v1/config/revisions/{id}/rollback",
      "POST /api/v1/config/revisions/{id}/deploy",
      "POST /api/v1/config/targets/{type}/{id}/reconcile",
    ]);
    for (const r of Object.values(contract.config))
      expect(reads[`${r.method} ${r.path}`] ?? writes.has(`${r.method} ${r.path}`), `${r.method} ${r.path} is not covered`).toBeTruthy();

    const cores = Object.entries(core);
    for (const role of ["VIEWER", "OPERATOR"] as const) {
      const client = await apiAs(role);
      const answers: Array<{ url: string; body: string }> = [];
      for (const url of [...Object.values(reads).flat(), ...elsewhere]) {
        const res = await client.get(url);
        expect(res.status(), `${role} ${url}: ${await res.text()}`).toBe(200);
        answers.push({ url, body: await res.text() });
      }
      for (const v of [validate, validateApp]) {
        const res = await client.post(v.path, { data: v.data });
        expect(res.status(), `${role} POST ${v.path}`).toBe(403);
        answers.push({ url: `POST ${v.path}`, body: await res.text() });
      }
      for (const { url, body } of answers) {
        for (const [name, c] of cores) expect(body.includes(c), `${role} ${url} shows the ${name} secret: ${body.slice(0, 2000)}`).toBe(false);
      }
      // And the secrets are there, masked, where the reader expects them.
      const hap = await json<Revision>(await client.get(`/api/v1/config/revisions/${hapRevision.id}`));
      expect(hap.content).toContain(`    http-request set-header Authorization ${MASK}\n`);
      expect(hap.content).toContain(`    http-request set-header X-Api-Key ${MASK}\n`);
      expect(hap.content).toContain(`    http-check send meth GET uri /health hdr X-Api-Key ${MASK}\n`);
      expect(String(hap.input.extraSections)).toContain(`set-header Authorization ${MASK}`);
      const app = await json<Revision>(await client.get(`/api/v1/config/revisions/${appRevision.id}`));
      expect(JSON.parse(app.content).database.url).toBe(`${url.protocol}//${url.username || "app"}:${MASK}@${url.host}${url.pathname}`);
      const lb = targets.find((t) => t.type === "LOAD_BALANCER")!;
      const running = await json<{ diff: { hunks: { lines: { op: string; text: string }[] }[] } | null }>(
        await client.get(`/api/v1/config/targets/load-balancers/${lb.id}/running`),
      );
      const added = running.diff?.hunks
        .flatMap((h) => h.lines)
        .filter((l) => l.op === "+")
        .map((l) => l.text);
      expect(added).toContain(`    http-request set-header X-Auth-Token ${MASK}`);
      await client.dispose();
    }

    // --- ADMIN reads them as written. ---
    const hap = await json<Revision>(await admin.get(`/api/v1/config/revisions/${hapRevision.id}`));
    for (const line of haproxyLines) expect(hap.content).toContain(line);
    const app = await json<Revision>(await admin.get(`/api/v1/config/revisions/${appRevision.id}`));
    expect(JSON.parse(app.content).database.url).toContain(dbPassword);
    const lb = targets.find((t) => t.type === "LOAD_BALANCER")!;
    const running = await (await admin.get(`/api/v1/config/targets/load-balancers/${lb.id}/running`)).text();
    expect(running).toContain(core.drift);
    const draft = await (await admin.get(`/api/v1/config/scopes/${scopes.HAPROXY.key}/draft`)).text();
    for (const c of [core.bearer, core.apiKey, core.checkKey]) expect(draft).toContain(c);
  } finally {
    for (const undo of cleanup.reverse()) await undo();
    await admin.dispose();
  }
});
