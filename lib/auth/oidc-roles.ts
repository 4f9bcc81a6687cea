// Which console role an identity provider's groups grant. Pure, so the rule
// is tested on its own: the highest role among the user's groups, and no
// role at all (sign-in refused) when none of them is mapped. Group names
// match exactly (case-sensitive): providers use ids such as GUIDs, and a
// loose match could grant a role to a group nobody meant.
import type { Role } from "@/lib/generated/prisma/enums";

export type GroupMapping = { ADMIN: readonly string[]; OPERATOR: readonly string[]; VIEWER: readonly string[] };

/** Highest first: the first role whose groups the user is in wins. */
const byRank: readonly Role[] = ["ADMIN", "OPERATOR", "VIEWER"];

/**
 * The groups in a claim's value. Providers send an array of strings, or a
 * single string when there is one group; anything else carries no groups.
 */
export function groupsFromClaim(value: unknown): string[] {
  if (typeof value === "string") return value.trim() ? [value.trim()] : [];
  if (Array.isArray(value))
    return value
      .filter((g): g is string => typeof g === "string")
      .map((g) => g.trim())
      .filter(Boolean);
  return [];
}

/** The role these groups grant, or null: no mapped group, no access. */
export function roleForGroups(groups: readonly string[], mapping: GroupMapping): Role | null {
  const mine = new Set(groups);
  return byRank.find((role) => mapping[role].some((g) => mine.has(g))) ?? null;
}
