import { requirePage } from "@/lib/sign-in/session";
import { operationsOverview } from "@/lib/operations/service";
import { operationList } from "@/lib/config/schemas";
import { operationKinds } from "@/lib/operations/kinds";
import { operationStateValues } from "@/lib/operations/schemas";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { PageHeader } from "@/components/ui/page-header";
import { FilterButtons, FilterSelect, FilterWarning } from "@/components/ui/filters";
import { LiveIndicator } from "@/components/realtime/live-indicator";
import { OperationsTable } from "@/components/operations/operations-table";

export const metadata = { title: "Operations" };
export const dynamic = "force-dynamic";

const words = (v: string) => v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " ");

/** Running first (with those queued and awaiting approval), then the most recent; refreshed by the live stream on every operation notice. */
export default async function OperationsPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  await requirePage("operations:read");
  const { query, values, issues } = parseSearchParams(operationList, await searchParams);
  const { active, recent } = await operationsOverview(query);
  const filtered = Boolean(values.kind || values.state);
  return (
    <>
      <PageHeader
        title="Operations"
        description="Deployments, drains, resumes, maintenance, promotions and rebuilds: running and waiting first, then the most recent. Times in UTC."
        actions={<LiveIndicator />}
      />
      {issues.length > 0 && <FilterWarning>Some filters were ignored: {issues.map((i) => `${i.key}: ${i.message}`).join("; ")}.</FilterWarning>}
      <form className="filters" method="get" action="/operations" role="search" aria-label="Filter the operations">
        <FilterSelect
          id="operations-kind"
          label="Kind"
          name="kind"
          value={values.kind}
          anyLabel="Any kind"
          options={Object.entries(operationKinds).map(([value, k]) => ({ value, label: k.label }))}
        />
        <FilterSelect
          id="operations-state"
          label="State"
          name="state"
          value={values.state}
          anyLabel="Any state"
          options={operationStateValues.map((s) => ({ value: s, label: words(s) }))}
        />
        <FilterButtons clearHref="/operations" clearLabel="Clear" active={filtered} />
      </form>
      <div className="stack" style={{ gap: 24 }}>
        <section className="stack" aria-labelledby="operations-active">
          <h2 id="operations-active" style={{ margin: 0 }}>
            Running and waiting <span className="muted">({active.length})</span>
          </h2>
          <OperationsTable label="Operations running, queued or awaiting approval" rows={active} empty="Nothing running or waiting." />
        </section>
        <section className="stack" aria-labelledby="operations-recent">
          <h2 id="operations-recent" style={{ margin: 0 }}>
            Recent
          </h2>
          <OperationsTable label="Recent operations" rows={recent} empty="No operation has ended yet." />
        </section>
      </div>
    </>
  );
}
