// Line diffs between two configuration texts, as hunks the UI renders and
// the API returns (their schema: configDiff in ./schemas.ts). Context of
// three lines, like `diff -u`.
import { structuredPatch } from "diff";
import type { ConfigDiff, DiffLine } from "./schemas";

export function diffConfigs(before: string, after: string, context = 3): ConfigDiff {
  const patch = structuredPatch("before", "after", before, after, "", "", { context });
  let added = 0;
  let removed = 0;
  const hunks = patch.hunks.map((h) => ({
    oldStart: h.oldStart,
    oldLines: h.oldLines,
    newStart: h.newStart,
    newLines: h.newLines,
    lines: h.lines
      .filter((l) => !l.startsWith("\\")) // "\ No newline at end of file"
      .map((l) => {
        const op = l[0] as DiffLine["op"];
        if (op === "+") added++;
        if (op === "-") removed++;
        return { op, text: l.slice(1) };
      }),
  }));
  return { identical: hunks.length === 0, added, removed, hunks };
}
