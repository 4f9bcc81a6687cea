// JSON (app and PostgreSQL settings), read lexically so the text keeps its
// form: a secret-named key hides its whole subtree, other strings are masked
// as free text, and text that should be JSON and is not is also read as
// `name: value` lines.

import { isSecretName } from "@/lib/agent-protocol/mask/names";
import { MASK, isSpace, record, type Found } from "@/lib/agent-protocol/mask/spans";
import { maskTextWith } from "@/lib/agent-protocol/mask/text";

type Frame = { type: "root" | "obj" | "arr"; secret: boolean; key: string | null; expectKey: boolean };
const JSON_LITERALS = new Set(["true", "false", "null"]);

function maskJsonTextWith(text: string, found: Found, maskString: (s: string, found: Found) => string): string {
  const stack: Frame[] = [{ type: "root", secret: false, key: null, expectKey: false }];
  const top = () => stack[stack.length - 1]!;
  const valueIsSecret = () => {
    const f = top();
    return f.secret || (f.type === "obj" && f.key !== null && isSecretName(f.key));
  };
  let out = "";
  let at = 0;
  const replace = (start: number, end: number, by: string) => {
    out += text.slice(at, start) + by;
    at = end;
  };
  let i = 0;
  const n = text.length;
  while (i < n) {
    const c = text[i]!;
    if (isSpace(c)) i++;
    else if (c === "{" || c === "[") {
      stack.push({ type: c === "{" ? "obj" : "arr", secret: valueIsSecret(), key: null, expectKey: c === "{" });
      i++;
    } else if (c === "}" || c === "]") {
      if (stack.length > 1) stack.pop();
      i++;
    } else if (c === ":") {
      top().expectKey = false;
      i++;
    } else if (c === ",") {
      const f = top();
      if (f.type === "obj") {
        f.expectKey = true;
        f.key = null;
      }
      i++;
    } else if (c === '"') {
      let j = i + 1;
      while (j < n && text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      if (j >= n) {
        // Unterminated: whatever follows cannot be placed; hide it all.
        record(found, text.slice(i + 1));
        replace(i, n, `"${MASK}`);
        i = n;
        break;
      }
      const raw = text.slice(i, j + 1);
      let decoded: string | null;
      try {
        decoded = JSON.parse(raw) as string;
      } catch {
        decoded = null;
      }
      const f = top();
      if (f.type === "obj" && f.expectKey) {
        f.key = decoded ?? raw.slice(1, -1);
        f.expectKey = false;
      } else if (valueIsSecret()) {
        record(found, decoded ?? raw.slice(1, -1));
        record(found, raw.slice(1, -1));
        replace(i, j + 1, `"${MASK}"`);
      } else if (decoded !== null) {
        const masked = maskString(decoded, found);
        if (masked !== decoded) replace(i, j + 1, JSON.stringify(masked));
      } else {
        const inner = raw.slice(1, -1);
        const masked = maskString(inner, found);
        if (masked !== inner) replace(i, j + 1, `"${masked}"`);
      }
      i = j + 1;
    } else {
      let j = i;
      while (j < n && !isSpace(text[j]) && !'{}[]:,"'.includes(text[j]!)) j++;
      const literal = text.slice(i, j);
      if (valueIsSecret() && !JSON_LITERALS.has(literal)) {
        record(found, literal);
        replace(i, j, `"${MASK}"`);
      }
      i = j;
    }
  }
  out += text.slice(at);
  return out;
}

export function maskJsonText(text: string, found: Found): string {
  const masked = maskJsonTextWith(text, found, maskTextWith);
  try {
    JSON.parse(text);
    return masked;
  } catch {
    // Not JSON (a file edited by hand on a target): also read each line as `name: value` or `name = value`.
    return masked
      .split("\n")
      .map((line) => maskLooseLine(line, found))
      .join("\n");
  }
}

/** A line of something that is not JSON: the rest of it when it starts with a secret name and `:` or `=`. */
function maskLooseLine(line: string, found: Found): string {
  const m = /^([ \t]*["']?)([A-Za-z_][A-Za-z0-9_.-]*)(["']?[ \t]*[:=][ \t]*)(.*)$/.exec(line);
  if (m && isSecretName(m[2]!) && m[4] && !m[4].includes(MASK)) {
    record(found, m[4]);
    return `${m[1]}${m[2]}${m[3]}${MASK}`;
  }
  return maskTextWith(line, found);
}
