import Link from "next/link";

/** Previous/next links that keep every other filter in the URL. */
export function Pagination({
  page,
  pageSize,
  total,
  basePath,
  params,
}: {
  page: number;
  pageSize: number;
  total: number;
  basePath: string;
  params: Record<string, string | undefined>;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const href = (p: number) => {
    const sp = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v && k !== "page") sp.set(k, v);
    if (p > 1) sp.set("page", String(p));
    const s = sp.toString();
    return s ? `${basePath}?${s}` : basePath;
  };
  if (pages <= 1) return <p className="pagination">{total} in all</p>;
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav className="pagination" aria-label="Pagination">
      <span>
        {first}–{last} of {total}
      </span>
      <span className="row">
        {page > 1 ? (
          <Link className="btn btn-sm" href={href(page - 1)}>
            Previous
          </Link>
        ) : (
          <span className="btn btn-sm" aria-disabled="true">
            Previous
          </span>
        )}
        <span>
          Page {page} of {pages}
        </span>
        {page < pages ? (
          <Link className="btn btn-sm" href={href(page + 1)}>
            Next
          </Link>
        ) : (
          <span className="btn btn-sm" aria-disabled="true">
            Next
          </span>
        )}
      </span>
    </nav>
  );
}
