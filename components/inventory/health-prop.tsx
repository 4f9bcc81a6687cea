// A subject's health on its page: the state, why (the reasons of its latest
// health event), and how the worker decides it, with the figures taken from
// the constants the worker runs on (lib/agents/timing.ts).
import { StatusBadge } from "@/components/ui/badge";
import { Time } from "@/components/ui/time";
import { latestHealthEvent, type EventView } from "@/lib/events/service";
import { DEFAULT_THRESHOLDS, HANG_DETECTION_MS, HEARTBEAT_TIMEOUT_MS, SILENT_JUDGE_EVERY_MS } from "@/lib/agents/timing";

const seconds = (ms: number) => `${(ms / 1000).toLocaleString("en", { maximumFractionDigits: 1 })} s`;

function reasonsOf(event: EventView): string[] {
  const reasons = (event.data as { reasons?: unknown } | null)?.reasons;
  return Array.isArray(reasons) && reasons.length > 0 ? reasons.map(String) : [event.message];
}

/** The Health line of a Details list (a <dl>): badge, latest reason and when it changed. */
export async function HealthProp({ subjectType, id, health }: { subjectType: EventView["subjectType"]; id: string; health: string }) {
  const event = await latestHealthEvent(subjectType, id);
  return (
    <>
      <dt>Health</dt>
      <dd data-testid="health-prop">
        <StatusBadge value={health} />
        {event && (
          <span className="muted" data-testid="health-reason">
            {" "}
            — {reasonsOf(event).join("; ")} (since <Time value={event.at} />)
          </span>
        )}
      </dd>
    </>
  );
}

/** What "Agent unreachable" and "Down" mean, and how fast each is seen. */
export function HealthHelp() {
  const { rise, fall } = DEFAULT_THRESHOLDS;
  return (
    <details className="card" data-testid="health-help">
      <summary>How health is decided</summary>
      <p>
        Each agent streams a report every second. A subject&apos;s health changes after {fall} consecutive worse observations, and comes back after {rise}{" "}
        better ones, so one lost report does not flap it. A crashed service is seen at its agent&apos;s next check and confirmed at once by a second one: Down
        well under a second after that check.
      </p>
      <p>
        An agent that stops answering is noticed after {seconds(HEARTBEAT_TIMEOUT_MS)} without a report (at once when its port refuses). The worker then asks
        for evidence of its own every {seconds(SILENT_JUDGE_EVERY_MS)}: the load balancer&apos;s health check of an app node, or a TCP connection to the
        service&apos;s port. While that passes, the subject is <strong>Agent unreachable</strong> — the service works, the console cannot manage it — about{" "}
        {seconds(HANG_DETECTION_MS)} after its agent hung; when it fails too, <strong>Down</strong>.
      </p>
    </details>
  );
}
