// The browser half of the idle timeout, kept out of React so it can be tested
// with fake timers (components/shell/session-keeper.tsx mounts it once per
// console tab).
//
// The idle timeout counts only what the user does, and this is the one place
// a page says so: real input (pointer down, key, wheel, touch) is reported to
// the server at most once a minute. Nothing else a page does — the live
// stream, React Query refetches, polling, prefetches, router refreshes — is
// activity: none of it comes through here, and the server counts only this
// report and changes made with the session cookie (lib/api/handler.ts).
//
// It also warns a couple of minutes before the session ends: for lack of
// activity, with a way to stay signed in; or at the absolute cap, which no
// activity extends. It asks the server again before warning, since another
// tab may have kept the session alive meanwhile; when the time is up it asks
// once more, and the 401 sends the tab to sign in (lib/http/client.ts).
import type { SessionAnswer } from "@/lib/sessions/schemas";

export const ACTIVITY_EVENTS = ["pointerdown", "keydown", "wheel", "touchstart"] as const;
export const REPORT_EVERY_MS = 60_000;
export const WARN_BEFORE_MS = 120_000;
const RETRY_MS = 30_000;

export type SessionWarning = { kind: "idle" | "cap"; at: number };

export type KeeperOptions = {
  /** GET /api/v1/session (not activity). */
  read: () => Promise<SessionAnswer>;
  /** POST /api/v1/session/activity. */
  report: () => Promise<SessionAnswer>;
  onWarning: (warning: SessionWarning | null) => void;
  /** Where input is heard (window). */
  input: Pick<EventTarget, "addEventListener" | "removeEventListener">;
  /** Where visibility changes are heard (document); optional. */
  visibility?: Pick<EventTarget, "addEventListener" | "removeEventListener"> & { visibilityState?: string };
  now?: () => number;
};

export type Keeper = {
  /** "Stay signed in": report now, unless input just did. */
  stay: () => void;
  stop: () => void;
};

export function startKeeper(options: KeeperOptions): Keeper {
  const now = options.now ?? Date.now;
  let deadlines: { idle: number; cap: number } | null = null;
  let lastReport = Number.NEGATIVE_INFINITY;
  let busy = false;
  let reportPending = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const later = (ms: number, fn: () => void) => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(fn, Math.max(0, ms));
  };

  function schedule() {
    if (stopped || !deadlines) return;
    const t = now();
    const end = Math.min(deadlines.idle, deadlines.cap);
    if (t >= end) {
      later(1000, () => void ask("read"));
    } else if (t >= end - WARN_BEFORE_MS) {
      // The server caps the idle time left at the absolute expiry: equal means the cap.
      options.onWarning({ kind: deadlines.cap <= deadlines.idle ? "cap" : "idle", at: end });
      later(end - t + 1000, () => void ask("read"));
    } else {
      options.onWarning(null);
      later(end - WARN_BEFORE_MS - t, () => void ask("read"));
    }
  }

  async function ask(what: "read" | "report"): Promise<void> {
    if (stopped) return;
    if (busy) {
      if (what === "report") reportPending = true;
      return;
    }
    busy = true;
    try {
      const answer = await (what === "read" ? options.read() : options.report());
      const s = answer?.session;
      if (s && !stopped) {
        const t = now();
        deadlines = { idle: t + s.idleSecondsLeft * 1000, cap: t + s.secondsLeft * 1000 };
        schedule();
      }
    } catch {
      // Offline, or a 401 already on its way to the sign-in page: look again later.
      later(RETRY_MS, () => void ask("read"));
    } finally {
      busy = false;
    }
    if (reportPending) {
      reportPending = false;
      await ask("report");
    }
  }

  function report() {
    lastReport = now();
    void ask("report");
  }

  const onInput = (e: Event) => {
    if (!e.isTrusted) return; // only what a person did, not a script's synthetic event
    if (now() - lastReport >= REPORT_EVERY_MS) report();
  };
  const onVisibility = () => {
    // Timers of hidden tabs run late: look again when the tab is back.
    if (options.visibility?.visibilityState === "visible") void ask("read");
  };

  for (const type of ACTIVITY_EVENTS) options.input.addEventListener(type, onInput, { capture: true, passive: true });
  options.visibility?.addEventListener("visibilitychange", onVisibility);
  void ask("read");

  return {
    stay() {
      if (now() - lastReport > 5000) report();
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      for (const type of ACTIVITY_EVENTS) options.input.removeEventListener(type, onInput, { capture: true });
      options.visibility?.removeEventListener("visibilitychange", onVisibility);
    },
  };
}
