// The setTimeout the Wasm engine is given. The engine arms timers it never
// clears (its glue has no clearTimeout import), e.g. a 10 s timeout around the
// migration advisory lock, which would keep the process alive ~10 s after
// every call. Timers stay referenced while an engine call is in flight and
// are unref'd once none is (panics.ts says when, around each call).

const wasmTimers = new Set<NodeJS.Timeout>();
let held = false;

export function trackedSetTimeout(callback: () => void, ms: number): NodeJS.Timeout {
  const timer: NodeJS.Timeout = setTimeout(() => {
    wasmTimers.delete(timer);
    callback();
  }, ms >>> 0);
  if (!held) timer.unref();
  else wasmTimers.add(timer);
  return timer;
}

/** The first engine call started: its timers keep the process alive. */
export function holdWasmTimers(): void {
  held = true;
}

/** The last engine call ended: no timer of the engine keeps the process alive any more. */
export function releaseWasmTimers(): void {
  held = false;
  for (const timer of wasmTimers) timer.unref();
  wasmTimers.clear();
}
