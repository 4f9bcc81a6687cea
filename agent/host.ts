// Host figures for the snapshot. CPU is busy time over total time across all
// cores since the previous sample, so it needs the previous sample kept.
import os from "node:os";
import type { z } from "zod";
import type { hostStatus } from "@/lib/agent-protocol/types";

export type HostStatus = z.infer<typeof hostStatus>;

function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const cpu of os.cpus()) {
    const t = cpu.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

export class HostSampler {
  private previous = cpuTimes();

  sample(): HostStatus {
    const now = cpuTimes();
    const total = now.total - this.previous.total;
    const busy = now.busy - this.previous.busy;
    this.previous = now;
    const cpu = total > 0 ? Math.min(1, Math.max(0, busy / total)) : 0;
    const memoryTotal = os.totalmem();
    const memoryUsed = Math.max(0, memoryTotal - os.freemem());
    const load1 = Math.max(0, os.loadavg()[0] ?? 0);
    return { cpu, memoryUsed, memoryTotal, load1 };
  }
}
