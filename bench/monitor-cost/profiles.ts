// --cpu-prof: where the worker's time went, from the .cpuprofile files it
// writes on exit, counting only the samples taken inside the measured windows
// (start-up and warm-up would otherwise dominate): self time by module and by
// function, and the inclusive time of this repository's functions.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { f, REPO, table } from "../common";

type CpuProfile = {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
};

function category(url: string, fn: string): string {
  if (fn === "(garbage collector)") return "GC";
  if (fn === "(idle)") return "(idle)";
  if (fn === "(program)") return "(program: V8/native outside JS)";
  if (!url) return "(native/builtin)";
  if (url.startsWith("wasm:")) return "wasm (Prisma query compiler)";
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return `npm:${nm[1]}`;
  if (url.startsWith("node:")) {
    const mod = url.replace(/^node:(internal\/)?/, "");
    return `node:${mod.split("/").slice(0, 2).join("/")}`;
  }
  const rel = url.replace(/^file:\/\//, "").replace(REPO + "/", "");
  return rel.split("/").slice(0, 2).join("/");
}

/** The summary as text, one section per profile file in dir; windows are process.hrtime spans (ns). */
export function summarizeProfiles(dir: string, windows: [bigint, bigint][]): string {
  const files = existsSync(dir) ? readdirSync(dir).filter((x) => x.endsWith(".cpuprofile")) : [];
  if (!files.length) return `no .cpuprofile in ${dir} (did the worker exit cleanly?)`;
  const inWindow = (tUs: number) => windows.some(([a, b]) => tUs >= Number(a / 1000n) && tUs <= Number(b / 1000n));
  const out: string[] = [];
  for (const file of files) {
    const prof = JSON.parse(readFileSync(path.join(dir, file), "utf8")) as CpuProfile;
    const byId = new Map(prof.nodes.map((n) => [n.id, n]));
    const selfByFn = new Map<string, number>();
    const selfByCat = new Map<string, number>();
    const inclusive = new Map<string, number>();
    const parent = new Map<number, number>();
    for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    let t = prof.startTime;
    let total = 0;
    let busy = 0;
    for (let i = 0; i < prof.samples.length; i++) {
      const dt = prof.timeDeltas[i] ?? 0;
      t += dt;
      if (!inWindow(t)) continue;
      const node = byId.get(prof.samples[i]!)!;
      const { functionName, url, lineNumber } = node.callFrame;
      const cat = category(url, functionName);
      total += dt;
      if (cat !== "(idle)") busy += dt;
      selfByCat.set(cat, (selfByCat.get(cat) ?? 0) + dt);
      const key = `${functionName || "(anonymous)"}  ${url ? url.replace(/^file:\/\//, "").replace(REPO + "/", "") + ":" + (lineNumber + 1) : ""}`;
      selfByFn.set(key, (selfByFn.get(key) ?? 0) + dt);
      // Inclusive: every function of this repo (not node_modules) on the sampled stack, once.
      const onStack = new Set<string>();
      for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
        const cf = byId.get(id)!.callFrame;
        if (cf.url.includes(REPO) && !cf.url.includes("node_modules") && !cf.url.includes("/bench/"))
          onStack.add(`${cf.functionName || "(anonymous)"}  ${cf.url.replace(/^file:\/\//, "").replace(REPO + "/", "")}`);
      }
      for (const k of onStack) inclusive.set(k, (inclusive.get(k) ?? 0) + dt);
    }
    if (busy < 0.01 * total) {
      out.push(`${file}: idle inside the windows (another thread: tsx's module-hooks thread)`);
      continue;
    }
    const top = (m: Map<string, number>, n: number) =>
      [...m]
        .filter(([k]) => !k.startsWith("(idle)"))
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)
        .map(([k, v]) => [k, f(v / 1e6, 2), f((100 * v) / busy, 1) + "%"]);
    out.push(`${file}: ${f(total / 1e6, 1)} s of wall time sampled inside the windows, ${f(busy / 1e6, 1)} s busy (not idle)`);
    out.push("self time by module (share of busy):");
    out.push(table(["module", "s", "share"], top(selfByCat, 20)));
    out.push("self time by function, top 25:");
    out.push(table(["function  location", "s", "share"], top(selfByFn, 25)));
    out.push("inclusive time of this repo's functions (synchronous stacks only: work after an await is not under its caller), top 20:");
    out.push(table(["function  file", "s", "share"], top(inclusive, 20)));
  }
  return out.join("\n");
}
