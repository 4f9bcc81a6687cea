// Filters live in the URL, so anyone can hand-edit or mangle them. This reads
// a page's search params against the same zod schema the API uses, and drops
// the fields that do not validate instead of failing the whole page.
// Shared by /audit, /users and /tokens (it would sit better in lib/common).
import type { z } from "zod";

export type RawSearchParams = Record<string, string | string[] | undefined>;
export type SearchParamIssue = { key: string; message: string };

export type ParsedSearchParams<S extends z.ZodObject> = {
  /** The validated query; every invalid field is left out (its default applies). */
  query: z.output<S>;
  /** The raw, non-empty values of the schema's keys, for refilling the filter form. */
  values: Partial<Record<string, string>>;
  /** One entry per field that was ignored. */
  issues: SearchParamIssue[];
};

/**
 * `schema` must accept `{}` (all fields optional or defaulted), which holds
 * for every list-query schema. `prepare` may rewrite values before validation
 * (e.g. a datetime-local value into ISO 8601).
 */
export function parseSearchParams<S extends z.ZodObject>(
  schema: S,
  raw: RawSearchParams,
  prepare?: (values: Partial<Record<string, string>>) => Record<string, unknown>,
): ParsedSearchParams<S> {
  const values: Partial<Record<string, string>> = {};
  for (const key of Object.keys(schema.shape)) {
    const given = raw[key];
    const value = Array.isArray(given) ? given[0] : given;
    // A GET form sends empty fields as `key=`; empty means "no filter".
    if (value !== undefined && value.trim() !== "") values[key] = value;
  }
  const input: Record<string, unknown> = prepare ? prepare(values) : { ...values };
  const issues: SearchParamIssue[] = [];
  for (let attempt = 0; attempt <= Object.keys(schema.shape).length; attempt++) {
    const result = schema.safeParse(input);
    if (result.success) return { query: result.data, values, issues };
    let dropped = false;
    for (const issue of result.error.issues) {
      const key = String(issue.path[0] ?? "");
      if (!issues.some((i) => i.key === key)) issues.push({ key, message: issue.message });
      if (key in input) {
        delete input[key];
        dropped = true;
      }
    }
    if (!dropped) break;
  }
  return { query: schema.parse({}), values: {}, issues };
}

/** The value of a search param in the current URL, for Pagination's `params`. */
export function paginationParams(values: Partial<Record<string, string>>, keys: readonly string[], invalid: SearchParamIssue[]) {
  const out: Record<string, string | undefined> = {};
  for (const key of keys) if (!invalid.some((i) => i.key === key)) out[key] = values[key];
  return out;
}
