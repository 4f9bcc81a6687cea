/** A timestamp as text a person reads, with the exact ISO time on hover. */
export function Time({ value }: { value: Date | string | null | undefined }) {
  if (!value) return <span className="muted">never</span>;
  const d = typeof value === "string" ? new Date(value) : value;
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()}>
      {d.toISOString().replace("T", " ").slice(0, 19)} UTC
    </time>
  );
}
