// Server-rendered pieces the inventory pages share: the frame of a list page
// and of a "New …" page, breadcrumbs, empty states, and the lines every
// record's Details list ends with.
import Link from "next/link";
import { FilterWarning } from "@/components/ui/filters";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { Time } from "@/components/ui/time";
import { FilterBar, type SelectFilter } from "@/components/inventory/filter-bar";

export function Breadcrumbs({ items }: { items: { href?: string; label: string }[] }) {
  return (
    <nav aria-label="Breadcrumb" className="muted" style={{ marginBottom: 8 }}>
      {items.map((item, i) => (
        <span key={i}>
          {i > 0 && <span aria-hidden="true"> / </span>}
          {item.href ? <Link href={item.href}>{item.label}</Link> : <span aria-current="page">{item.label}</span>}
        </span>
      ))}
    </nav>
  );
}

/** Says which filters in the link were not understood and so not applied. */
export function IgnoredFilters({ issues }: { issues: { key: string }[] }) {
  if (issues.length === 0) return null;
  return (
    <FilterWarning>
      Ignored {issues.length === 1 ? "a filter" : "filters"} this page does not understand: {issues.map((i) => i.key).join(", ")}. Showing the rest.
    </FilterWarning>
  );
}

/** The empty state: why the table is empty and what to do about it. */
export function EmptyState({ children }: { children: React.ReactNode }) {
  return (
    <div className="card empty stack" style={{ alignItems: "center" }}>
      {children}
    </div>
  );
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

/** The next step under an empty list of a cluster's records: a cluster first, "New …", or an admin. */
export function firstStep(clusterCount: number, canWrite: boolean, newLabel: string): string {
  if (clusterCount === 0) return canWrite ? " Create a cluster first." : " There is no cluster yet either.";
  return canWrite ? ` Use ${newLabel} to add one.` : " Ask an admin to add them.";
}

/**
 * The frame of an inventory list: header (with "New …" for those who may
 * write), the filters, then the table, or why there is none, and pagination.
 */
export function ListPage({
  title,
  description,
  basePath,
  newLabel,
  issues,
  search,
  filtered,
  page,
  params,
  noMatch,
  empty,
  children,
}: {
  title: string;
  description: string;
  /** The list's URL; "New …" links to `${basePath}/new`. */
  basePath: string;
  /** The "New …" link's text; false for a role that may not write. */
  newLabel: string | false;
  /** Filters of the link that were not valid, and so not applied. */
  issues: { key: string }[];
  search: { q?: string; label: string; selects?: SelectFilter[] };
  /** Whether any filter is on. */
  filtered: boolean;
  page: { items: unknown[]; total: number; page: number; pageSize: number };
  /** The valid filters, for links to other pages of the list. */
  params: Record<string, string | undefined>;
  /** When the filters match nothing: what to say, and the text of the link back to everything. */
  noMatch: { text: React.ReactNode; showAll: string };
  /** When there is nothing at all: what the list is for, and how to begin. */
  empty: React.ReactNode;
  /** The table. */
  children: React.ReactNode;
}) {
  return (
    <>
      <PageHeader
        title={title}
        description={description}
        actions={
          newLabel && (
            <Link href={`${basePath}/new`} className="btn btn-primary">
              {newLabel}
            </Link>
          )
        }
      />
      <IgnoredFilters issues={issues} />
      <FilterBar action={basePath} q={search.q} searchLabel={search.label} selects={search.selects ?? []} pageSize={params.pageSize} active={filtered} />
      {page.total === 0 ? (
        <EmptyState>
          {filtered ? (
            <>
              <p style={{ margin: 0 }}>{noMatch.text}</p>
              <Link href={basePath}>{noMatch.showAll}</Link>
            </>
          ) : (
            <p style={{ margin: 0 }}>{empty}</p>
          )}
        </EmptyState>
      ) : page.items.length === 0 ? (
        <PastTheEnd href={listHref(basePath, params, { page: undefined })} />
      ) : (
        children
      )}
      {page.total > 0 && <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath={basePath} params={params} />}
    </>
  );
}

/** The frame of a "New …" page: the way back to the list, the title, and the form in a card. */
export function NewRecordPage({
  list,
  title,
  description,
  needsCluster,
  children,
}: {
  list: { href: string; label: string };
  title: string;
  description: string;
  /** "A node": the record belongs to a cluster and there is none, so the page offers to create one instead of the form. */
  needsCluster?: string | false;
  children: React.ReactNode;
}) {
  return (
    <>
      <Breadcrumbs items={[list, { label: "New" }]} />
      <PageHeader title={title} description={description} />
      {needsCluster ? (
        <EmptyState>
          <p style={{ margin: 0 }}>{needsCluster} belongs to a cluster, and there is none yet.</p>
          <Link href="/clusters/new">Create a cluster first</Link>
        </EmptyState>
      ) : (
        <div className="card">{children}</div>
      )}
    </>
  );
}

/** A record's agent in its Details list: where it listens, or why there is none. */
export function AgentProp({ url, none = "not set: no agent reports for it yet" }: { url: string | null; none?: string }) {
  return (
    <>
      <dt>Agent</dt>
      <dd>{url ? <span className="mono">{url}</span> : <span className="muted">{none}</span>}</dd>
    </>
  );
}

/** The end of a record's Details list: when its agent last reported (for the tiers that have one), created, updated. */
export function RecordTimes({ lastSeenAt, createdAt, updatedAt }: { lastSeenAt?: Date | null; createdAt: Date; updatedAt: Date }) {
  return (
    <>
      {lastSeenAt !== undefined && (
        <>
          <dt>Last seen</dt>
          <dd>
            <Time value={lastSeenAt} />
          </dd>
        </>
      )}
      <dt>Created</dt>
      <dd>
        <Time value={createdAt} />
      </dd>
      <dt>Updated</dt>
      <dd>
        <Time value={updatedAt} />
      </dd>
    </>
  );
}

/** A record's Details card: its properties, as a definition list. */
export function DetailsCard({ id, children }: { id: string; children: React.ReactNode }) {
  return (
    <section className="card" aria-labelledby={id}>
      <h2 id={id}>Details</h2>
      <dl className="props">{children}</dl>
    </section>
  );
}

/** The first line of a tier record's Details: the cluster it belongs to. */
export function ClusterProp({ cluster }: { cluster: { id: string; name: string } }) {
  return (
    <>
      <dt>Cluster</dt>
      <dd>
        <Link href={`/clusters/${cluster.id}`}>{cluster.name}</Link>
      </dd>
    </>
  );
}
