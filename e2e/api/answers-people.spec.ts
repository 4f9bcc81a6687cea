// Protects: the answers of the people, session and timeline routes are what
// their response schemas (lib/<domain>/schemas.ts) say, for the answers no
// other spec reads with the console checking them (CLUSTERDECK_CHECK_RESPONSES):
// the open-sessions list, a wall display's one-time link and its claim
// (which builds its own answer to set the cookie, so the console cannot check
// it: this spec does), a user's changes, a token's own session (none), an
// acknowledged event, and the metric series of every subject type. Each
// answer is parsed with its schema here too, and checked for what it must say.
import { expect, test, type APIResponse } from "@playwright/test";
import { E2E } from "../env";
import { apiAs, consoleDatabase } from "../helpers";
import { createdDisplay, displayClaimAnswer, sessionAnswer, sessionItem, sessionListAnswer } from "@/lib/sessions/schemas";
import { eventItem, eventPage } from "@/lib/events/schemas";
import { userItem } from "@/lib/users/schemas";
import { tokenPage } from "@/lib/tokens/schemas";
import { metricsAnswer, metricSubjectTypes } from "@/lib/metrics/schemas";

async function ok(res: APIResponse, status = 200): Promise<unknown> {
  expect(res.status(), `${res.url()}: ${(await res.text()).slice(0, 500)}`).toBe(status);
  return res.json();
}

test("a wall display through the API: made with its one-time code, listed while waiting, claimed with a cookie, listed open, ended", async ({ playwright }) => {
  const admin = await apiAs("ADMIN");
  const label = `answers ${Date.now().toString(36)}`;
  const display = createdDisplay.parse(await ok(await admin.post("/api/v1/displays", { data: { label, days: 2 } }), 201));
  expect(display).toMatchObject({ kind: "DISPLAY", label, clientIp: null, user: { email: E2E.users.ADMIN.email, role: "ADMIN" } });
  expect(display.code).toMatch(/^[A-Za-z0-9_-]{43}$/);
  expect(Date.parse(display.expiresAt) - Date.parse(display.createdAt)).toBe(2 * 86_400_000);
  expect(Date.parse(display.claimExpiresAt!) - Date.parse(display.createdAt)).toBe(15 * 60_000);

  const listed = async () => {
    const answer = await ok(await admin.get("/api/v1/sessions"));
    expect(JSON.stringify(answer), "the link's code is shown once").not.toContain(display.code);
    return sessionListAnswer.parse(answer).items.find((s) => s.id === display.id);
  };
  expect(await listed()).toMatchObject({ label, claimExpiresAt: display.claimExpiresAt });

  const wall = await playwright.request.newContext({ baseURL: E2E.baseURL, userAgent: "answers-wall/1.0" });
  const claim = await wall.post("/api/v1/displays/claim", { data: { code: display.code } });
  expect(displayClaimAnswer.parse(await ok(claim))).toEqual({ label, expiresAt: display.expiresAt, next: "/dashboard" });
  expect(claim.headers()["set-cookie"]).toMatch(/(^|\n)next-auth\.session-token=[^;]+; Path=\/; HttpOnly; SameSite=Lax/);

  // The wall reads its own session with that cookie: no idle timeout, only the expiry.
  const own = sessionAnswer.parse(await ok(await wall.get("/api/v1/session"))).session;
  expect(own).not.toBeNull();
  expect(own!.expiresAt).toBe(display.expiresAt);
  expect(own!.idleSecondsLeft).toBe(own!.secondsLeft);

  expect(await listed()).toMatchObject({ claimExpiresAt: null, userAgent: "answers-wall/1.0" });
  const ended = sessionItem.parse(await ok(await admin.delete(`/api/v1/sessions/${display.id}`)));
  expect(ended).toMatchObject({ id: display.id, kind: "DISPLAY", label });
  expect(await listed()).toBeUndefined();
  expect((await wall.get("/api/v1/session")).status()).toBe(401);
  await wall.dispose();
  await admin.dispose();
});

test("a user made, renamed and given a new password answers without any secret", async () => {
  const admin = await apiAs("ADMIN");
  const email = `answers-${Date.now().toString(36)}@e2e.test`;
  const made = await ok(await admin.post("/api/v1/users", { data: { email, password: "answers-password-1", role: "VIEWER" } }), 201);
  const user = userItem.parse(made);
  expect(user).toMatchObject({ email, name: "", role: "VIEWER", authSource: "LOCAL", disabled: false, lastLoginAt: null });
  const renamed = userItem.parse(await ok(await admin.patch(`/api/v1/users/${user.id}`, { data: { name: "Answers" } })));
  expect(renamed).toMatchObject({ id: user.id, name: "Answers", createdAt: user.createdAt });
  const reset = await ok(await admin.post(`/api/v1/users/${user.id}/password`, { data: { password: "answers-password-2" } }));
  expect(userItem.parse(reset)).toMatchObject({ id: user.id, name: "Answers" });
  for (const answer of [made, renamed, reset]) expect(JSON.stringify(answer)).not.toMatch(/passwordHash|oidcSubject|sessionVersion|answers-password/);
  await admin.dispose();
});

test("an API token has no session: the session answer says null", async () => {
  const viewer = await apiAs("VIEWER");
  expect(sessionAnswer.parse(await ok(await viewer.get("/api/v1/session")))).toEqual({ session: null });
  await viewer.dispose();
});

test("an acknowledged event answers with who and when, its data as recorded", async () => {
  const db = await consoleDatabase();
  let id: string;
  try {
    // Events come from the worker's health transitions; this one is planted, so the test never waits for one.
    const { rows } = await db.query<{ id: string }>(
      `INSERT INTO "Event" (kind, severity, "subjectType", message, data) VALUES ('e2e.answers', 'WARNING', 'SYSTEM', 'answers e2e', $1) RETURNING id::text`,
      [JSON.stringify({ name: "answers", nested: { n: 1, list: [true, null] } })],
    );
    id = rows[0]!.id;
  } finally {
    await db.end();
  }
  const operator = await apiAs("OPERATOR");
  const acked = eventItem.parse(await ok(await operator.post(`/api/v1/events/${id}/acknowledge`, { data: { note: "seen" } })));
  const admin = await apiAs("ADMIN");
  // An event is acknowledged by a user: for an API token, the user who owns it (the setup's admin minted them all).
  const tokens = tokenPage.parse(await ok(await admin.get("/api/v1/tokens?q=e2e%20operator&pageSize=200")));
  const owner = tokens.items.find((t) => t.name === "e2e operator" && t.role === "OPERATOR")!.owner;
  expect(owner.email).toBe(E2E.users.ADMIN.email);
  expect(acked).toMatchObject({
    id,
    kind: "e2e.answers",
    severity: "WARNING",
    subjectType: "SYSTEM",
    subjectId: null,
    clusterId: null,
    acknowledgedById: owner.id,
    data: { name: "answers", nested: { n: 1, list: [true, null] } },
  });
  expect(Date.now() - Date.parse(acked.acknowledgedAt!)).toBeLessThan(60_000);

  const listed = eventPage.parse(await ok(await operator.get("/api/v1/events?kind=e2e.answers&acknowledged=true&pageSize=200")));
  expect(listed.items.find((e) => e.id === id)).toEqual(acked);
  await operator.dispose();
  await admin.dispose();
});

test("metric series of every subject type answer as described, each point within the window", async () => {
  const viewer = await apiAs("VIEWER");
  for (const subjectType of metricSubjectTypes) {
    const answer = metricsAnswer.parse(await ok(await viewer.get(`/api/v1/metrics?subjectType=${subjectType}&range=1h`)));
    expect(answer.range).toBe("1h");
    expect(answer.to - answer.from).toBe(3_600_000);
    expect(answer.series.length, `${subjectType}: the demo has some`).toBeGreaterThan(0);
    expect(answer.totalSeries).toBeGreaterThanOrEqual(answer.series.length);
    for (const s of answer.series) {
      expect(s.key).toBe(`${subjectType}:${s.subjectId}`);
      expect(s.role === null, `${subjectType} ${s.name}: a role for databases only`).toBe(subjectType !== "DATABASE");
      for (const p of s.points) expect(p.at).toBeGreaterThanOrEqual(answer.from - answer.resolutionSeconds * 1000);
    }
  }
  await viewer.dispose();
});
