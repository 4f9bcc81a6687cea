// Holding writes through a planned switchover, for an app without a pooler:
// while a hold is in force a new write waits instead of reaching a primary
// that is about to be fenced, and a write the switch breaks mid-flight waits
// too and is tried again once the app points at the new primary. The hold
// always has a bound, so a console that never releases it (a worker that
// died) cannot stall the app: at the bound every waiting write goes on.
export class WriteHold {
  private timer: NodeJS.Timeout | undefined;
  private until = 0;
  private waiters: (() => void)[] = [];
  /** Writes released so far by the bound rather than by a release (the console never came back). */
  expired = 0;

  get active(): boolean {
    return this.timer !== undefined;
  }

  /** Writes waiting now. */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Milliseconds the hold still lasts, null when none is in force. */
  remainingMs(): number | null {
    return this.timer ? Math.max(0, this.until - Date.now()) : null;
  }

  /** Starts a hold, or moves its bound (a worker that takes over holds again). */
  hold(ms: number): void {
    clearTimeout(this.timer);
    this.until = Date.now() + ms;
    this.timer = setTimeout(() => {
      this.expired += this.waiters.length;
      this.release();
    }, ms);
    this.timer.unref();
  }

  /** Lets every waiting write go on; returns how many there were. */
  release(): number {
    clearTimeout(this.timer);
    this.timer = undefined;
    const waiters = this.waiters.splice(0);
    for (const go of waiters) go();
    return waiters.length;
  }

  /** Resolves at once without a hold, else when it is released or its bound passes. */
  pass(): Promise<void> | undefined {
    if (!this.timer) return undefined;
    return new Promise((resolve) => this.waiters.push(resolve));
  }
}

/**
 * What a switchover does to a write in flight: the fenced primary refuses it
 * (read-only), ends its session, or stops. Worth one more try on the new
 * primary; any other error (a constraint, a bad query) is the write's own.
 */
export function brokenBySwitch(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string") {
    // 25006 read_only_sql_transaction; 57P01-03 shutdown / cannot connect now; class 08 connection exceptions.
    if (code === "25006" || code.startsWith("57P") || code.startsWith("08")) return true;
    if (["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT"].includes(code)) return true;
  }
  const message = error instanceof Error ? error.message : "";
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout/i.test(message);
}
