// Text that may be a tool's output (pg_rewind, haproxy -c, pg_basebackup):
// one line is shown as it is; several lines show the first and fold the rest
// behind a native <details>, which Enter and Space open from the keyboard.
export function FoldedText({ text, className }: { text: string; className?: string }) {
  const lines = text.replace(/\s+$/, "").split(/\r?\n/);
  if (lines.length < 2) return <span className={className}>{text}</span>;
  const rest = lines.slice(1).join("\n");
  return (
    <details className={`folded ${className ?? ""}`} data-testid="folded">
      <summary>
        <span>{lines[0]}</span>{" "}
        <span className="folded-more">
          more ({lines.length - 1} more line{lines.length === 2 ? "" : "s"})
        </span>
      </summary>
      <pre className="folded-rest">{rest}</pre>
    </details>
  );
}
