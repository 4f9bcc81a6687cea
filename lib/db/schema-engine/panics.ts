// A Rust panic inside the Wasm engine, turned into a rejected call instead of
// a dead process and a call pending forever.
//
// wasm-bindgen's panic hook reports the panic message through
// `globalThis.PRISMA_WASM_PANIC_REGISTRY.set_message()` (Prisma's CLI installs
// such a registry too); without one, a panic surfaces as a TypeError and the
// message is lost. The trap itself is thrown from a wasm-bindgen-futures
// microtask, so it is an *uncaught exception*: while engine calls are in
// flight, a process hook swallows exactly those traps. After a panic the
// instance is unusable; wasm-module.ts listens (onPanic) and reloads it.
import { holdWasmTimers, releaseWasmTimers } from "./wasm-timers";

const panicWaiters = new Set<(message: string) => void>();
const panicListeners = new Set<(message: string) => void>();
let panicsSeen = 0;
const OURS = Symbol.for("clusterdeck.schemaEngine.panicRegistry");

/** Called on every panic, before the calls in flight are rejected. */
export function onPanic(listener: (message: string) => void): void {
  panicListeners.add(listener);
}

/** Installs our registry once, chained to any registry already there. */
export function installPanicRegistry() {
  type Registry = { set_message(m: string): void; get?(): string; [OURS]?: true };
  const g = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: Registry };
  const previous = g.PRISMA_WASM_PANIC_REGISTRY;
  if (previous?.[OURS]) return;
  let last = "";
  g.PRISMA_WASM_PANIC_REGISTRY = {
    [OURS]: true,
    set_message(message: string) {
      last = message;
      panicsSeen++;
      for (const listener of panicListeners) listener(message);
      for (const notify of panicWaiters) notify(message);
      previous?.set_message(message);
    },
    get: () => last,
  };
}

let activeCalls = 0;
function onUncaught(error: unknown) {
  if (error instanceof WebAssembly.RuntimeError && panicsSeen > 0) return;
  if (process.listenerCount("uncaughtException") === 1) throw error; // keep default crash
}

/**
 * Runs one engine call: rejects it with the panic message if the engine
 * panics meanwhile, and keeps the uncaught-trap hook (and the engine's
 * timers) on while any call is in flight.
 */
export async function guardPanics<T>(work: () => Promise<T>): Promise<T> {
  let notify!: (message: string) => void;
  const panicked = new Promise<never>((_, reject) => {
    notify = (message) => reject(new Error(`Prisma schema engine (wasm) panicked: ${message}`));
  });
  panicked.catch(() => {});
  panicWaiters.add(notify);
  if (activeCalls++ === 0) {
    holdWasmTimers();
    process.on("uncaughtException", onUncaught);
  }
  try {
    return await Promise.race([work(), panicked]);
  } finally {
    panicWaiters.delete(notify);
    if (--activeCalls === 0) {
      releaseWasmTimers();
      // Let a trap queued right after the panic be swallowed before unhooking.
      setImmediate(() => {
        if (activeCalls === 0) process.removeListener("uncaughtException", onUncaught);
      }).unref();
    }
  }
}
