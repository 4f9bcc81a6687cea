"use client";
import { useLiveStatus } from "@/components/realtime/live-provider";

const words = { connecting: "Connecting…", live: "Live", reconnecting: "Reconnecting…" } as const;
const tone = { connecting: "", live: "badge-ok", reconnecting: "badge-warn" } as const;

/** Whether this page is receiving live updates. Text says it; colour repeats it. */
export function LiveIndicator() {
  const status = useLiveStatus();
  return (
    <span
      className={`badge ${tone[status]}`}
      role="status"
      aria-live="polite"
      data-testid="live-status"
      title={status === "reconnecting" ? "The live stream dropped; reconnecting. Data on this page may be behind." : undefined}
    >
      {words[status]}
    </span>
  );
}
