// PostgreSQL's two small languages a rebuild writes and reads: libpq conninfo
// strings (primary_conninfo) and postgresql.conf lines (settings, includes).
// Pure: no files, no server. Values from the console (host, port, slot,
// application_name) only ever reach these as values, quoted here.
import path from "node:path";

export type Conninfo = [key: string, value: string][];

/** libpq's key=value form (a value bare, or single-quoted with \ escapes), or a postgresql:// URI. */
export function parseConninfo(text: string): Conninfo {
  const trimmed = text.trim();
  if (/^postgres(ql)?:\/\//.test(trimmed)) return parseConninfoUri(trimmed);
  const out: Conninfo = [];
  for (const m of trimmed.matchAll(/([A-Za-z_]+)\s*=\s*('(?:[^'\\]|\\.)*'|(?:[^\s'\\]|\\.)*)/g)) {
    const raw = m[2]!;
    const body = raw.startsWith("'") ? raw.slice(1, -1) : raw;
    out.push([m[1]!, body.replace(/\\(.)/g, "$1")]);
  }
  return out;
}

function parseConninfoUri(uri: string): Conninfo {
  const u = new URL(uri);
  const out: Conninfo = [];
  if (u.hostname) out.push(["host", u.hostname.replace(/^\[(.*)\]$/, "$1")]);
  if (u.port) out.push(["port", u.port]);
  if (u.username) out.push(["user", decodeURIComponent(u.username)]);
  if (u.password) out.push(["password", decodeURIComponent(u.password)]);
  if (u.pathname.length > 1) out.push(["dbname", decodeURIComponent(u.pathname.slice(1))]);
  for (const [k, v] of u.searchParams) out.push([k, v]);
  return out;
}

/** A conninfo value, quoted when libpq would otherwise cut or misread it. */
export function quoteConninfoValue(value: string): string {
  return value !== "" && !/[\s'\\]/.test(value) ? value : `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

export function formatConninfo(pairs: Conninfo): string {
  return pairs.map(([k, v]) => `${k}=${quoteConninfoValue(v)}`).join(" ");
}

/**
 * The conninfo with `set` applied: host and port first (hostaddr dropped, as
 * it would override host), each other key of `set` replacing its old value,
 * or removed when its value is null. The rest (user, passfile, sslmode…) is kept.
 */
export function withConninfo(text: string, set: { host: string; port: number } & Record<string, string | number | null>): string {
  const replaced = new Set(["hostaddr", ...Object.keys(set)]);
  const kept = parseConninfo(text).filter(([k]) => !replaced.has(k));
  const extra = Object.entries(set).filter(([k, v]) => k !== "host" && k !== "port" && v !== null) as [string, string | number][];
  return formatConninfo([["host", set.host], ["port", String(set.port)], ...kept, ...extra.map(([k, v]) => [k, String(v)] as [string, string])]);
}

/** A postgresql.conf string literal: quotes doubled, backslashes escaped (the file's scanner reads \ escapes). */
export function confString(value: string): string {
  return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

export type ConfEntry = { name: string; value: string };

const ESCAPES: Record<string, string> = { b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };

function unquoteConf(raw: string): string {
  if (!raw.startsWith("'")) return raw;
  return raw
    .slice(1, -1)
    .replace(/''/g, "'")
    .replace(/\\([0-7]{1,3}|.)/g, (_, c: string) => (/^[0-7]+$/.test(c) ? String.fromCharCode(Number.parseInt(c, 8)) : (ESCAPES[c] ?? c)));
}

/** The name = value lines of a postgresql.conf-style file, in order (include directives among them), comments dropped. */
export function parseConf(text: string): ConfEntry[] {
  const out: ConfEntry[] = [];
  for (const line of text.split("\n")) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.$-]*)\s*(?:=\s*)?('(?:[^'\\]|\\.|'')*'|[^\s#']+)/.exec(line);
    if (m) out.push({ name: m[1]!.toLowerCase(), value: unquoteConf(m[2]!) });
  }
  return out;
}

export type Include = { kind: "include" | "include_if_exists" | "include_dir"; target: string };

/** An include directive of the file at `file` with its target made absolute (relative to the including file's folder), or null for a setting. */
export function includeOf(entry: ConfEntry, file: string): Include | null {
  if (entry.name !== "include" && entry.name !== "include_if_exists" && entry.name !== "include_dir") return null;
  return { kind: entry.name, target: path.resolve(path.dirname(file), entry.value) };
}

/** Whether `target` lies inside `dir` (the data directory), where pg_rewind and pg_basebackup would replace it. */
export function isInside(dir: string, target: string): boolean {
  const rel = path.relative(dir, target);
  return rel !== "" && !rel.startsWith("..") && !path.isAbsolute(rel);
}

/** The files include_dir reads, in its order: *.conf, not hidden, sorted by name. */
export function includeDirFiles(names: string[]): string[] {
  return names.filter((n) => n.endsWith(".conf") && !n.startsWith(".")).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** postgresql.auto.conf's lines without the named settings (all spellings of their names), blank runs squeezed. */
export function withoutSettings(text: string, names: string[]): string {
  const drop = new Set(names.map((n) => n.toLowerCase()));
  const kept = text.split("\n").filter((line) => {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_.$-]*)\s*(=|\s|')/.exec(line);
    return !m || !drop.has(m[1]!.toLowerCase());
  });
  return kept.join("\n").replace(/\n{3,}/g, "\n\n");
}
