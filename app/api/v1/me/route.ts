import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { rolePermissions } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

export const GET = handler(api.me, async ({ actor }) => ({
  type: actor.type,
  id: actor.id,
  userId: actor.userId,
  label: actor.label,
  role: actor.role,
  permissions: rolePermissions[actor.role],
}));
