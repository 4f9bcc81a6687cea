import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { createDisplay } from "@/lib/sessions/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.displays.create, ({ body, audit }) => createDisplay(body, audit));
