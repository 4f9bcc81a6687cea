import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { rolePermissions } from "@/lib/auth/permissions";

export const dynamic = "force-dynamic";

export const GET = handler(api.me, async ({ actor }) => {
  // Only users and API tokens call the API; the console's own SYSTEM actor works in-process.
  if (actor.type === "SYSTEM") throw new Error("The SYSTEM actor has no caller to describe");
  return {
    type: actor.type,
    id: actor.id,
    userId: actor.userId,
    label: actor.label,
    role: actor.role,
    permissions: rolePermissions[actor.role],
  };
});
