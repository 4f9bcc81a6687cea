// Files the agent writes for the console. A write is atomic (a temporary file
// in the same folder, fsynced, renamed over the target, folder fsynced): a
// crash leaves the old file or the new one, never half of one. The previous
// content is kept beside it as <file>.prev so a failed activation can put it back.
import { randomBytes } from "node:crypto";
import { open, readFile, rename, rm } from "node:fs/promises";
import path from "node:path";
import { configChecksum } from "@/lib/agent-protocol/config/checksum";
import { ActionError } from "../drivers/types";
import { ConfigInvalid } from "./problems";
import type { ConfigKind, ConfigManager, ConfigProblem } from "./types";

export async function readManagedFile(file: string): Promise<{ content: string | null; checksum: string | null; problem?: string }> {
  try {
    const content = await readFile(file, "utf8");
    return { content, checksum: configChecksum(content) };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return { content: null, checksum: null };
    return { content: null, checksum: null, problem: `cannot read ${file}: ${code ?? String(error)}` };
  }
}

/**
 * `owner`: the new file gets exactly this uid, gid and mode (no umask) before it replaces
 * the old one: a root agent rewriting a file that another user's server reads.
 */
export async function writeAtomically(file: string, content: string, mode = 0o644, owner?: { uid: number; gid: number }): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(tmp, "wx", mode);
  try {
    if (owner) {
      await handle.chown(owner.uid, owner.gid);
      await handle.chmod(mode);
    }
    await handle.writeFile(content, "utf8");
    await handle.sync();
  } finally {
    await handle.close();
  }
  try {
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  const dirHandle = await open(dir, "r");
  try {
    await dirHandle.sync();
  } finally {
    await dirHandle.close();
  }
}

/** A scratch file beside `file` (same filesystem, same permissions), removed by the returned cleanup. */
export async function scratchCopy(file: string, content: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const scratch = path.join(path.dirname(file), `.${path.basename(file)}.check-${randomBytes(6).toString("hex")}`);
  const handle = await open(scratch, "wx", 0o600);
  try {
    await handle.writeFile(content, "utf8");
  } finally {
    await handle.close();
  }
  return { path: scratch, remove: () => rm(scratch, { force: true }) };
}

/**
 * Writes `content` to `file`, runs `activate`, and if that fails puts the
 * previous file back (and runs `activate` again for it) before rethrowing.
 */
export async function replaceAndActivate(file: string, content: string, activate: () => Promise<void>, mode?: number): Promise<void> {
  const before = await readManagedFile(file);
  if (before.content !== null) await writeAtomically(`${file}.prev`, before.content, mode);
  await writeAtomically(file, content, mode);
  try {
    await activate();
  } catch (error) {
    if (before.content !== null) {
      await writeAtomically(file, before.content, mode);
      await activate().catch(() => {});
    } else {
      await rm(file, { force: true });
    }
    throw error;
  }
}

/**
 * A configuration that is one file: validated by `validate`, written
 * atomically, made live by `activate` (a reload); if activation fails the
 * previous file is put back and activated again. What runs is read back.
 */
export function fileConfigManager(o: {
  kind: ConfigKind;
  file: string;
  mode?: number;
  validate: (content: string) => Promise<ConfigProblem[]>;
  activate: () => Promise<void>;
}): ConfigManager {
  return {
    kind: o.kind,
    current: () => readManagedFile(o.file),
    validate: o.validate,
    async apply(content) {
      const problems = await o.validate(content);
      if (problems.length) throw new ConfigInvalid(problems);
      try {
        await replaceAndActivate(o.file, content, o.activate, o.mode);
      } catch (error) {
        if (error instanceof ActionError) throw new ActionError(502, `${error.message}; the previous configuration was put back`);
        throw error;
      }
      const now = await readManagedFile(o.file);
      if (!now.checksum) throw new ActionError(502, now.problem ?? `${o.file} is gone after the reload`);
      return { checksum: now.checksum };
    },
  };
}
