// API tokens: 256 random bits, shown once, stored as SHA-256. A slow hash
// adds nothing for secrets this long and would slow every API call.
import { createHash, randomBytes } from "node:crypto";

const TOKEN_PREFIX = "cdk_";

export function generateApiToken(): { token: string; prefix: string; tokenHash: string } {
  const token = TOKEN_PREFIX + randomBytes(32).toString("base64url");
  return { token, prefix: token.slice(0, TOKEN_PREFIX.length + 6), tokenHash: hashApiToken(token) };
}

export function hashApiToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

export function looksLikeApiToken(value: string): boolean {
  return value.startsWith(TOKEN_PREFIX) && value.length > TOKEN_PREFIX.length + 20 && value.length < 128;
}
