import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { createUser, listUsers } from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const GET = handler(api.users.list, ({ query }) => listUsers(query));
export const POST = handler(api.users.create, ({ body, audit }) => createUser(body, audit));
