// Line colours that hold up on the light and the dark theme. The same subject
// gets the same colour on every chart of a page (by its place in the name
// order, not the busiest-first order, which changes as load moves). Past ten
// lines, dashes tell lines of the same colour apart.
const colors = ["#4e79a7", "#f28e2b", "#e15759", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#ff9da7", "#9c755f", "#8c8c8c"];
const dashes = [undefined, "6 3", "2 3", "8 3 2 3"];

export function lineStyle(index: number): { stroke: string; strokeDasharray?: string } {
  return { stroke: colors[index % colors.length]!, strokeDasharray: dashes[Math.floor(index / colors.length) % dashes.length] };
}

/** Index of each id in name order, for lineStyle. */
export function stableOrder(items: readonly { id: string; label: string }[]): Map<string, number> {
  const sorted = [...items].sort((a, b) => a.label.localeCompare(b.label, "en") || a.id.localeCompare(b.id));
  return new Map(sorted.map((item, i) => [item.id, i]));
}
