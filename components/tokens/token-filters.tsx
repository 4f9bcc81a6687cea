import Link from "next/link";

/** A plain GET form: the filters end up in the URL, and work without JavaScript. */
export function TokenFilters({ q, includeRevoked }: { q?: string; includeRevoked: boolean }) {
  return (
    <form className="filters" method="get" action="/tokens" role="search" aria-label="Filter API tokens">
      <div className="field">
        <label htmlFor="tokens-q">Search</label>
        <input id="tokens-q" className="input" name="q" type="search" defaultValue={q} placeholder="Token name" maxLength={100} />
      </div>
      <label className="checkbox" style={{ minHeight: 34 }}>
        <input type="checkbox" name="includeRevoked" value="true" defaultChecked={includeRevoked} /> Include revoked
      </label>
      <button type="submit" className="btn">
        Apply filters
      </button>
      {(q || includeRevoked) && (
        <Link className="btn" href="/tokens">
          Clear
        </Link>
      )}
    </form>
  );
}
