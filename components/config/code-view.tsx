// Configuration texts as people read them: with line numbers (HAProxy's
// errors name lines), and diffs as hunks with what was removed and added.
import type { ConfigDiff } from "@/lib/config/schemas";

export function NumberedText({ text, badLines = [], label }: { text: string; badLines?: number[]; label: string }) {
  const bad = new Set(badLines);
  const lines = text.endsWith("\n") ? text.slice(0, -1).split("\n") : text.split("\n");
  return (
    <pre className="code" aria-label={label} tabIndex={0}>
      {lines.map((line, i) => (
        <div key={i} className={`code-line${bad.has(i + 1) ? " bad" : ""}`} data-line={i + 1}>
          <span className="ln">{i + 1}</span>
          <span className="op">{bad.has(i + 1) ? "!" : ""}</span>
          <span>{line}</span>
        </div>
      ))}
    </pre>
  );
}

export function DiffView({ diff, label }: { diff: ConfigDiff; label: string }) {
  if (diff.identical) return <p className="muted">No difference.</p>;
  return (
    <div className="stack" style={{ gap: 4 }}>
      <p className="muted" style={{ margin: 0 }}>
        <span style={{ color: "var(--ok)" }}>+{diff.added}</span> / <span style={{ color: "var(--down)" }}>−{diff.removed}</span> lines
      </p>
      <pre className="code" aria-label={label} tabIndex={0}>
        {diff.hunks.map((h, i) => {
          let oldLine = h.oldStart;
          let newLine = h.newStart;
          return (
            <div key={i}>
              <div className="code-hunk">
                @@ −{h.oldStart},{h.oldLines} +{h.newStart},{h.newLines} @@
              </div>
              {h.lines.map((l, j) => {
                const n = l.op === "-" ? oldLine++ : l.op === "+" ? newLine++ : (oldLine++, newLine++);
                return (
                  <div key={j} className={`code-line${l.op === "+" ? " add" : l.op === "-" ? " del" : ""}`}>
                    <span className="ln">{n}</span>
                    <span className="op">{l.op === " " ? "" : l.op === "-" ? "−" : "+"}</span>
                    <span>{l.text}</span>
                  </div>
                );
              })}
            </div>
          );
        })}
      </pre>
    </div>
  );
}

/** A checksum is long; its first 12 characters tell revisions apart, the full value is on hover. */
export function Checksum({ value }: { value: string | null }) {
  if (!value) return <span className="muted">none</span>;
  return (
    <span className="mono" title={value}>
      {value.slice(0, 12)}
    </span>
  );
}
