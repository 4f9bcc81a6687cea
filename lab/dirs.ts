import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

/**
 * A fresh folder under the OS temp dir, mode 755. Not 700 like a bare mkdtemp:
 * as root, PostgreSQL runs as the `postgres` OS user, which must be able to
 * pass through it to its data and socket folders.
 */
export async function makeLabDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `cd-lab-${prefix}-`));
  await chmod(dir, 0o755);
  return dir;
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3 });
}
