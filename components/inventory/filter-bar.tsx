// The filters of a list page as a plain GET form: they live in the URL (so an
// incident view can be shared as a link) and work without JavaScript.
import { healthValues } from "@/lib/inventory/schemas";
import { FilterButtons, FilterInput, FilterSelect } from "@/components/ui/filters";
import { FilterForm } from "@/components/inventory/filter-form";
import { healthLabels, type ClusterOption } from "@/components/inventory/labels";

/** One select of the bar (its id follows from the page). */
export type SelectFilter = Omit<React.ComponentProps<typeof FilterSelect>, "id">;

/** The cluster filter of a tier's list. */
export const clusterFilter = (clusters: ClusterOption[], value: string | undefined): SelectFilter => ({
  name: "clusterId",
  label: "Cluster",
  value,
  anyLabel: "All clusters",
  options: clusters.map((c) => ({ value: c.id, label: c.name })),
});

export const healthFilter = (value: string | undefined): SelectFilter => ({
  name: "health",
  label: "Health",
  value,
  anyLabel: "Any health",
  options: healthValues.map((h) => ({ value: h, label: healthLabels[h] })),
});

export function FilterBar({
  action,
  q,
  searchLabel,
  selects,
  pageSize,
  active,
}: {
  action: string;
  q?: string;
  searchLabel: string;
  selects: SelectFilter[];
  pageSize?: string;
  active: boolean;
}) {
  const idBase = `filter${action.replace(/[^a-z0-9]+/gi, "-")}`;
  // Keys follow the URL: after "Clear filters" (a navigation that keeps this
  // form mounted) the controls must show the new values, not the old ones.
  return (
    <FilterForm action={action} className="filters" role="search" aria-label="Filters">
      <FilterInput key={q ?? ""} id={`${idBase}-q`} label="Search" type="search" name="q" defaultValue={q ?? ""} placeholder={searchLabel} maxLength={100} />
      {selects.map((s) => (
        <FilterSelect key={`${s.name}=${s.value ?? ""}`} id={`${idBase}-${s.name}`} {...s} />
      ))}
      {pageSize && <input type="hidden" name="pageSize" value={pageSize} />}
      <FilterButtons clearHref={action} clearLabel="Clear filters" active={active} />
    </FilterForm>
  );
}
