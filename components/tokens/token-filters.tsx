import { FilterButtons, FilterInput } from "@/components/ui/filters";

/** A plain GET form: the filters end up in the URL, and work without JavaScript. */
export function TokenFilters({ q, includeRevoked }: { q?: string; includeRevoked: boolean }) {
  return (
    <form className="filters" method="get" action="/tokens" role="search" aria-label="Filter API tokens">
      <FilterInput id="tokens-q" label="Search" name="q" type="search" defaultValue={q} placeholder="Token name" maxLength={100} />
      <label className="checkbox" style={{ minHeight: 34 }}>
        <input type="checkbox" name="includeRevoked" value="true" defaultChecked={includeRevoked} /> Include revoked
      </label>
      <FilterButtons clearHref="/tokens" clearLabel="Clear" active={Boolean(q || includeRevoked)} />
    </form>
  );
}
