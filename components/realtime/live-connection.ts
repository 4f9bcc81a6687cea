// The tab's one connection to the event stream (api.stream), and what each message does to
// the client's caches. Kept out of React: the provider owns one of these for
// the life of the console layout.
//
//   event, changed → invalidate the query keys they make stale (needs attention
//                    on every one: it spans subjects, operations and drift),
//                    and refresh server-rendered pages (at most once a second)
//   metrics        → append to the bounded live window of each subject a
//                    mounted component shows (others are dropped)
//                    (setQueryData(["live", key])), at most once a second,
//                    and not at all while the tab is hidden (buffered instead)
//   resync         → we missed messages: invalidate everything, refresh
//   end            → the session is over: go and sign in (saying why, when the
//                    server said: idle, expired…)
//
// The browser reconnects an EventSource on its own after a network error and
// sends Last-Event-ID, so missed events are replayed by the server. It gives up
// on an HTTP error (a 401 after the session expired, a 5xx during a deploy);
// then we ask api.me whether the session still counts and either go to
// the sign-in page or open a new stream ourselves, with the last id we saw.
import type { QueryClient } from "@tanstack/react-query";
import { notifyManager } from "@tanstack/react-query";
import { api } from "@/lib/api/contract";
import { routeUrl } from "@/lib/api/client";
import { eventKeys } from "@/lib/events/queries";
import { operationKeys } from "@/lib/operations/queries";
import { configKeys } from "@/lib/config/queries";
import { attentionKeys } from "@/lib/attention/queries";
import type { MetricPoint } from "@/lib/realtime/messages";
import { inventoryKeys, type InventoryEntity } from "@/lib/inventory/queries";
import { appendToWindow, groupByKey, LIVE_MAX_POINTS, type LiveWindow } from "@/lib/metrics/live-window";
import { liveKey } from "@/lib/metrics/queries";
import { createThrottle } from "@/lib/metrics/throttle";
import { isWatched } from "@/components/realtime/live-store";
import { isSignOutCode, type SignOutCode } from "@/lib/http/sign-out";

export type LiveStatus = "connecting" | "live" | "reconnecting";

const entityOf: Partial<Record<string, InventoryEntity>> = {
  NODE: "nodes",
  LOAD_BALANCER: "load-balancers",
  DATABASE: "databases",
  POOLER: "poolers",
  CLUSTER: "clusters",
};

type Options = {
  client: QueryClient;
  /** router.refresh() of the current page. */
  refresh: () => void;
  onStatus: (status: LiveStatus) => void;
  /** The session has ended (why, when the server said). */
  onEnd: (why?: SignOutCode) => void;
};

const REFRESH_EVERY_MS = 1000;
const FLUSH_EVERY_MS = 1000;
const RETRY_MIN_MS = 2000;
const RETRY_MAX_MS = 30_000;

export function connectLive({ client, refresh: refreshPage, onStatus, onEnd }: Options): { close: () => void } {
  let source: EventSource | null = null;
  let closed = false;
  let lastEventId: string | null = null;
  // The page was rendered, and its queries fetched, before the stream first opened: a change in
  // between was notified to nobody. So the first open catches up as a reconnect does.
  let interrupted = true;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let retryDelay = RETRY_MIN_MS;
  const pending = new Map<string, MetricPoint[]>();

  const refresh = createThrottle(() => {
    if (!closed) refreshPage();
  }, REFRESH_EVERY_MS);

  const invalidate = (queryKey: readonly unknown[]) => void client.invalidateQueries({ queryKey });

  function staleFor(subjectType: string | undefined) {
    invalidate(inventoryKeys.summary);
    const entity = subjectType ? entityOf[subjectType] : undefined;
    // Unknown subjects: refetch all inventory rather than miss something.
    invalidate(entity ? inventoryKeys.entity(entity) : inventoryKeys.all);
  }

  function resync() {
    void client.invalidateQueries({ predicate: (q) => q.queryKey[0] !== "live" });
    refresh();
  }

  // ---------------------------------------------------------------- metrics

  const flush = createThrottle(() => {
    if (closed || pending.size === 0) return;
    // A hidden tab draws nothing: keep the points and write them when it is seen again.
    if (typeof document !== "undefined" && document.hidden) return;
    const batch = [...pending];
    pending.clear();
    notifyManager.batch(() => {
      for (const [key, points] of batch) client.setQueryData<LiveWindow>(liveKey(key), (old) => appendToWindow(old, points));
    });
  }, FLUSH_EVERY_MS);

  function onVisibility() {
    if (!document.hidden) flush();
  }

  function onMetrics(e: MessageEvent<string>) {
    let points: unknown;
    try {
      points = JSON.parse(e.data);
    } catch {
      return;
    }
    if (!Array.isArray(points)) return;
    for (const [key, list] of groupByKey(points as MetricPoint[])) {
      if (!isWatched(key)) continue; // nothing on screen shows it
      const buffered = pending.get(key);
      if (!buffered) pending.set(key, list);
      else {
        buffered.push(...list);
        // Bounded while hidden, too: the window would drop these anyway.
        if (buffered.length > 2 * LIVE_MAX_POINTS) buffered.splice(0, buffered.length - LIVE_MAX_POINTS);
      }
    }
    flush();
  }

  // ---------------------------------------------------------------- events

  function onEvent(e: MessageEvent<string>) {
    if (e.lastEventId) lastEventId = e.lastEventId;
    let subjectType: string | undefined;
    try {
      subjectType = (JSON.parse(e.data) as { subjectType?: string }).subjectType;
    } catch {
      subjectType = undefined;
    }
    invalidate(eventKeys.all);
    invalidate(attentionKeys.all);
    staleFor(subjectType);
    refresh();
  }

  function onChanged(e: MessageEvent<string>) {
    let subject: string | undefined;
    try {
      subject = (JSON.parse(e.data) as { subject?: string }).subject;
    } catch {
      subject = undefined;
    }
    invalidate(attentionKeys.all);
    if (subject === "EVENT") invalidate(eventKeys.all);
    else if (subject === "OPERATION" || subject === "CONFIG") {
      invalidate(operationKeys.all);
      invalidate(configKeys.all);
    } else staleFor(subject);
    refresh();
  }

  /** Why the session ended, from an `end` message or a 401 problem: `{ sessionEnded: "idle" }`. */
  function endedCode(text: string | null | undefined): SignOutCode | undefined {
    try {
      const code = (JSON.parse(text ?? "") as { sessionEnded?: unknown }).sessionEnded;
      return isSignOutCode(code) ? code : undefined;
    } catch {
      return undefined;
    }
  }

  function end(why?: SignOutCode) {
    close();
    onEnd(why);
  }

  // ---------------------------------------------------------------- connection

  function open() {
    if (closed) return;
    retryTimer = null;
    const es = new EventSource(routeUrl(api.stream, undefined, lastEventId ? { lastEventId } : undefined));
    source = es;
    es.onopen = () => {
      retryDelay = RETRY_MIN_MS;
      onStatus("live");
      // Change notices and metric points sent while we were away are not replayed.
      if (interrupted) {
        interrupted = false;
        resync();
      }
    };
    es.onerror = () => {
      if (closed) return;
      interrupted = true;
      onStatus("reconnecting");
      if (es.readyState === EventSource.CLOSED) {
        es.close();
        void recover();
      }
    };
    es.addEventListener("event", onEvent);
    es.addEventListener("changed", onChanged);
    es.addEventListener("metrics", onMetrics);
    es.addEventListener("resync", resync);
    es.addEventListener("end", (e: MessageEvent<string>) => end(endedCode(e.data)));
  }

  async function recover() {
    try {
      // A raw fetch, not callApi: a 401 here is an answer to read (why the session ended), not a failure to react to.
      const res = await fetch(routeUrl(api.me), { headers: { accept: "application/json" }, credentials: "same-origin", cache: "no-store" });
      if (res.status === 401) return end(endedCode(await res.text().catch(() => "")));
    } catch {
      // Offline or the server is down: try the stream again later.
    }
    if (closed) return;
    retryTimer = setTimeout(open, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  }

  function close() {
    if (closed) return;
    closed = true;
    source?.close();
    source = null;
    if (retryTimer) clearTimeout(retryTimer);
    refresh.cancel();
    flush.cancel();
    if (typeof document !== "undefined") document.removeEventListener("visibilitychange", onVisibility);
  }

  if (typeof document !== "undefined") document.addEventListener("visibilitychange", onVisibility);
  open();
  return { close };
}
