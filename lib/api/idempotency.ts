import { badRequest } from "@/lib/common/errors";

/** The Idempotency-Key header: a retried request with the same key gets the same operation, not a second one. */
export function idempotencyKey(req: Request): string | null {
  const key = req.headers.get("idempotency-key");
  if (key !== null && !/^[A-Za-z0-9._:-]{8,128}$/.test(key)) throw badRequest("Idempotency-Key must be 8-128 characters of A-Z a-z 0-9 . _ : -");
  return key;
}
