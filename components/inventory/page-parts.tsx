// Small server-rendered pieces the inventory pages share.
import Link from "next/link";

export function Breadcrumbs({ items }: { items: { href?: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="muted" style={{ marginBottom: 8 }}>
      {items.map((item, i) => (
        <span key={i}>
          {i > 0 && <span aria-hidden="true"> / </span>}
          {item.href ? (
            <Link href={item.href}>{item.label}</Link>
          ) : (
            <span aria-current="page">{item.label}</span>
          )}
        </span>
      ))}
    </nav>
  );
}

/** Says which filters in the link were not understood and so not applied. */
export function IgnoredFilters({ ignored }: { ignored: string[] }) {
  if (ignored.length === 0) return null;
  return (
    <div className="alert alert-warn" role="status" style={{ marginBottom: 12 }}>
      Ignored {ignored.length === 1 ? "a filter" : "filters"} this page does not understand: {ignored.join(", ")}. Showing the rest.
    </div>
  );
}

/** The empty state: why the table is empty and what to do about it. */
export function EmptyState({ children }: { children: React.ReactNode }) {
  return <div className="card empty stack" style={{ alignItems: "center" }}>{children}</div>;
}

/** When the page number runs past the end (an old link after deletions). */
export function PastTheEnd({ href }: { href: string }) {
  return (
    <EmptyState>
      <p style={{ margin: 0 }}>This page is past the end of the list.</p>
      <Link href={href}>Go to the first page</Link>
    </EmptyState>
  );
}

/** Builds a list URL from its filters, leaving out empty ones and page 1. */
export function listHref(basePath: string, params: Record<string, string | undefined>, changes: Record<string, string | undefined> = {}) {
  const sp = new URLSearchParams();
  for (const [k, v] of Object.entries({ ...params, ...changes })) if (v) sp.set(k, v);
  if (sp.get("page") === "1") sp.delete("page");
  const s = sp.toString();
  return s ? `${basePath}?${s}` : basePath;
}
