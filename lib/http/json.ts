// JSON for the console's own answers and pages: BigInt ids and Dates survive.
// The rules for JSON from outside (depth, NUL, lone surrogates), which the
// agent applies too, are lib/agent-protocol/json.ts.
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
