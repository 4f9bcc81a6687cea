// Orderly shutdown on SIGINT/SIGTERM/SIGHUP: whatever a command started
// (Next child, embedded PostgreSQL, data-folder lock) registers a cleanup
// here, and a signal runs them newest first before exiting.
type Cleanup = () => Promise<void> | void;

const cleanups: Cleanup[] = [];
let shuttingDown = false;
let exitCodeOnSignal: number | undefined;

const signalNumbers = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;

/** Registers a cleanup; call the returned function once it has run normally. */
export function onShutdown(fn: Cleanup): () => void {
  cleanups.push(fn);
  return () => {
    const i = cleanups.indexOf(fn);
    if (i >= 0) cleanups.splice(i, 1);
  };
}

export function isShuttingDown(): boolean {
  return shuttingDown;
}

/** `start` exits 0 when asked to stop; other commands report the interruption (128 + signal). */
export function setExitCodeOnSignal(code: number): void {
  exitCodeOnSignal = code;
}

export async function runCleanups(): Promise<void> {
  while (cleanups.length > 0) {
    const fn = cleanups.pop()!;
    try {
      await fn();
    } catch (error) {
      process.stderr.write(`clusterdeck: cleanup failed: ${error instanceof Error ? error.message : String(error)}\n`);
    }
  }
}

export async function shutdown(exitCode: number): Promise<never> {
  shuttingDown = true;
  await runCleanups();
  return exit(exitCode);
}

/** process.exit once stdout has drained, so piped output is never cut short. */
export function exit(code: number): Promise<never> {
  return new Promise<never>(() => {
    process.stdout.write("", () => process.exit(code));
  });
}

export function installSignalHandlers(): void {
  for (const signal of Object.keys(signalNumbers) as (keyof typeof signalNumbers)[]) {
    process.on(signal, () => {
      // Ctrl-C reaches us twice (from the terminal and from the launcher): act once.
      if (shuttingDown) return;
      void shutdown(exitCodeOnSignal ?? 128 + signalNumbers[signal]);
    });
  }
}
