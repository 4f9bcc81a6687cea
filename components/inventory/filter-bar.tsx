// The filters of a list page as a plain GET form: they live in the URL (so an
// incident view can be shared as a link) and work without JavaScript.
import Link from "next/link";
import { FilterForm } from "@/components/inventory/filter-form";

export type FilterSelect = { name: string; label: string; value?: string; options: readonly { value: string; label: string }[]; anyLabel: string };

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
  selects: FilterSelect[];
  pageSize?: string;
  active: boolean;
}) {
  const idBase = `filter${action.replace(/[^a-z0-9]+/gi, "-")}`;
  // Keys follow the URL: after "Clear filters" (a navigation that keeps this
  // form mounted) the controls must show the new values, not the old ones.
  return (
    <FilterForm action={action} className="filters" role="search" aria-label="Filters">
      <div className="field">
        <label htmlFor={`${idBase}-q`}>Search</label>
        <input key={q ?? ""} id={`${idBase}-q`} className="input" type="search" name="q" defaultValue={q ?? ""} placeholder={searchLabel} maxLength={100} />
      </div>
      {selects.map((s) => (
        <div className="field" key={s.name}>
          <label htmlFor={`${idBase}-${s.name}`}>{s.label}</label>
          <select key={s.value ?? ""} id={`${idBase}-${s.name}`} className="input" name={s.name} defaultValue={s.value ?? ""}>
            <option value="">{s.anyLabel}</option>
            {s.options.map((o) => (
              <option key={o.value} value={o.value}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
      ))}
      {pageSize && <input type="hidden" name="pageSize" value={pageSize} />}
      <button type="submit" className="btn">
        Apply filters
      </button>
      {active && (
        <Link href={action} className="btn">
          Clear filters
        </Link>
      )}
    </FilterForm>
  );
}
