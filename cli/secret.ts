// The secret that signs sessions and encrypts agent credentials. Taken from
// the environment when set; otherwise kept in `<dataDir>/secret` (0600) so it
// survives restarts and signed-in sessions stay valid.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, open, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { env } from "@/lib/env";
import { CliError } from "./errors";

export type Secrets = { nextAuthSecret: string; clusterdeckSecret: string; source: "env" | "file" | "new-file"; file?: string };

export async function ensureSecret(dataDir: string): Promise<Secrets> {
  const e = env();
  if (e.CLUSTERDECK_SECRET || e.NEXTAUTH_SECRET) {
    // One set: use it for both, so the web process sees the same key either way.
    const clusterdeckSecret = (e.CLUSTERDECK_SECRET ?? e.NEXTAUTH_SECRET)!;
    return { nextAuthSecret: e.NEXTAUTH_SECRET ?? clusterdeckSecret, clusterdeckSecret, source: "env" };
  }
  const file = path.join(dataDir, "secret");
  await mkdir(dataDir, { recursive: true });
  let source: Secrets["source"] = "file";
  try {
    // Exclusive create: two processes starting at once end up with one secret.
    const handle = await open(file, "wx", 0o600);
    try {
      await handle.writeFile(randomBytes(32).toString("base64url") + "\n");
    } finally {
      await handle.close();
    }
    source = "new-file";
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const info = await stat(file);
  if ((info.mode & 0o077) !== 0) await chmod(file, 0o600);
  let secret = (await readFile(file, "utf8")).trim();
  // Another process may have created it a moment ago and still be writing.
  for (let i = 0; i < 5 && !secret; i++) {
    await new Promise((r) => setTimeout(r, 100));
    secret = (await readFile(file, "utf8")).trim();
  }
  if (secret.length < 32) throw new CliError(`${file} holds a secret shorter than 32 characters; delete it to have a new one made.`);
  return { nextAuthSecret: secret, clusterdeckSecret: secret, source, file };
}
