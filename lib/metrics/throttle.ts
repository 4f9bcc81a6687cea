// At most one call per interval, and never a lost last call: the first call
// runs at once, calls during the interval collapse into one that runs when
// it ends. Used to refresh server-rendered pages on a burst of live events.
export type Throttled = { (): void; cancel: () => void };

export function createThrottle(fn: () => void, intervalMs: number, clock: () => number = Date.now): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = null;
    last = clock();
    fn();
  };
  const throttled = () => {
    if (timer) return;
    const wait = last + intervalMs - clock();
    if (wait <= 0) run();
    else timer = setTimeout(run, wait);
  };
  throttled.cancel = () => {
    if (timer) clearTimeout(timer);
    timer = null;
  };
  return throttled;
}
