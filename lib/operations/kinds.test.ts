// The operation-kind registry: params are stored with their version, read back
// by the same schema, upgraded from what the previous release wrote, and
// refused by name when a newer release wrote them.
import { describe, expect, it } from "vitest";
import { isOperationKind, OPERATION_KINDS, operationKinds, paramsToStore, readKindData, readParams } from "@/lib/operations/kinds";
import { operationAnswer } from "@/lib/operations/schemas";

const cuid = "cmx9k1v5i000ava7d4murtcfv";

describe("operation kinds", () => {
  it("stamps params with the kind's version and reads them back unchanged", () => {
    const stored = paramsToStore("db.rebuild", { memberName: "db-1", primaryId: cuid, primaryName: "db-2" });
    expect(stored).toEqual({ v: 1, memberName: "db-1", primaryId: cuid, primaryName: "db-2" });
    expect(readParams("db.rebuild", JSON.parse(JSON.stringify(stored)))).toEqual(stored);
  });

  it("refuses params its schema does not accept, before anything is stored", () => {
    expect(() => paramsToStore("db.rebuild", { memberName: "", primaryId: "not an id", primaryName: "db-2" })).toThrow();
    expect(() => paramsToStore("node.drain", { reason: "   ", nodeName: "app-1", clusterId: cuid } as never)).toThrow(/reason/i);
  });

  it("reads what the release before versioned params wrote (no v) as version 0, upgraded", () => {
    // A deployment queued by the previous release, in flight across the upgrade.
    const legacyDeploy = { revisionId: cuid, revisionNumber: 3, checksum: "abc", batchSize: 5, pauseMs: 0, targets: 10 };
    expect(operationKinds["config.deploy"].params.parse(legacyDeploy)).toMatchObject({ v: 1, revisionNumber: 3, batchSize: 5 });
    // A promotion kept its finished steps in params: they come back as doneBeforeUpgrade.
    const legacyPromote = {
      candidateId: cuid,
      candidateName: "db-2",
      oldPrimaryId: null,
      generation: 4,
      force: false,
      check: [],
      done: ["fenced", "promoted"],
    };
    expect(operationKinds["db.promote"].params.parse(legacyPromote)).toMatchObject({ v: 1, doneBeforeUpgrade: ["fenced", "promoted"] });
    // A drain with the defaults of its time.
    const legacyDrain = { reason: "kernel update", nodeName: "app-2", clusterId: cuid, deadlineSeconds: 60, escalation: "none", force: false };
    expect(operationKinds["node.drain"].params.parse(legacyDrain)).toMatchObject({ v: 1, deadlineSeconds: 60, escalation: "none" });
  });

  it("refuses params written by a newer release, saying so, rather than guessing", () => {
    const newer = { v: 2, memberName: "db-1", primaryId: cuid, primaryName: "db-2" };
    const result = operationKinds["db.rebuild"].params.safeParse(newer);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toMatch(/upgrade the worker/);
    expect(readParams("db.rebuild", newer)).toBeNull();
  });

  it("knows its kinds, and only those", () => {
    expect(OPERATION_KINDS.sort()).toEqual(["config.deploy", "db.promote", "db.rebuild", "node.drain", "node.maintenance", "node.resume"]);
    expect(isOperationKind("node.drain")).toBe(true);
    expect(isOperationKind("constructor")).toBe(false);
    expect(isOperationKind("__proto__")).toBe(false);
    // Only kinds that can stop half-way safely have a cancel rule.
    expect(OPERATION_KINDS.filter((k) => operationKinds[k].cancel).sort()).toEqual(["config.deploy", "node.drain"]);
  });

  it("gives the API one shape per kind: params upgraded, progress with its defaults, null where unreadable", () => {
    const legacyPromote = { candidateId: cuid, candidateName: "db-2", oldPrimaryId: null, generation: 4, done: ["fenced"] };
    expect(readKindData("db.promote", legacyPromote, {})).toMatchObject({
      kind: "db.promote",
      params: { v: 1, doneBeforeUpgrade: ["fenced"], force: false, check: [] },
      progress: { done: [] },
    });
    expect(readKindData("node.drain", { v: 2 }, { samples: "garbled" })).toEqual({ kind: "node.drain", params: null, progress: null });
    expect(readKindData("node.reboot", { v: 1 }, {})).toEqual({ kind: "node.reboot", params: null, progress: null });
    // The answer's schema accepts each of these, and refuses a known kind whose params are not its own.
    const common = {
      id: cuid,
      state: "PENDING",
      subjectType: "CLUSTER",
      subjectId: cuid,
      reason: "r",
      steps: [{ at: "2026-01-01T00:00:00.000Z", step: "requested" }],
      currentStep: null,
      error: null,
      cancelRequestedAt: null,
      requestedById: null,
      createdAt: "2026-01-01T00:00:00.000Z",
      startedAt: null,
      finishedAt: null,
      deployments: [],
    };
    expect(operationAnswer.safeParse({ ...common, ...readKindData("db.promote", legacyPromote, {}) }).success).toBe(true);
    expect(operationAnswer.safeParse({ ...common, ...readKindData("node.reboot", {}, {}) }).success).toBe(true);
    expect(operationAnswer.safeParse({ ...common, kind: "db.promote", params: { v: 1, memberName: "x" }, progress: null }).success).toBe(false);
  });
});
