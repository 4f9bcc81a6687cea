"use client";
// Mounted once, by components/providers.tsx inside the console layout, so a
// tab holds exactly one EventSource however it navigates.
import { createContext, use, useEffect, useMemo, useRef, useState, useSyncExternalStore } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { connectLive, type LiveStatus } from "@/components/realtime/live-connection";
import { liveWindowsStore, type LiveWindows } from "@/components/realtime/live-store";
import { signInPath } from "@/lib/http/sign-out";

const StatusContext = createContext<LiveStatus>("connecting");

export function LiveProvider({ children }: { children: React.ReactNode }) {
  const client = useQueryClient();
  const router = useRouter();
  const routerRef = useRef(router);
  const [status, setStatus] = useState<LiveStatus>("connecting");

  useEffect(() => {
    routerRef.current = router;
  }, [router]);

  useEffect(() => {
    const connection = connectLive({
      client,
      refresh: () => routerRef.current.refresh(),
      onStatus: setStatus,
      onEnd: (why) => {
        // A full navigation on purpose: the session is gone, so is every cached query.
        window.location.assign(signInPath(window.location.pathname + window.location.search, why));
      },
    });
    return () => connection.close();
  }, [client]);

  return <StatusContext value={status}>{children}</StatusContext>;
}

/** "connecting" until the stream first opens, then "live" or "reconnecting". */
export function useLiveStatus(): LiveStatus {
  return use(StatusContext);
}

/** The live windows of several subjects ("NODE:<id>", …), re-rendering when one of them gets points. */
export function useLiveWindows(keys: readonly string[]): LiveWindows {
  const client = useQueryClient();
  const signature = keys.join("\n");
  const store = useMemo(() => liveWindowsStore(client, signature ? signature.split("\n") : []), [client, signature]);
  return useSyncExternalStore(store.subscribe, store.getSnapshot, store.getServerSnapshot);
}
