// Protects: single sign-on grants the highest role among the user's mapped
// groups and nothing (sign-in refused) when no group is mapped.
import { describe, expect, it } from "vitest";
import { groupsFromClaim, roleForGroups, type GroupMapping } from "@/lib/auth/oidc-roles";

const mapping: GroupMapping = { ADMIN: ["cd-admins", "root"], OPERATOR: ["cd-operators"], VIEWER: ["cd-viewers", "staff"] };

describe("groupsFromClaim", () => {
  it("takes an array of strings, dropping blanks and non-strings", () => {
    expect(groupsFromClaim(["cd-admins", " staff ", "", 42, null, { name: "x" }])).toEqual(["cd-admins", "staff"]);
  });
  it("takes a single string as one group", () => {
    expect(groupsFromClaim("cd-viewers")).toEqual(["cd-viewers"]);
    expect(groupsFromClaim("  ")).toEqual([]);
  });
  it("finds no groups in anything else", () => {
    for (const value of [undefined, null, 7, true, { groups: ["cd-admins"] }]) expect(groupsFromClaim(value)).toEqual([]);
  });
});

describe("roleForGroups", () => {
  it("maps a single group to its role", () => {
    expect(roleForGroups(["cd-admins"], mapping)).toBe("ADMIN");
    expect(roleForGroups(["cd-operators"], mapping)).toBe("OPERATOR");
    expect(roleForGroups(["staff"], mapping)).toBe("VIEWER");
  });
  it("picks the highest role among several groups, whatever their order", () => {
    expect(roleForGroups(["staff", "cd-operators"], mapping)).toBe("OPERATOR");
    expect(roleForGroups(["cd-viewers", "unrelated", "root", "cd-operators"], mapping)).toBe("ADMIN");
  });
  it("ignores unknown groups", () => {
    expect(roleForGroups(["unrelated", "cd-viewers"], mapping)).toBe("VIEWER");
  });
  it("refuses (null) with no mapped group, no groups, or a near miss", () => {
    expect(roleForGroups([], mapping)).toBeNull();
    expect(roleForGroups(["unrelated", "everyone"], mapping)).toBeNull();
    expect(roleForGroups(["CD-ADMINS", "cd-admins-old", "cd"], mapping)).toBeNull();
  });
  it("grants nothing for a role whose group list is empty", () => {
    expect(roleForGroups(["cd-admins"], { ADMIN: [], OPERATOR: [], VIEWER: ["staff"] })).toBeNull();
  });
  it("works on a claim's raw value end to end", () => {
    expect(roleForGroups(groupsFromClaim("cd-operators"), mapping)).toBe("OPERATOR");
    expect(roleForGroups(groupsFromClaim({ admin: true }), mapping)).toBeNull();
  });
});
