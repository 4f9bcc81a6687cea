import { describe, expect, it } from "vitest";
import { renderSyncStandbyNames, standbysRequired, syncStandbyNames } from "./sync-standbys";

describe("synchronous_standby_names rendering", () => {
  it("is empty for async and for a primary without replicas", () => {
    expect(renderSyncStandbyNames("ASYNC", 1, ["pg-b"])).toBe("");
    expect(renderSyncStandbyNames("SYNC", 1, [])).toBe("");
    expect(renderSyncStandbyNames("QUORUM", 2, [])).toBe("");
  });

  it("sync: FIRST 1 over every replica, quoted, in name order, duplicates once", () => {
    expect(renderSyncStandbyNames("SYNC", 1, ["pg-replica", "Pg.B", "pg-replica"])).toBe('FIRST 1 ("Pg.B", "pg-replica")');
  });

  it("quorum: ANY n with every name quoted (a '-' or upper case would otherwise be cut or folded)", () => {
    expect(renderSyncStandbyNames("QUORUM", 2, ["pg-c", "pg-a", "PG_B"])).toBe('ANY 2 ("PG_B", "pg-a", "pg-c")');
  });

  it("what agents accept: exactly these shapes", () => {
    for (const ok of ["", 'FIRST 1 ("pg-b")', 'ANY 2 ("a", "b.c", "D_e")']) expect(syncStandbyNames.safeParse(ok).success).toBe(true);
    for (const bad of ["*", "pg-b", "FIRST 1 (pg-b)", 'ANY 0 ("a")', 'FIRST 1 ("a"); DROP', 'FIRST 1 ("a""b")', 'ANY 1 ("a",  "b")'])
      expect(syncStandbyNames.safeParse(bad).success, bad).toBe(false);
  });

  it("counts the standbys a commit waits for", () => {
    expect(standbysRequired("")).toBe(0);
    expect(standbysRequired('FIRST 1 ("a", "b")')).toBe(1);
    expect(standbysRequired('ANY 2 ("a", "b", "c")')).toBe(2);
  });
});
