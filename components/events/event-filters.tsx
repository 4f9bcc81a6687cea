import { severityValues } from "@/lib/events/schemas";
import { subjectTypeValues } from "@/lib/audit/schemas";
import { FilterButtons, FilterInput, FilterSelect } from "@/components/ui/filters";

const words = (v: string) => (v === "API_TOKEN" ? "API token" : v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " "));

/** Filters that are in the URL but have no field here (e.g. a link to one node's events) ride along unchanged. */
const passThrough = ["q", "subjectId", "clusterId", "from", "to", "pageSize"] as const;

/** A plain GET form: the filters end up in the URL, so an incident view can be shared as a link. */
export function EventFilters({ form }: { form: Partial<Record<string, string>> }) {
  return (
    <form className="filters" method="get" action="/events" role="search" aria-label="Filter the events">
      <FilterSelect
        id="events-severity"
        label="Severity"
        name="severity"
        value={form.severity}
        anyLabel="Any severity"
        options={severityValues.map((s) => ({ value: s, label: words(s) }))}
      />
      <FilterInput id="events-kind" label="Kind (prefix)" name="kind" defaultValue={form.kind} placeholder="e.g. health.down" maxLength={60} />
      <FilterSelect
        id="events-subject-type"
        label="Subject type"
        name="subjectType"
        value={form.subjectType}
        anyLabel="Any subject"
        options={subjectTypeValues.map((t) => ({ value: t, label: words(t) }))}
      />
      <FilterSelect
        id="events-acknowledged"
        label="Acknowledged"
        name="acknowledged"
        value={form.acknowledged}
        anyLabel="Either"
        options={[
          { value: "false", label: "Not acknowledged" },
          { value: "true", label: "Acknowledged" },
        ]}
      />
      {passThrough.map((key) => form[key] && <input key={key} type="hidden" name={key} value={form[key]} />)}
      <FilterButtons clearHref="/events" clearLabel="Clear" active={Object.keys(form).some((k) => k !== "pageSize")} />
    </form>
  );
}
