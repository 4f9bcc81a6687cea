// The last resort of a rebuild: a fresh copy of the new primary
// (pg_basebackup). The old data folder is moved aside first (a rename in the
// same parent folder) and only deleted once the copy runs as a standby; when
// the copy fails, the partial folder goes and the old one comes back, so the
// next attempt starts from the same place.
import { readdir, rename, rm, stat, statfs } from "node:fs/promises";
import path from "node:path";
import { pgTool, ensureStopped } from "./postgres-control";
import { parseConninfo, formatConninfo } from "./postgres-conf";
import { prepareStandby, startStandby, type RebuildContext } from "./postgres-standby";

// Beyond the source's size: the WAL written while copying, and room to breathe.
const MARGIN_BYTES = 256 * 1024 * 1024;

const asideSuffix = /^\.old-\d{8}T\d{6}Z$/;

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

export function formatBytes(n: number): string {
  const units = ["bytes", "kB", "MB", "GB", "TB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i === 0 ? n : n.toFixed(1).replace(/\.0$/, "")} ${units[i]}`;
}

/** Folders an earlier clone moved aside, oldest first (the names sort by their UTC time stamp). */
async function movedAside(dataDir: string): Promise<string[]> {
  const base = path.basename(dataDir);
  const names = (await readdir(path.dirname(dataDir)).catch(() => [] as string[])).filter((n) => n.startsWith(base) && asideSuffix.test(n.slice(base.length)));
  return names.sort().map((n) => path.join(path.dirname(dataDir), n));
}

/**
 * After a clone that did not finish (the agent stopped mid-way): the data
 * folder is missing or a partial copy (pg_basebackup writes backup_manifest
 * last) while the old one waits beside it. Puts the old one back.
 */
export async function putBackUnfinishedClone(dataDir: string): Promise<string | null> {
  const aside = (await movedAside(dataDir)).at(-1);
  if (!aside || (await exists(path.join(dataDir, "backup_manifest")))) return null;
  await rm(dataDir, { recursive: true, force: true });
  await rename(aside, dataDir);
  return `an earlier clone did not finish: its partial folder removed, the old data folder put back from ${aside}`;
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(path.join(entry.parentPath, entry.name)).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** Clones the new primary into the data folder and starts it as a standby; `sourceBytes`: the size of its databases. */
export async function cloneFrom(ctx: RebuildContext, sourceBytes: number): Promise<void> {
  const dataDir = ctx.control.dataDir;
  const parent = path.dirname(dataDir);
  const fs = await statfs(parent);
  const available = fs.bavail * fs.bsize;
  const needed = sourceBytes + Math.max(sourceBytes / 10, MARGIN_BYTES);
  ctx.steps.push(`free space: ${formatBytes(needed)} needed, ${formatBytes(available)} available in ${parent}`);
  if (available < needed)
    throw new Error(`not enough free space in ${parent} for a fresh clone (${formatBytes(needed)} needed, ${formatBytes(available)} available)`);
  const stopped = await ensureStopped(ctx.control);
  if (stopped) ctx.steps.push(stopped);

  let aside: string | null = null;
  if (await exists(dataDir)) {
    aside = `${dataDir}.old-${new Date()
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}`;
    await rename(dataDir, aside);
    ctx.steps.push(`old data folder moved aside to ${aside}`);
  }
  const giveBack = async () => {
    await ensureStopped(ctx.control).catch(() => null);
    await rm(dataDir, { recursive: true, force: true });
    if (aside) await rename(aside, dataDir);
  };
  try {
    // A password in the conninfo goes by PGPASSWORD: never on a command line, where ps shows it.
    const pairs = parseConninfo(ctx.conninfo);
    const password = pairs.find(([k]) => k === "password")?.[1];
    const conninfo = formatConninfo(pairs.filter(([k]) => k !== "password"));
    await pgTool(
      ctx.control,
      "pg_basebackup",
      ["-D", dataDir, "-d", conninfo, "-X", "stream", "-c", "fast", "-w"],
      6 * 3600_000,
      password ? { PGPASSWORD: password } : {},
    );
    ctx.steps.push(`pg_basebackup from ${ctx.host}:${ctx.port} done (${formatBytes(await sizeOf(dataDir))})`);
    await prepareStandby(ctx);
    await startStandby(ctx);
  } catch (error) {
    await giveBack();
    throw new Error(`${(error as Error).message}; the copy was removed${aside ? " and the old data folder put back" : ""}`);
  }
  if (aside) {
    await rm(aside, { recursive: true, force: true });
    ctx.steps.push("old data folder removed");
  }
}
