// The pieces of a list page's filter form (a GET form: the filters live in
// the URL, so an incident view can be shared as a link).
import Link from "next/link";

/** A labelled input of a filter form. */
export function FilterInput({ id, label, ...input }: { id: string; label: string } & Omit<React.InputHTMLAttributes<HTMLInputElement>, "id" | "className">) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <input id={id} className="input" {...input} />
    </div>
  );
}

/** A labelled select of a filter form; its first option ("All …", "Any …") means no filter. */
export function FilterSelect({
  id,
  label,
  name,
  value,
  anyLabel,
  options,
}: {
  id: string;
  label: string;
  name: string;
  value?: string;
  anyLabel: string;
  options: readonly { value: string; label: string }[];
}) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <select id={id} className="input" name={name} defaultValue={value ?? ""}>
        <option value="">{anyLabel}</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "Apply filters", and while any filter is on, a link back to the unfiltered list. */
export function FilterButtons({ clearHref, clearLabel, active }: { clearHref: string; clearLabel: string; active: boolean }) {
  return (
    <>
      <button type="submit" className="btn">
        Apply filters
      </button>
      {active && (
        <Link className="btn" href={clearHref}>
          {clearLabel}
        </Link>
      )}
    </>
  );
}

/** Above a list: some filters in its link were not applied, and why. */
export function FilterWarning({ children }: { children: React.ReactNode }) {
  return (
    <div className="alert alert-warn" role="status" style={{ marginBottom: 12 }}>
      {children}
    </div>
  );
}

/** The filters a list's schema refused, each with the schema's reason. */
export function InvalidFilters({ issues }: { issues: { key: string; message: string }[] }) {
  if (issues.length === 0) return null;
  return <FilterWarning>Some filters in the address were not valid and are ignored: {issues.map((i) => `${i.key} (${i.message})`).join("; ")}.</FilterWarning>;
}
