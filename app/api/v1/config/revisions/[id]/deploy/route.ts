import { handler } from "@/lib/api/handler";
import { api } from "@/lib/api/contract";
import { badRequest } from "@/lib/api/problem";
import { startDeployment } from "@/lib/config/service";

export const dynamic = "force-dynamic";

export const POST = handler(api.config.deploy, ({ req, params, body, audit }) => {
  const key = req.headers.get("idempotency-key");
  if (key !== null && !/^[A-Za-z0-9._:-]{8,128}$/.test(key)) throw badRequest("Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : -");
  return startDeployment(params.id, body, audit, key);
});
