// Plain-text output: aligned tables for lists, a box for things shown once.

export function formatDate(value: Date | null | undefined): string {
  if (!value) return "-";
  return value.toISOString().slice(0, 16).replace("T", " ") + "Z";
}

export function table<T>(rows: T[], columns: { header: string; value: (row: T) => string }[]): string {
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((r) => r[i]!.length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [line(columns.map((c) => c.header.toUpperCase())), ...cells.map(line)].join("\n") + "\n";
}

export function box(lines: string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const edge = "─".repeat(width + 2);
  return [`┌${edge}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${edge}┘`].join("\n") + "\n";
}

export function print(text = ""): void {
  process.stdout.write(text.endsWith("\n") ? text : text + "\n");
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, (_k, v: unknown) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
}

/** Notes about what the CLI is doing go to stderr, so stdout stays parseable. */
export function note(text: string): void {
  process.stderr.write(text.endsWith("\n") ? text : text + "\n");
}
