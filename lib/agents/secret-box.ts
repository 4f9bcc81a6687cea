// Agent secrets must be usable by the console (it signs requests with them),
// so they are stored encrypted, not hashed: AES-256-GCM under a key derived
// from the console secret. Losing or changing that secret makes stored agent
// credentials unreadable: rotate them after changing it.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";

const VERSION = "v1";

// The worker opens every credential on each inventory reload: derive the key
// once per console secret, not once per credential.
let cachedKey: { secret: string; key: Buffer } | null = null;

function keyFrom(consoleSecret: string): Buffer {
  if (cachedKey?.secret !== consoleSecret) {
    cachedKey = { secret: consoleSecret, key: Buffer.from(hkdfSync("sha256", consoleSecret, "clusterdeck", "agent-credentials/v1", 32)) };
  }
  return cachedKey.key;
}

export function sealSecret(plain: string, consoleSecret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keyFrom(consoleSecret), iv);
  const body = Buffer.concat([cipher.update(plain, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return [VERSION, iv.toString("base64url"), body.toString("base64url")].join(".");
}

export function openSecret(sealed: string, consoleSecret: string): string {
  const [version, ivText, bodyText] = sealed.split(".");
  if (version !== VERSION || !ivText || !bodyText) throw new Error("Unknown sealed-secret format");
  const body = Buffer.from(bodyText, "base64url");
  const decipher = createDecipheriv("aes-256-gcm", keyFrom(consoleSecret), Buffer.from(ivText, "base64url"));
  decipher.setAuthTag(body.subarray(body.length - 16));
  return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString("utf8");
}
