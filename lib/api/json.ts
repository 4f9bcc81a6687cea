// JSON that survives BigInt ids and Dates.
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? v.toString() : v));
}

/** What a server type looks like after toJson: dates and bigints arrive as strings. */
export type Jsonify<T> = T extends Date
  ? string
  : T extends bigint
    ? string
    : T extends (infer U)[]
      ? Jsonify<U>[]
      : T extends object
        ? { [K in keyof T]: Jsonify<T[K]> }
        : T;

/**
 * The path of the first string (or key) holding a NUL character, if any.
 * PostgreSQL text cannot store NUL, so such input would fail as a 500 deep
 * in a query; the handler refuses it up front as a 400 instead.
 */
export function findNul(value: unknown, path = "body"): string | null {
  if (typeof value === "string") return value.includes("\u0000") ? path : null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNul(value[i], `${path}.${i}`);
      if (found) return found;
    }
    return null;
  }
  if (value && typeof value === "object") {
    for (const [key, v] of Object.entries(value)) {
      if (key.includes("\u0000")) return `${path} (a key)`;
      const found = findNul(v, `${path}.${key}`);
      if (found) return found;
    }
  }
  return null;
}
