// How a configuration is identified everywhere: the sha256 (hex) of the exact
// bytes a target runs. The console stores it with each revision, the agent
// reports it for what it finds on disk, and a deploy only counts as done when
// the agent answers with the same value.
import { createHash } from "node:crypto";

export function configChecksum(content: string): string {
  return createHash("sha256").update(content, "utf8").digest("hex");
}

/** JSON with sorted keys and a final newline: one text, so one checksum, per value. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value), null, 2) + "\n";
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.keys(value as Record<string, unknown>)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}
