// Reads /audit's filters from the URL. The form's datetime-local fields carry
// no zone; the console shows times in UTC, so they are read as UTC and turned
// into ISO 8601 before the shared schema validates them. ISO values (with an
// offset) from a shared link pass through as they are.
import { auditList, type AuditListQuery } from "@/lib/audit/schemas";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";

const localDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/;

/** "2024-05-01T12:30" → "2024-05-01T12:30:00.000Z"; `to` takes in the whole minute it names. */
export function localToIso(value: string, endOfMinute: boolean): string {
  if (!localDateTime.test(value)) return value;
  const date = new Date(`${value}Z`);
  if (Number.isNaN(date.getTime())) return value; // left for the schema to refuse
  if (endOfMinute && value.length === 16) date.setUTCSeconds(59, 999);
  return date.toISOString();
}

/** An ISO or datetime-local value as a datetime-local input shows it (UTC), or "" when unreadable. */
export function isoToLocal(value: string | undefined): string {
  if (!value) return "";
  if (localDateTime.test(value)) return value.slice(0, 16);
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? "" : date.toISOString().slice(0, 16);
}

/** An actor or target type, an outcome, as people read it: "API_TOKEN" → "API token", "LOAD_BALANCER" → "Load balancer". */
export const words = (v: string) => (v === "API_TOKEN" ? "API token" : v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " "));

export const filterLabels: Record<string, string> = {
  q: "Search",
  action: "Action",
  actor: "Actor",
  targetType: "Target type",
  targetId: "Target id",
  outcome: "Outcome",
  from: "From",
  to: "To",
  page: "Page",
  pageSize: "Page size",
};

export const filterKeys = ["q", "action", "actor", "targetType", "targetId", "outcome", "from", "to", "pageSize"] as const;

export type AuditFilters = {
  query: AuditListQuery;
  /** Valid filter values as the form shows them. */
  form: Partial<Record<(typeof filterKeys)[number], string>>;
  /** What was ignored, and why, in words for the page. */
  warnings: string[];
};

export function readAuditFilters(raw: SearchParams): AuditFilters {
  const { query, values, issues } = parseSearchParams(auditList, raw, (v) => ({
    ...v,
    from: v.from === undefined ? undefined : localToIso(v.from, false),
    to: v.to === undefined ? undefined : localToIso(v.to, true),
  }));
  const ignored = new Set(issues.map((i) => i.key));
  const form: AuditFilters["form"] = {};
  for (const key of filterKeys) {
    const value = values[key];
    if (value === undefined || ignored.has(key)) continue;
    form[key] = key === "from" || key === "to" ? isoToLocal(value) : value;
  }
  const warnings = issues.map((i) => {
    const label = filterLabels[i.key] ?? i.key;
    const why = i.key === "from" || i.key === "to" ? "not a date and time" : i.message;
    return `${label} ("${String(values[i.key] ?? "").slice(0, 60)}"): ${why}`;
  });
  if (query.from && query.to && new Date(query.from) > new Date(query.to)) warnings.push("From is later than To, so no entry can match");
  return { query, form, warnings };
}
