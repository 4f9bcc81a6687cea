// The baseline: Prometheus (the Debian package, installed if missing)
// scraping the same N agents' /metrics every second, and the few HTTP reads
// the benchmark makes of it (targets up, its own scrape-interval quantiles
// and samples appended).
import { spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { spawnWithNofile } from "../common";
import type { Lifecycle } from "./lifecycle";

export const DEFAULT_PROM_BIN = "/usr/bin/prometheus";

/** Installs the Debian package when the default binary is missing; returns "prometheus <version>". */
export function ensurePrometheus(promBin: string): string {
  if (!existsSync(promBin)) {
    if (promBin !== DEFAULT_PROM_BIN) throw new Error(`${promBin} does not exist`);
    console.log("installing Prometheus (apt-get install -y --no-install-recommends prometheus)…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    spawnSync("apt-get", ["update", "-qq"], { stdio: "inherit", env });
    const r = spawnSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", "prometheus"], { stdio: "inherit", env });
    if (r.status !== 0 || !existsSync(promBin)) throw new Error("could not install prometheus");
    // The package may try to start its own service (denied without an init system): note it if one runs.
  }
  return (spawnSync(promBin, ["--version"], { encoding: "utf8" }).stdout.split("\n")[0] ?? "?").replace(/^prometheus, version (\S+).*/, "prometheus $1");
}

export type Prometheus = {
  pid: number;
  exitCode: () => number | null;
  /** The first value of an instant query (NaN when there is none). */
  query: (q: string) => Promise<number>;
  /** Prometheus' own scrape-interval quantiles and samples appended so far. */
  selfMetrics: () => Promise<{ intervalP50: number; intervalP99: number; appended: number }>;
  targetsUp: () => Promise<number>;
};

/** Starts Prometheus scraping the agents on `ports` (scrape_interval 1s, scrape_timeout 900ms) and waits until it is ready. */
export async function startPrometheus(run: Lifecycle, opts: { promBin: string; ports: number[]; metricsToken: string; nofile: number }): Promise<Prometheus> {
  const { freePort } = await import("@/lab/ports");
  const promPort = await freePort();
  const promDir = path.join(run.tmp, "prometheus");
  mkdirSync(path.join(promDir, "data"), { recursive: true });
  const promConfig = [
    "global:",
    "  scrape_interval: 1s",
    "  scrape_timeout: 900ms",
    "  evaluation_interval: 1m",
    "scrape_configs:",
    "  - job_name: clusterdeck-agents",
    "    authorization:",
    "      type: Bearer",
    `      credentials_file: ${path.join(promDir, "agent-metrics.token")}`,
    "    static_configs:",
    "      - targets:",
    ...opts.ports.map((p) => `          - 127.0.0.1:${p}`),
    "",
  ].join("\n");
  // Agents keep /metrics closed without a token: Prometheus scrapes with one, as it would in production.
  writeFileSync(path.join(promDir, "agent-metrics.token"), opts.metricsToken, { mode: 0o600 });
  writeFileSync(path.join(promDir, "prometheus.yml"), promConfig);
  const promLog = createWriteStream(path.join(run.tmp, "prometheus.log"));
  const prom = run.adopt(
    "prometheus",
    spawnWithNofile(
      opts.nofile,
      opts.promBin,
      [
        `--config.file=${path.join(promDir, "prometheus.yml")}`,
        `--storage.tsdb.path=${path.join(promDir, "data")}`,
        "--storage.tsdb.retention.time=1h",
        `--web.listen-address=127.0.0.1:${promPort}`,
        "--log.level=warn",
      ],
      { cwd: promDir, stdio: ["ignore", "pipe", "pipe"] },
    ),
  );
  prom.stdout!.pipe(promLog);
  prom.stderr!.pipe(promLog);
  const promUrl = `http://127.0.0.1:${promPort}`;
  const promGet = async (p: string) => {
    const res = await fetch(promUrl + p, { signal: AbortSignal.timeout(10_000) });
    if (!res.ok) throw new Error(`Prometheus ${p}: ${res.status}`);
    return res;
  };
  for (let i = 0; ; i++) {
    if (prom.exitCode !== null)
      throw new Error(`Prometheus exited (${prom.exitCode}):\n${readFileSync(path.join(run.tmp, "prometheus.log"), "utf8").slice(-2000)}`);
    const ok = await promGet("/-/ready").then(
      () => true,
      () => false,
    );
    if (ok) break;
    if (i > 120) throw new Error("Prometheus did not become ready");
    await sleep(500);
  }
  console.log(`Prometheus pid ${prom.pid} on ${promUrl}, scraping ${opts.ports.length} targets every 1 s`);
  return {
    pid: prom.pid!,
    exitCode: () => prom.exitCode,
    query: async (q) => {
      const body = (await (await promGet(`/api/v1/query?query=${encodeURIComponent(q)}`)).json()) as { data: { result: { value: [number, string] }[] } };
      return Number(body.data.result[0]?.value[1] ?? NaN);
    },
    selfMetrics: async () => {
      const text = await (await promGet("/metrics")).text();
      const get = (re: RegExp) => Number(re.exec(text)?.[1] ?? NaN);
      return {
        intervalP50: get(/^prometheus_target_interval_length_seconds\{interval="1s",quantile="0.5"\} (\S+)$/m),
        intervalP99: get(/^prometheus_target_interval_length_seconds\{interval="1s",quantile="0.99"\} (\S+)$/m),
        appended: get(/^prometheus_tsdb_head_samples_appended_total(?:\{[^}]*\})? (\S+)$/m),
      };
    },
    targetsUp: async () => {
      const body = (await (await promGet("/api/v1/targets?state=active")).json()) as { data: { activeTargets: { health: string }[] } };
      return body.data.activeTargets.filter((t) => t.health === "up").length;
    },
  };
}
