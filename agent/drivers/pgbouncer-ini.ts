// The pgbouncer driver's one edit of pgbouncer.ini: the host and port of a [databases]
// entry. A pure function over the text, so everything but those two values stays byte for
// byte (comments, other sections, other keys, quoting, line endings).
//
// It reads the file as PgBouncer 1.18 does (libusual's parse_ini_file, PgBouncer's
// loader.c): a line is blank, a comment (first non-space ';' or '#'), a section "[name]",
// or "key = value" (key of [A-Za-z0-9_.*-], value to the end of the line, trailing space
// dropped). A database entry's value is a connection string of key=value pairs separated by
// spaces, a value either bare (up to a space) or in single quotes ('' inside for a quote).
// When a name appears more than once PgBouncer keeps the last; every one is rewritten, so
// whichever PgBouncer keeps points where asked.

export type Endpoint = { host: string | null; port: number | null };
export type RetargetEdit = { content: string; before: Endpoint; changed: boolean };

export class IniEditError extends Error {
  override name = "IniEditError";
}

type Pair = { key: string; value: string; quoted: boolean; valueStart: number; valueEnd: number };

/** The pairs of one connection string, with where each value sits (quotes included) in `text`; null when PgBouncer would refuse it. */
export function parseConnString(text: string): Pair[] | null {
  const pairs: Pair[] = [];
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  for (;;) {
    skipSpace();
    if (i >= text.length) return pairs;
    const keyStart = i;
    while (i < text.length && text[i] !== "=" && text[i] !== " ") i++;
    const key = text.slice(keyStart, i);
    skipSpace();
    if (text[i] !== "=" || key === "") return null;
    i++;
    skipSpace();
    const valueStart = i;
    let value = "";
    let quoted = false;
    if (text[i] === "'") {
      quoted = true;
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === "'") {
          if (text[i + 1] !== "'") break;
          i++;
        }
        value += text[i++];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== " ") value += text[i++];
    }
    if (value === "") return null;
    pairs.push({ key, value, quoted, valueStart, valueEnd: i });
  }
}

const quote = (value: string) => `'${value.replace(/'/g, "''")}'`;

/** One database entry's value with host and port set; a missing pair is appended. */
function retargetValue(value: string, host: string, port: number): { value: string; before: Endpoint } | null {
  const pairs = parseConnString(value);
  if (pairs === null) return null;
  const last = (key: string) => pairs.filter((p) => p.key === key).at(-1);
  const before = { host: last("host")?.value ?? null, port: last("port") ? Number.parseInt(last("port")!.value, 10) : null };
  const wanted: Record<string, string> = { host, port: String(port) };
  let out = value;
  // Right to left, so earlier offsets stay valid.
  for (const p of [...pairs].reverse()) {
    if (p.key in wanted) out = out.slice(0, p.valueStart) + (p.quoted ? quote(wanted[p.key]!) : wanted[p.key]!) + out.slice(p.valueEnd);
  }
  for (const key of ["host", "port"]) if (!last(key)) out = `${out}${out === "" ? "" : " "}${key}=${wanted[key]}`;
  return { value: out, before };
}

const KEY = /^[A-Za-z0-9_.*-]+/;

/**
 * pgbouncer.ini with [databases] entry `database` pointed at host:port. Throws IniEditError
 * when the entry is missing or is a connection string PgBouncer itself would refuse.
 */
export function retargetDatabase(ini: string, database: string, host: string, port: number): RetargetEdit {
  // Lines with their endings kept, so "\r\n" files stay "\r\n".
  const lines = ini.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  let section: string | null = null;
  let found: Endpoint | null = null;
  const out: string[] = [];
  for (const line of lines) out.push(editLine(line));
  function editLine(line: string): string {
    const body = line.replace(/\r?\n$/, "");
    const start = body.length - body.trimStart().length;
    const rest = body.slice(start);
    if (rest === "" || rest[0] === ";" || rest[0] === "#") return line;
    if (rest[0] === "[") {
      const end = rest.indexOf("]");
      section = end > 0 ? rest.slice(1, end) : null;
      return line;
    }
    if (section !== "databases") return line;
    const key = KEY.exec(rest)?.[0];
    if (key !== database) return line;
    const eq = /^[ \t]*=[ \t]*/.exec(rest.slice(key.length));
    if (!eq) return line;
    const valueStart = start + key.length + eq[0].length;
    const valueEnd = body.trimEnd().length;
    const edited = retargetValue(body.slice(valueStart, valueEnd), host, port);
    if (!edited) throw new IniEditError(`the [databases] entry "${database}" is not a connection string PgBouncer reads; not changed`);
    found = edited.before;
    return body.slice(0, valueStart) + edited.value + line.slice(valueEnd);
  }
  const before = found as Endpoint | null;
  if (!before) throw new IniEditError(`no [databases] entry "${database}" in the file`);
  const content = out.join("");
  return { content, before, changed: content !== ini };
}
