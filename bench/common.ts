// /proc readings and small statistics shared by the benchmarks (Linux only).
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

export const CLK_TCK = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout.trim()) || 100;

export function procStat(pid: number): { utime: number; stime: number; cutime: number; cstime: number; ppid: number } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may hold spaces and parentheses: fields start after the last ')'.
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    // f[0] is field 3 (state); utime is field 14 → f[11].
    return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), cutime: Number(f[13]), cstime: Number(f[14]) };
  } catch {
    return null;
  }
}

/** CPU seconds (user + system, all threads) a live process has used so far. */
export function cpuSeconds(pid: number): number {
  const s = procStat(pid);
  return s ? (s.utime + s.stime) / CLK_TCK : NaN;
}

export function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** A process tree's CPU: the root's own and reaped children's time, plus its live children's. */
export function treeCpuSeconds(root: number): number {
  const rootStat = procStat(root);
  if (!rootStat) return NaN;
  let ticks = rootStat.utime + rootStat.stime + rootStat.cutime + rootStat.cstime;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const s = procStat(Number(entry));
    if (s && s.ppid === root) ticks += s.utime + s.stime;
  }
  return ticks / CLK_TCK;
}

export function hostCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0]!;
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export function nofileLimits(): { soft: number; hard: number } {
  const line = readFileSync("/proc/self/limits", "utf8")
    .split("\n")
    .find((l) => l.startsWith("Max open files"))!;
  const [soft, hard] = line
    .replace("Max open files", "")
    .trim()
    .split(/\s+/)
    .map((x) => (x === "unlimited" ? Infinity : Number(x)));
  return { soft: soft!, hard: hard! };
}

/** Spawns with at least `need` file descriptors (soft limit raised via the shell when needed). */
export function spawnWithNofile(need: number, cmd: string, args: string[], options: Parameters<typeof spawn>[2]): ChildProcess {
  const { soft, hard } = nofileLimits();
  if (soft >= need) return spawn(cmd, args, options);
  if (hard < need)
    throw new Error(`${path.basename(cmd)} needs ~${need} file descriptors but the hard limit is ${hard}: raise it (ulimit -Hn) or run fewer agents`);
  return spawn("/bin/sh", ["-c", `ulimit -n ${need} && exec "$0" "$@"`, cmd, ...args], options);
}

export function findPostmaster(port: number): number | null {
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const argv = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (path.basename(argv[0] ?? "") === "postgres" && argv.includes("-p") && argv[argv.indexOf("-p") + 1] === String(port)) return Number(entry);
    } catch {}
  }
  return null;
}

export function otherProcesses(names: string[], mine: Set<number>): string[] {
  const out: string[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry) || mine.has(Number(entry))) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, "utf8").trim();
      if (names.includes(comm)) out.push(`${comm}[${entry}]`);
    } catch {}
  }
  return out;
}

// ---------------------------------------------------------------------------
// Small statistics and formatting
// ---------------------------------------------------------------------------

export const median = (a: number[]) => {
  const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const quantile = (a: number[], q: number) => {
  const s = a.filter((x) => Number.isFinite(x)).sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]! : NaN;
};
export const max = (a: number[]) => a.reduce((m, x) => (Number.isFinite(x) && x > m ? x : m), -Infinity);
export const min = (a: number[]) => a.reduce((m, x) => (Number.isFinite(x) && x < m ? x : m), Infinity);
export const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : "n/a");
export const pad = (s: string, w: number) => (s.length >= w ? s : " ".repeat(w - s.length) + s);

export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : pad(c, widths[i]!))).join("  ");
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}
