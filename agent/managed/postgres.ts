// PostgreSQL settings managed for the console, through ALTER SYSTEM (which
// writes postgresql.auto.conf) and pg_reload_conf(). What runs is read back
// from pg_file_settings for the managed names only, as canonical JSON, so a
// setting changed by hand (ALTER SYSTEM, an edited auto.conf) changes the
// checksum and shows as drift. Needs a superuser (ALTER SYSTEM).
import pg from "pg";
import { canonicalJson, configChecksum } from "@/lib/agent-protocol/config/checksum";
import { managedPostgresSettingNames, postgresSettings } from "@/lib/agent-protocol/config/postgres-settings";
import { ActionError } from "../drivers/types";
import { ConfigInvalid, issuesToProblems, parseJsonText } from "./problems";
import type { ConfigManager, ConfigProblem } from "./types";

type Query = (sql: string, params?: unknown[]) => Promise<{ rows: Record<string, unknown>[] }>;

const READ_SQL = `
  SELECT name, setting FROM pg_file_settings
  WHERE sourcefile LIKE '%postgresql.auto.conf' AND name = ANY($1::text[]) AND error IS NULL
  ORDER BY seqno`;

export function postgresConfigManager(query: Query): ConfigManager {
  async function readSettings(): Promise<Record<string, string>> {
    const { rows } = await query(READ_SQL, [managedPostgresSettingNames]);
    const settings: Record<string, string> = {};
    for (const r of rows) settings[String(r.name)] = String(r.setting); // a later line wins, as in PostgreSQL
    return settings;
  }

  async function validate(content: string): Promise<ConfigProblem[]> {
    const json = parseJsonText(content);
    if (!json.ok) return json.problems;
    const parsed = postgresSettings.safeParse(json.value);
    if (!parsed.success) return issuesToProblems(parsed.error.issues);
    // What runs is read back in this form; another spelling would look like drift forever.
    if (content !== canonicalJson(parsed.data)) return [{ line: null, message: "not in canonical form (sorted keys, two-space indent, final newline)" }];
    return [];
  }

  async function set(name: string, value: string | undefined): Promise<void> {
    // Names come from the managed list only; values are quoted as literals.
    if (!managedPostgresSettingNames.includes(name as never)) throw new Error(`unmanaged setting ${name}`);
    const sql =
      value === undefined ? `ALTER SYSTEM RESET ${pg.escapeIdentifier(name)}` : `ALTER SYSTEM SET ${pg.escapeIdentifier(name)} = ${pg.escapeLiteral(value)}`;
    await query(sql);
  }

  return {
    kind: "POSTGRES",
    async current() {
      try {
        const content = canonicalJson({ settings: await readSettings() });
        return { content, checksum: configChecksum(content) };
      } catch (error) {
        return { content: null, checksum: null, problem: `cannot read pg_file_settings: ${(error as Error).message}`.slice(0, 300) };
      }
    },
    validate,
    async apply(content) {
      const problems = await validate(content);
      if (problems.length) throw new ConfigInvalid(problems);
      const wanted = (JSON.parse(content) as { settings: Record<string, string> }).settings;
      let before: Record<string, string>;
      try {
        before = await readSettings();
      } catch (error) {
        throw new ActionError(502, `cannot read the current settings: ${(error as Error).message}`);
      }
      const names = [...new Set([...Object.keys(before), ...Object.keys(wanted)])].sort();
      const done: string[] = [];
      try {
        for (const name of names) {
          if (before[name] === wanted[name]) continue;
          await set(name, wanted[name]);
          done.push(name);
        }
      } catch (error) {
        for (const name of done) await set(name, before[name]).catch(() => {});
        const message = (error as Error).message;
        // PostgreSQL refusing a value is the candidate's fault: nothing changed.
        if ((error as { code?: string }).code === "22023" || /invalid value/.test(message)) throw new ConfigInvalid([{ line: null, message }]);
        throw new ActionError(502, `ALTER SYSTEM failed: ${message}; the previous settings were put back`);
      }
      await query("SELECT pg_reload_conf()");
      const content2 = canonicalJson({ settings: await readSettings() });
      return { checksum: configChecksum(content2) };
    },
  };
}
