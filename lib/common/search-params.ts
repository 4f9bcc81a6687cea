// Filters live in the URL, so anyone can hand-edit or mangle them. This reads
// a page's search params against the same zod schema the API uses, and drops
// the fields that do not validate instead of failing the whole page. Shared by
// every list page (inventory, users, tokens, audit).
import type { z } from "zod";

export type SearchParams = Record<string, string | string[] | undefined>;
export type SearchParamIssue = { key: string; message: string };

export type ParsedSearchParams<S extends z.ZodObject> = {
  /** The validated query; every invalid field is left out (its default applies). */
  query: z.output<S>;
  /** The raw, non-empty values of the schema's keys, for refilling the filter form. */
  values: Partial<Record<string, string>>;
  /** `values` less the ignored ones: what a link to this list (pagination, "clear") keeps. */
  valid: Record<string, string | undefined>;
  /** One entry per field that was ignored. */
  issues: SearchParamIssue[];
};

/** A repeated param (`?q=a&q=b`) counts once, by its first value. */
export const firstValue = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * `schema` must accept `{}` (all fields optional or defaulted), which holds
 * for every list-query schema. `prepare` may rewrite values before validation
 * (e.g. a datetime-local value into ISO 8601).
 */
export function parseSearchParams<S extends z.ZodObject>(
  schema: S,
  raw: SearchParams,
  prepare?: (values: Partial<Record<string, string>>) => Record<string, unknown>,
): ParsedSearchParams<S> {
  const keys = Object.keys(schema.shape);
  const values: Partial<Record<string, string>> = {};
  for (const key of keys) {
    const value = firstValue(raw[key])?.trim();
    // A GET form sends empty fields as `key=`; empty means "no filter".
    if (value) values[key] = value;
  }
  const input: Record<string, unknown> = prepare ? prepare(values) : { ...values };
  const issues: SearchParamIssue[] = [];
  for (let attempt = 0; attempt <= keys.length; attempt++) {
    const result = schema.safeParse(input);
    if (result.success) return { query: result.data, values, valid: validValues(values, issues), issues };
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
  return { query: schema.parse({}), values: {}, valid: {}, issues };
}

function validValues(values: Partial<Record<string, string>>, issues: SearchParamIssue[]): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(values)) if (!issues.some((i) => i.key === key)) out[key] = value;
  return out;
}
