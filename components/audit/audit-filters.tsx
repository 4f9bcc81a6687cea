import Link from "next/link";
import { outcomeValues, subjectTypeValues } from "@/lib/audit/schemas";
import type { AuditFilters as Filters } from "@/components/audit/audit-query";

const words = (v: string) => (v === "API_TOKEN" ? "API token" : v.charAt(0) + v.slice(1).toLowerCase().replaceAll("_", " "));

/** A plain GET form: the filters end up in the URL, so an incident view can be shared as a link. */
export function AuditFilters({ form }: { form: Filters["form"] }) {
  const any = Object.values(form).some(Boolean);
  return (
    <form className="filters" method="get" action="/audit" role="search" aria-label="Filter the audit trail">
      <div className="field">
        <label htmlFor="audit-q">Search</label>
        <input id="audit-q" className="input" name="q" type="search" defaultValue={form.q} placeholder="Action, actor or reason" maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor="audit-action">Action</label>
        <input id="audit-action" className="input" name="action" defaultValue={form.action} placeholder="e.g. node.drain" maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor="audit-actor">Actor</label>
        <input id="audit-actor" className="input" name="actor" defaultValue={form.actor} placeholder="Email or token" maxLength={254} />
      </div>
      <div className="field">
        <label htmlFor="audit-target-type">Target type</label>
        <select id="audit-target-type" className="input" name="targetType" defaultValue={form.targetType ?? ""}>
          <option value="">Any target</option>
          {subjectTypeValues.map((t) => (
            <option key={t} value={t}>
              {words(t)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-target-id">Target id</label>
        <input id="audit-target-id" className="input" name="targetId" defaultValue={form.targetId} maxLength={64} />
      </div>
      <div className="field">
        <label htmlFor="audit-outcome">Outcome</label>
        <select id="audit-outcome" className="input" name="outcome" defaultValue={form.outcome ?? ""}>
          <option value="">Any outcome</option>
          {outcomeValues.map((o) => (
            <option key={o} value={o}>
              {words(o)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-from">From (UTC)</label>
        <input id="audit-from" className="input" name="from" type="datetime-local" defaultValue={form.from} />
      </div>
      <div className="field">
        <label htmlFor="audit-to">To (UTC)</label>
        <input id="audit-to" className="input" name="to" type="datetime-local" defaultValue={form.to} />
      </div>
      {form.pageSize && <input type="hidden" name="pageSize" value={form.pageSize} />}
      <button type="submit" className="btn">
        Apply filters
      </button>
      {any && (
        <Link className="btn" href="/audit">
          Clear
        </Link>
      )}
    </form>
  );
}
