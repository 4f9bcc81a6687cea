#!/usr/bin/env node
// Fails when the rooms of lib/ import each other in a circle. A room is a
// folder of lib/ (lib/config/…) or a file at its top (lib/db.ts, which joins
// lib/db/). Rooms form layers: the base (http, common, db, env, log…) imports
// no domain; domains import the base and lower domains; lib/api (contract,
// handler, OpenAPI) sits on top and imports them all. A domain's React Query
// hooks (lib/<domain>/queries.ts) are a room of their own above lib/api: they
// call routes through the contract. Type-only imports count:
// a cycle of types is still two rooms that lean on each other.
// Run by npm test; `node scripts/check-cycles.mjs`.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const folder = path.join(root, "lib");
const skip = new Set(["generated", "node_modules"]);

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    if (skip.has(name)) return [];
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return files(full);
    return /\.(ts|tsx|mts|mjs)$/.test(name) && !/\.test\.tsx?$/.test(name) && !name.endsWith(".d.ts") && !name.endsWith(".d.mts") ? [full] : [];
  });
}

function resolve(from, spec) {
  const base = spec.startsWith("@/") ? path.join(root, spec.slice(2)) : spec.startsWith(".") ? path.resolve(path.dirname(from), spec) : null;
  if (!base) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, `${base}.mts`, `${base}.mjs`, path.join(base, "index.ts")]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return null;
}

const importPattern = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s+["']([^"']+)["']/g;
const roomOf = (file) => {
  const room = path
    .relative(folder, file)
    .split(path.sep)[0]
    .replace(/\.(ts|tsx|mts|mjs)$/, "");
  return /^queries\.tsx?$/.test(path.basename(file)) ? `${room}/queries` : room;
};
const graph = new Map();
/** Why room a leans on room b: the first import seen, for the message. */
const because = new Map();
for (const file of files(folder)) {
  const text = readFileSync(file, "utf8");
  const room = roomOf(file);
  if (!graph.has(room)) graph.set(room, new Set());
  for (const m of text.matchAll(importPattern)) {
    const target = resolve(file, m[1] ?? m[2] ?? m[3]);
    if (!target || !target.startsWith(folder + path.sep)) continue;
    const other = roomOf(target);
    if (other === room) continue;
    graph.get(room).add(other);
    if (!because.has(`${room}>${other}`)) because.set(`${room}>${other}`, `${path.relative(root, file)} → ${path.relative(root, target)}`);
  }
}

// Tarjan's strongly connected components: every component of more than one module is a cycle.
let index = 0;
const stack = [];
const meta = new Map();
const cycles = [];
function visit(v) {
  meta.set(v, { index, low: index, onStack: true });
  index++;
  stack.push(v);
  for (const w of graph.get(v) ?? []) {
    if (!meta.has(w)) {
      visit(w);
      meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).low);
    } else if (meta.get(w).onStack) meta.get(v).low = Math.min(meta.get(v).low, meta.get(w).index);
  }
  if (meta.get(v).low === meta.get(v).index) {
    const component = [];
    let w;
    do {
      w = stack.pop();
      meta.get(w).onStack = false;
      component.push(w);
    } while (w !== v);
    if (component.length > 1 || graph.get(v)?.has(v)) cycles.push(component);
  }
}
for (const v of graph.keys()) if (!meta.has(v)) visit(v);

if (cycles.length) {
  console.error(`${cycles.length} import cycle(s) between the rooms of lib/:`);
  for (const c of cycles) {
    console.error(`  ${c.sort().join(" ↔ ")}`);
    for (const a of c) for (const b of c) if (because.has(`${a}>${b}`)) console.error(`      ${because.get(`${a}>${b}`)}`);
  }
  process.exit(1);
}
console.log(`no import cycle between the ${graph.size} rooms of lib/`);
