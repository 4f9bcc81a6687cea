import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { updateUser } from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const PATCH = handler(api.users.update, ({ params, body, audit }) => updateUser(params.id, body, audit));
