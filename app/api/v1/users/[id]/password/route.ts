import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { resetPassword } from "@/lib/users/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.users.resetPassword, ({ params, body, audit }) => resetPassword(params.id, body.password, audit));
