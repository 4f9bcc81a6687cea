import { outcomeValues, subjectTypeValues } from "@/lib/audit/schemas";
import { FilterButtons, FilterInput, FilterSelect } from "@/components/ui/filters";
import { words, type AuditFilters as Filters } from "@/components/audit/audit-query";

/** A plain GET form: the filters end up in the URL, so an incident view can be shared as a link. */
export function AuditFilters({ form }: { form: Filters["form"] }) {
  const any = Object.values(form).some(Boolean);
  return (
    <form className="filters" method="get" action="/audit" role="search" aria-label="Filter the audit trail">
      <FilterInput id="audit-q" label="Search" name="q" type="search" defaultValue={form.q} placeholder="Action, actor or reason" maxLength={100} />
      <FilterInput id="audit-action" label="Action" name="action" defaultValue={form.action} placeholder="e.g. node.drain" maxLength={100} />
      <FilterInput id="audit-actor" label="Actor" name="actor" defaultValue={form.actor} placeholder="Email or token" maxLength={254} />
      <FilterSelect
        id="audit-target-type"
        label="Target type"
        name="targetType"
        value={form.targetType}
        anyLabel="Any target"
        options={subjectTypeValues.map((t) => ({ value: t, label: words(t) }))}
      />
      <FilterInput id="audit-target-id" label="Target id" name="targetId" defaultValue={form.targetId} maxLength={64} />
      <FilterSelect
        id="audit-outcome"
        label="Outcome"
        name="outcome"
        value={form.outcome}
        anyLabel="Any outcome"
        options={outcomeValues.map((o) => ({ value: o, label: words(o) }))}
      />
      <FilterInput id="audit-from" label="From (UTC)" name="from" type="datetime-local" defaultValue={form.from} />
      <FilterInput id="audit-to" label="To (UTC)" name="to" type="datetime-local" defaultValue={form.to} />
      {form.pageSize && <input type="hidden" name="pageSize" value={form.pageSize} />}
      <FilterButtons clearHref="/audit" clearLabel="Clear" active={any} />
    </form>
  );
}
