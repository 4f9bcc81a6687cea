// The frame every chart sits in: a title, a summary for screen readers, and
// one explicit state — loading, error, empty or the chart itself.
import { useId } from "react";

export const EMPTY_MESSAGE = "No samples yet — agents report every second; stored samples appear after ~10 s";

export type ChartState =
  { kind: "loading" } | { kind: "error"; message: string; onRetry?: () => void } | { kind: "empty"; message?: string } | { kind: "ready" };

export function ChartFrame({
  title,
  summary,
  state,
  height,
  note,
  children,
}: {
  title: string;
  /** What the chart shows now, in words (latest values); read by screen readers instead of the drawing. */
  summary?: string;
  state: ChartState;
  height: number;
  /** A small line under the title (units, a stale-data warning). */
  note?: React.ReactNode;
  children?: React.ReactNode;
}) {
  const id = useId();
  return (
    <figure className="card" aria-labelledby={`${id}-title`} aria-busy={state.kind === "loading"} style={{ margin: 0, minWidth: 0 }} data-testid="chart">
      <figcaption style={{ marginBottom: 8 }}>
        <h3 id={`${id}-title`} style={{ fontSize: 14, margin: 0 }}>
          {title}
        </h3>
        {note && (
          <div className="muted" style={{ fontSize: 12.5 }}>
            {note}
          </div>
        )}
      </figcaption>
      {state.kind === "loading" && (
        <>
          <div className="skeleton" style={{ height }} aria-hidden="true" />
          <span className="sr-only">Loading {title.toLowerCase()}…</span>
        </>
      )}
      {state.kind === "error" && (
        <div className="stack" style={{ minHeight: height, justifyContent: "center", alignItems: "center", textAlign: "center" }}>
          <span className="alert alert-error">Could not load the samples: {state.message}</span>
          {state.onRetry && (
            <button type="button" className="btn btn-sm" onClick={state.onRetry}>
              Retry
            </button>
          )}
        </div>
      )}
      {state.kind === "empty" && (
        <div className="empty" style={{ minHeight: height, display: "grid", placeItems: "center", padding: 16 }}>
          {state.message ?? EMPTY_MESSAGE}
        </div>
      )}
      {state.kind === "ready" && (
        <>
          {summary && <p className="sr-only">{summary}</p>}
          <div aria-hidden={summary ? true : undefined}>{children}</div>
        </>
      )}
    </figure>
  );
}
