"use client";
// The two-person rule, for admins: promotions and forced actions wait for a
// second operator or admin when it is on.
import { api } from "@/lib/api/contract";
import { useReasonedPost } from "./use-reasoned-post";

export function TwoPersonRuleToggle({ enabled }: { enabled: boolean }) {
  const { post, pending, error } = useReasonedPost(api.settings.setTwoPersonRule);
  const toggle = () => post({ enabled: !enabled }, `Reason to turn the two-person rule ${enabled ? "off" : "on"} (goes to the audit trail):`);
  return (
    <section className="card row" aria-labelledby="two-person" style={{ justifyContent: "space-between", marginBottom: 16 }}>
      <div>
        <h2 id="two-person" style={{ margin: 0, fontSize: 16 }}>
          Two-person rule: <span data-testid="two-person-state">{enabled ? "on" : "off"}</span>
        </h2>
        <p className="muted" style={{ margin: 0 }}>
          When on, a promotion or a forced drain waits until a second operator or admin approves it. Automatic failover does not wait.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="button" className="btn" disabled={pending} onClick={() => void toggle()}>
        {enabled ? "Turn off" : "Turn on"}
      </button>
    </section>
  );
}
