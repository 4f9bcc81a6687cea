// Permissions as data: every handler and page names the action it needs, and
// this table is the only place that says which role may do it. Anything not
// listed is refused (fail closed).
import type { Role } from "@/lib/generated/prisma/enums";

export const permissions = [
  "inventory:read",
  "inventory:write",
  "events:read",
  "events:acknowledge",
  "audit:read",
  "operations:read",
  "operations:run",
  "config:read",
  "config:write",
  "users:manage",
  "tokens:manage",
  "agents:enrol",
  "settings:write",
] as const;

export type Permission = (typeof permissions)[number];

const viewer: readonly Permission[] = ["inventory:read", "events:read", "audit:read", "operations:read", "config:read"];

const operator: readonly Permission[] = [...viewer, "events:acknowledge", "operations:run"];

export const rolePermissions: Readonly<Record<Role, readonly Permission[]>> = {
  VIEWER: viewer,
  OPERATOR: operator,
  ADMIN: permissions,
};

export function can(role: Role | null | undefined, permission: Permission): boolean {
  if (!role) return false;
  return rolePermissions[role]?.includes(permission) ?? false;
}

export const roles = ["ADMIN", "OPERATOR", "VIEWER"] as const satisfies readonly Role[];
