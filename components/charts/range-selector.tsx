"use client";
// The time range of a page's charts, kept in the URL (?range=) so an incident
// view can be shared as a link. Plain links: they work without JavaScript and
// open in a new tab.
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { metricRangeValues, parseRange, rangeSpecs, type MetricRange } from "@/lib/metrics/schemas";

export function useRange(): MetricRange {
  return parseRange(useSearchParams().get("range"));
}

export function RangeSelector({ label = "Time range" }: { label?: string }) {
  const pathname = usePathname();
  const params = useSearchParams();
  const current = parseRange(params.get("range"));
  return (
    <nav aria-label={label} className="row" style={{ gap: 4 }}>
      {metricRangeValues.map((r) => {
        const sp = new URLSearchParams(params);
        sp.set("range", r);
        const active = r === current;
        return (
          <Link
            key={r}
            href={`${pathname}?${sp.toString()}`}
            replace
            scroll={false}
            // Each would render this same page again; and router.refresh() on live events re-prefetches every link shown.
            prefetch={false}
            className={`btn btn-sm${active ? " btn-primary" : ""}`}
            aria-current={active ? "true" : undefined}
            title={`Last ${rangeSpecs[r].label}`}
          >
            {r}
          </Link>
        );
      })}
    </nav>
  );
}
