import type { Role } from "@/lib/generated/prisma/enums";

/** Who is acting: a signed-in user, an API token, or the console itself. */
export type Actor =
  /**
   * sessionId: the server-side session (lib/sessions/service.ts) the request came with.
   * display: a wall display's session, owned by `userId` but always VIEWER and refused
   * every change (lib/api/handler.ts).
   */
  | { type: "USER"; id: string; userId: string; label: string; role: Role; sessionId?: string; display?: true }
  | { type: "TOKEN"; id: string; userId: string; label: string; role: Role }
  | { type: "SYSTEM"; id: null; userId: null; label: string; role: "ADMIN" };

export const systemActor = (label = "system"): Actor => ({ type: "SYSTEM", id: null, userId: null, label, role: "ADMIN" });

const rank: Record<Role, number> = { VIEWER: 0, OPERATOR: 1, ADMIN: 2 };

/** A token never acts above its owner's current role. */
export function lowerRole(a: Role, b: Role): Role {
  return rank[a] <= rank[b] ? a : b;
}
