// One process at a time owns a data folder (and the embedded PostgreSQL in
// it). The lock is `<dataDir>/console.lock`, created exclusively, holding the
// owner's pid; a lock whose pid is dead is stale and is taken over.
import { mkdir, open, readFile, rename, unlink } from "node:fs/promises";
import { unlinkSync, readFileSync } from "node:fs";
import path from "node:path";

export type LockHolder = {
  pid: number;
  /** The CLI command holding it; "start" means a console serving its database. */
  command: string;
  startedAt: string;
};

export class DataDirLockedError extends Error {
  constructor(
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(
      `The data folder ${path.dirname(lockPath)} is in use by another Clusterdeck process ` +
        `(pid ${holder.pid}, "${holder.command}", since ${holder.startedAt}).\n` +
        (holder.command === "start" ? "A console is already running on it. " : "") +
        `Stop that process first, or use another CLUSTERDECK_DATA_DIR. ` +
        `If you are sure no such process runs, delete ${lockPath}.`,
    );
    this.name = "DataDirLockedError";
  }
}

export type DataDirLock = { path: string; holder: LockHolder; release(): Promise<void> };

export const lockFileName = "console.lock";

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function parse(content: string): LockHolder | null {
  try {
    const value = JSON.parse(content) as Partial<LockHolder>;
    if (typeof value.pid === "number") return { pid: value.pid, command: String(value.command ?? "?"), startedAt: String(value.startedAt ?? "?") };
  } catch {
    // Older or hand-written lock: a bare pid.
    const pid = Number.parseInt(content.trim(), 10);
    if (Number.isInteger(pid)) return { pid, command: "?", startedAt: "?" };
  }
  return null;
}

export async function readLock(dataDir: string): Promise<LockHolder | null> {
  const content = await readFile(path.join(dataDir, lockFileName), "utf8").catch(() => null);
  return content === null ? null : parse(content);
}

/** Takes the data folder's lock, or throws DataDirLockedError naming the live holder. */
export async function acquireDataDirLock(dataDir: string, command: string): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const lockPath = path.join(dataDir, lockFileName);
  const holder: LockHolder = { pid: process.pid, command, startedAt: new Date().toISOString() };
  const content = JSON.stringify(holder) + "\n";

  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const file = await open(lockPath, "wx", 0o644);
      try {
        await file.writeFile(content);
      } finally {
        await file.close();
      }
      return makeLock(lockPath, holder, content);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }

    const existing = await readFile(lockPath, "utf8").catch(() => null);
    if (existing === null) continue; // released meanwhile: try again
    let current = parse(existing);
    if (!current) {
      // Possibly being written right now by a racing process: look once more.
      await new Promise((r) => setTimeout(r, 100));
      const again = await readFile(lockPath, "utf8").catch(() => null);
      if (again === null) continue;
      current = parse(again);
      if (current && isAlive(current.pid)) throw new DataDirLockedError(lockPath, current);
    } else if (isAlive(current.pid)) {
      throw new DataDirLockedError(lockPath, current);
    }
    await removeStale(lockPath, existing);
  }
  throw new Error(`Could not take the lock ${lockPath} (it keeps changing); try again.`);
}

/**
 * Moves the stale lock aside and checks it is the one we judged stale: if a
 * racing process replaced it in between, we put theirs back.
 */
async function removeStale(lockPath: string, staleContent: string): Promise<void> {
  const aside = `${lockPath}.stale-${process.pid}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  const moved = await readFile(aside, "utf8").catch(() => null);
  if (moved !== null && moved !== staleContent) {
    await rename(aside, lockPath).catch(() => {});
    return;
  }
  await unlink(aside).catch(() => {});
}

function makeLock(lockPath: string, holder: LockHolder, content: string): DataDirLock {
  let released = false;
  // Only remove the file if it is still ours (never someone's takeover).
  const ours = (read: string | null) => read === content;
  const onExit = () => {
    if (released) return;
    try {
      if (ours(readFileSync(lockPath, "utf8"))) unlinkSync(lockPath);
    } catch {
      // already gone
    }
  };
  // Last resort if the process exits without releasing (uncaught error, process.exit).
  process.on("exit", onExit);
  return {
    path: lockPath,
    holder,
    async release() {
      if (released) return;
      released = true;
      process.off("exit", onExit);
      if (ours(await readFile(lockPath, "utf8").catch(() => null))) await unlink(lockPath).catch(() => {});
    },
  };
}
