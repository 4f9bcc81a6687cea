// Rise/fall thresholds, as load balancers do for their checks: a target's
// published health changes only after `fall` consecutive worse observations
// or `rise` consecutive better ones, so one lost packet or one slow answer
// does not flap it. A target we have never heard from is UNKNOWN, and the
// first observation is taken as is (there is nothing to flap from).
import { DEFAULT_THRESHOLDS } from "@/lib/agents/timing";

// UNREACHABLE: the agent is silent while independent evidence says the
// service works (worker/agent-silence.ts); it ranks between DEGRADED and DOWN,
// so reaching it and leaving it for DOWN each take the fall threshold.
export type Health = "UP" | "DEGRADED" | "UNREACHABLE" | "DOWN" | "UNKNOWN";
export type Observed = "UP" | "DEGRADED" | "UNREACHABLE" | "DOWN";

export type Thresholds = { rise: number; fall: number };
// Defined in lib/agents/timing.ts, where the pages' help reads them.
// Automatic failover does not wait on them for a crash: it reads the
// primary's agent directly (worker/auto-failover.ts); only its slow path, for
// a silent agent, starts from the published DOWN.
export const defaultThresholds: Thresholds = DEFAULT_THRESHOLDS;

const rank: Record<Observed, number> = { UP: 0, DEGRADED: 1, UNREACHABLE: 2, DOWN: 3 };

export type Transition = { from: Health; to: Health; reasons: string[] };

export class HealthState {
  private published: Health = "UNKNOWN";
  private candidate: Observed | null = null;
  private streak = 0;

  constructor(
    private readonly thresholds: Thresholds = defaultThresholds,
    initial: Health = "UNKNOWN",
  ) {
    this.published = initial;
  }

  get health(): Health {
    return this.published;
  }

  /** Feeds one observation; returns the transition when the published health changes. */
  observe(observed: Observed, reasons: string[] = []): Transition | null {
    const from = this.published;
    if (from === "UNKNOWN") return this.publish(observed, reasons);
    if (observed === from) {
      this.candidate = null;
      this.streak = 0;
      return null;
    }
    if (observed !== this.candidate) {
      this.candidate = observed;
      this.streak = 0;
    }
    this.streak += 1;
    const needed = rank[observed] > rank[from] ? this.thresholds.fall : this.thresholds.rise;
    return this.streak >= needed ? this.publish(observed, reasons) : null;
  }

  /** Forgets everything: the next observation is taken as is. */
  reset(to: Health = "UNKNOWN"): Transition | null {
    const from = this.published;
    this.published = to;
    this.candidate = null;
    this.streak = 0;
    return from === to ? null : { from, to, reasons: [] };
  }

  private publish(to: Observed, reasons: string[]): Transition | null {
    const from = this.published;
    this.published = to;
    this.candidate = null;
    this.streak = 0;
    return from === to ? null : { from, to, reasons };
  }
}
