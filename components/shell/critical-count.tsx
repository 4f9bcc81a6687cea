"use client";
// Unacknowledged CRITICAL events, beside "Events" in the navigation and in
// the tab title ("(3) Events · Clusterdeck"), so a pager-less operator sees
// them from any page and from another tab. The count is a query the live
// stream refetches on every event and acknowledgement (lib/events/queries.ts).
import { useEffect } from "react";
import { useOpenCriticalCount } from "@/lib/events/queries";

const PREFIX = /^\(\d+\) /;

/** Keeps "(n) " in front of whatever title the page sets (Next rewrites it on navigation). */
function useTitlePrefix(count: number | null) {
  useEffect(() => {
    const apply = () => {
      const base = document.title.replace(PREFIX, "");
      const wanted = count ? `(${count}) ${base}` : base;
      if (document.title !== wanted) document.title = wanted;
    };
    apply();
    const observer = new MutationObserver(apply);
    observer.observe(document.head, { childList: true, subtree: true, characterData: true });
    return () => {
      observer.disconnect();
      document.title = document.title.replace(PREFIX, "");
    };
  }, [count]);
}

export function CriticalCount() {
  const count = useOpenCriticalCount(true);
  useTitlePrefix(count);
  if (!count) return null;
  return (
    <span className="badge badge-down plain nav-count" data-testid="critical-count" title={`${count} unacknowledged critical event${count === 1 ? "" : "s"}`}>
      {count}
      <span className="sr-only"> unacknowledged critical</span>
    </span>
  );
}
