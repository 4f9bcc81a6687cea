// The stash: which files are the member's own configuration (includes inside
// the data folder too), kept outside it, reused by a later attempt, put back.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dropStash, expandConfig, restoreStash, settingOf, stashDirOf, stashedConfig, takeStash } from "./postgres-config-stash";

let root: string;
let data: string;
const put = async (rel: string, text: string) => {
  await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
  await writeFile(path.join(root, rel), text);
};

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), "cd-stash-"));
  data = path.join(root, "main");
  await mkdir(data, { mode: 0o700 });
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe("the member's own configuration", () => {
  it("follows include, include_if_exists and include_dir; files outside the data folder are read, not kept", async () => {
    await put(
      "main/postgresql.conf",
      "port = 5432\ninclude 'extra.conf'\ninclude_if_exists 'missing.conf'\ninclude_dir 'conf.d'\ninclude '../etc/shared.conf'\n",
    );
    await put("main/extra.conf", "port = 5440\n");
    await put("main/conf.d/b.conf", "work_mem = '8MB'\n");
    await put("main/conf.d/a.conf", "include 'nested.conf'\n");
    await put("main/conf.d/nested.conf", "work_mem = '4MB'\n");
    await put("main/conf.d/notes.txt", "port = 1\n");
    await put("etc/shared.conf", "port = 5441\n");
    await put("main/pg_hba.conf", "local all all trust\n");
    await put("main/postgresql.auto.conf", "work_mem = '16MB'\n");
    const { files, entries } = await expandConfig(data);
    expect(files.map((f) => path.relative(data, f))).toEqual([
      "postgresql.conf",
      "extra.conf",
      "conf.d/a.conf",
      "conf.d/nested.conf",
      "conf.d/b.conf",
      "postgresql.auto.conf",
      "pg_hba.conf",
    ]);
    expect(settingOf(entries, "port")).toBe("5441");
    expect(settingOf(entries, "work_mem")).toBe("16MB");
    expect(settingOf(entries, "shared_buffers")).toBeNull();
  });

  it("is saved once, outside the data folder (0700), reused by a later attempt, put back over foreign files, dropped at the end", async () => {
    await put("main/postgresql.conf", "port = 5433\ninclude_dir 'conf.d'\n");
    await put("main/conf.d/own.conf", "cluster_name = 'a'\n");
    await put("main/postgresql.auto.conf", "primary_conninfo = 'host=x application_name=a'\n");
    expect(await takeStash(data)).toBe(`own configuration saved (3 files, ${stashDirOf(data)})`);
    expect((await stat(stashDirOf(data))).mode & 0o777).toBe(0o700);
    expect(settingOf(await stashedConfig(data), "primary_conninfo")).toBe("host=x application_name=a");
    expect(settingOf(await stashedConfig(data), "cluster_name")).toBe("a");

    // What pg_rewind would do: the source's files over ours, ours it lacks deleted.
    await put("main/postgresql.conf", "port = 5434\n");
    await put("main/pg_hba.conf", "host all all 0.0.0.0/0 trust\n");
    await rm(path.join(data, "conf.d"), { recursive: true });
    expect(await takeStash(data)).toMatch(/^own configuration saved by an earlier attempt reused \(3 files/);
    expect(await restoreStash(data)).toBe(3);
    expect(await readFile(path.join(data, "postgresql.conf"), "utf8")).toBe("port = 5433\ninclude_dir 'conf.d'\n");
    expect(await readFile(path.join(data, "conf.d/own.conf"), "utf8")).toBe("cluster_name = 'a'\n");
    // Not the member's: gone rather than left to mislead.
    expect(existsSync(path.join(data, "pg_hba.conf"))).toBe(false);

    await dropStash(data);
    expect(existsSync(path.join(stashDirOf(data), "manifest.json"))).toBe(false);
    expect(await takeStash(data)).toMatch(/^own configuration saved \(3 files/);
  });

  it("a Debian-style data folder (configuration in /etc) keeps only postgresql.auto.conf", async () => {
    await put("main/postgresql.auto.conf", "work_mem = '4MB'\n");
    expect(await takeStash(data)).toMatch(/^own configuration saved \(1 file,/);
    await put("main/postgresql.conf", "port = 9999\n");
    await restoreStash(data);
    expect(existsSync(path.join(data, "postgresql.conf"))).toBe(false);
  });
});
