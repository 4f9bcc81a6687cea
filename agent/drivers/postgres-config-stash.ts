// The member's own configuration, kept safe across a rebuild. pg_rewind and
// pg_basebackup copy the source's postgresql.conf, pg_hba.conf, pg_ident.conf,
// postgresql.auto.conf (and included files) over the member's own: a rebuilt
// member would start with the other server's port and settings. So they are
// copied beforehand into `<dataDir>.clusterdeck/` (outside the data directory,
// which both tools rewrite) and put back afterwards. The stash is taken once
// and kept until a rebuild ends with a started standby: a later attempt after
// a failure reuses it, since the data directory's files may be foreign by then.
import { chmod, chown, copyFile, mkdir, readFile, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { type ConfEntry, includeDirFiles, includeOf, isInside, parseConf } from "./postgres-conf";

const STANDARD = ["postgresql.conf", "pg_hba.conf", "pg_ident.conf", "postgresql.auto.conf"];
// PostgreSQL stops at this depth of nested includes too.
const MAX_DEPTH = 10;

export const fileCount = (n: number) => `${n} file${n === 1 ? "" : "s"}`;
export const stashDirOf = (dataDir: string) => `${dataDir}.clusterdeck`;
const manifestOf = (dataDir: string) => path.join(stashDirOf(dataDir), "manifest.json");
const copyOf = (dataDir: string, rel: string) => path.join(stashDirOf(dataDir), "files", rel);

type Reader = { read(file: string): Promise<string | null>; list(dir: string): Promise<string[] | null> };

const disk: Reader = {
  read: (file) => readFile(file, "utf8").catch(() => null),
  list: (dir) => readdir(dir).catch(() => null),
};

/**
 * The configuration as the server reads it: postgresql.conf with its includes
 * expanded in place, then postgresql.auto.conf. `files`: every file read that
 * lies inside the data directory (what a rebuild must keep).
 */
export async function expandConfig(dataDir: string, reader: Reader = disk): Promise<{ files: string[]; entries: ConfEntry[] }> {
  const files: string[] = [];
  const entries: ConfEntry[] = [];
  const visit = async (file: string, depth: number): Promise<void> => {
    const text = await reader.read(file);
    if (text === null || depth > MAX_DEPTH) return;
    if (isInside(dataDir, file) && !files.includes(file)) files.push(file);
    for (const entry of parseConf(text)) {
      const include = includeOf(entry, file);
      if (!include) entries.push(entry);
      else if (include.kind !== "include_dir") await visit(include.target, depth + 1);
      else for (const name of includeDirFiles((await reader.list(include.target)) ?? [])) await visit(path.join(include.target, name), depth + 1);
    }
  };
  await visit(path.join(dataDir, "postgresql.conf"), 0);
  await visit(path.join(dataDir, "postgresql.auto.conf"), 0);
  for (const name of STANDARD) {
    const file = path.join(dataDir, name);
    if (!files.includes(file) && (await reader.read(file)) !== null) files.push(file);
  }
  return { files, entries };
}

/** The last value of a setting, as the server would take it, or null when the files do not set it. */
export function settingOf(entries: ConfEntry[], name: string): string | null {
  return entries.findLast((e) => e.name === name)?.value ?? null;
}

async function own(target: string, owner: { uid: number; gid: number }, mode: number): Promise<void> {
  await chmod(target, mode);
  if (process.getuid?.() === 0) await chown(target, owner.uid, owner.gid);
}

/** Takes the stash, or finds the one an earlier attempt took. Answers a step. */
export async function takeStash(dataDir: string): Promise<string> {
  const kept = await readManifest(dataDir);
  if (kept) return `own configuration saved by an earlier attempt reused (${fileCount(kept.length)}, ${stashDirOf(dataDir)})`;
  const owner = await stat(dataDir);
  const { files } = await expandConfig(dataDir);
  const rels = files.map((f) => path.relative(dataDir, f));
  // Not even postgresql.auto.conf: not a data folder, or one too damaged to tell what its own configuration was.
  if (rels.length === 0) throw new Error(`no configuration file in ${dataDir}: nothing of this member's own to keep`);
  const stash = stashDirOf(dataDir);
  await rm(path.join(stash, "files"), { recursive: true, force: true });
  await mkdir(stash, { recursive: true });
  await own(stash, owner, 0o700);
  for (const rel of rels) await copyOwned(path.join(dataDir, rel), copyOf(dataDir, rel), path.join(stash, "files"), owner);
  // The manifest last, atomically: its presence says the stash is whole.
  const tmp = `${manifestOf(dataDir)}.tmp`;
  await writeFile(tmp, JSON.stringify({ files: rels, takenAt: new Date().toISOString() }), { mode: 0o600 });
  await own(tmp, owner, 0o600);
  await rename(tmp, manifestOf(dataDir));
  return `own configuration saved (${fileCount(rels.length)}, ${stash})`;
}

async function readManifest(dataDir: string): Promise<string[] | null> {
  const text = await readFile(manifestOf(dataDir), "utf8").catch(() => null);
  if (text === null) return null;
  const files = (JSON.parse(text) as { files?: unknown }).files;
  // Paths from a file on disk: only ones that stay inside the data directory.
  return Array.isArray(files) ? files.filter((f): f is string => typeof f === "string" && isInside(dataDir, path.join(dataDir, f))) : null;
}

/** Copies a file, creating (owned) folders between `root` and it. */
async function copyOwned(from: string, to: string, root: string, owner: { uid: number; gid: number }): Promise<void> {
  const missing: string[] = [];
  for (let dir = path.dirname(to); dir.length >= root.length; dir = path.dirname(dir)) {
    if (await stat(dir).catch(() => null)) break;
    missing.unshift(dir);
  }
  for (const dir of missing) {
    await mkdir(dir);
    await own(dir, owner, 0o700);
  }
  await copyFile(from, to);
  await own(to, owner, 0o600);
}

/**
 * Puts the stashed files back into the data directory, and removes the
 * standard files the member did not have (a Debian-style member keeps its
 * configuration in /etc: the source's copies would only mislead).
 */
export async function restoreStash(dataDir: string): Promise<number> {
  const rels = await readManifest(dataDir);
  if (!rels) throw new Error(`no saved configuration in ${stashDirOf(dataDir)}`);
  const owner = await stat(dataDir);
  for (const rel of rels) await copyOwned(copyOf(dataDir, rel), path.join(dataDir, rel), dataDir, owner);
  for (const name of STANDARD.filter((n) => !rels.includes(n))) await rm(path.join(dataDir, name), { force: true });
  return rels.length;
}

/** The stashed configuration's settings (as the server would read them), without touching the data directory. */
export async function stashedConfig(dataDir: string): Promise<ConfEntry[]> {
  const rels = new Set((await readManifest(dataDir)) ?? []);
  const fromStash = (file: string) =>
    isInside(dataDir, file) ? (rels.has(path.relative(dataDir, file)) ? copyOf(dataDir, path.relative(dataDir, file)) : null) : file;
  const reader: Reader = {
    read: async (file) => {
      const at = fromStash(file);
      return at === null ? null : disk.read(at);
    },
    // Files of an include_dir inside the data directory: those the stash holds.
    list: async (dir) =>
      isInside(dataDir, dir) || dir === dataDir
        ? [...rels].filter((r) => path.dirname(path.join(dataDir, r)) === dir).map((r) => path.basename(r))
        : disk.list(dir),
  };
  return (await expandConfig(dataDir, reader)).entries;
}

/** The stash is done with: its files go, the folder stays (it holds the server's log since the rebuild started it). */
export async function dropStash(dataDir: string): Promise<void> {
  await rm(manifestOf(dataDir), { force: true });
  await rm(path.join(stashDirOf(dataDir), "files"), { recursive: true, force: true });
}
