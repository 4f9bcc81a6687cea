// Lets components read live windows straight from the query cache with
// useSyncExternalStore, without a QueryObserver per subject: a dashboard
// follows dozens of subjects and only needs to know when one changed.
import type { QueryClient } from "@tanstack/react-query";
import { emptyWindow, type LiveWindow } from "@/lib/metrics/live-window";
import { liveKey } from "@/lib/metrics/queries";

export type LiveWindows = ReadonlyMap<string, LiveWindow>;

const serverSnapshot: LiveWindows = new Map();

// Which subjects some mounted component shows, counted per store. The stream
// carries every subject's points (2,000 a second on a large platform); only
// these are kept, so the tab's work follows what is on screen, not the fleet.
const watched = new Map<string, number>();

export function isWatched(key: string): boolean {
  return watched.has(key);
}

function watch(keys: readonly string[]): () => void {
  for (const k of keys) watched.set(k, (watched.get(k) ?? 0) + 1);
  return () => {
    for (const k of keys) {
      const n = (watched.get(k) ?? 1) - 1;
      if (n <= 0) watched.delete(k);
      else watched.set(k, n);
    }
  };
}

export function liveWindowsStore(client: QueryClient, keys: readonly string[]) {
  const wanted = new Set(keys);
  let version = "";
  let snapshot: LiveWindows = new Map(keys.map((k) => [k, emptyWindow]));

  // dataUpdatedAt of each window: cheap to compare, so the snapshot is rebuilt only after a write.
  const versionNow = () => keys.map((k) => client.getQueryState(liveKey(k))?.dataUpdatedAt ?? 0).join(",");

  return {
    subscribe(onChange: () => void): () => void {
      const unwatch = watch(keys);
      const unsubscribe = client.getQueryCache().subscribe((event) => {
        const [root, key] = event.query.queryKey as [unknown, unknown];
        if (root === "live" && typeof key === "string" && wanted.has(key)) onChange();
      });
      return () => {
        unsubscribe();
        unwatch();
      };
    },
    getSnapshot(): LiveWindows {
      const now = versionNow();
      if (now !== version) {
        version = now;
        snapshot = new Map(keys.map((k) => [k, client.getQueryData<LiveWindow>(liveKey(k)) ?? emptyWindow]));
      }
      return snapshot;
    },
    getServerSnapshot(): LiveWindows {
      return serverSnapshot;
    },
  };
}
