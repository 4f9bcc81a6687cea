"use client";
// For admins: whether the console may connect to link-local and cloud metadata
// addresses (agent URLs, probes). Off by default: such an address is where a
// cloud host hands out its credentials, so opening it is a decision with a reason.
import { api } from "@/lib/api/contract";
import { useReasonedPost } from "@/components/operations/use-reasoned-post";

export function LinkLocalToggle({ allowed }: { allowed: boolean }) {
  const { post, pending, error } = useReasonedPost(api.settings.setLinkLocalDestinations);
  const toggle = () => post({ allowed: !allowed }, `Reason to ${allowed ? "refuse" : "allow"} link-local and metadata destinations (goes to the audit trail):`);
  return (
    <section className="card row" aria-labelledby="link-local" style={{ justifyContent: "space-between", marginBottom: 16 }}>
      <div>
        <h2 id="link-local" style={{ margin: 0, fontSize: 16 }}>
          Link-local and metadata destinations: <span data-testid="link-local-state">{allowed ? "allowed" : "refused"}</span>
        </h2>
        <p className="muted" style={{ margin: 0 }}>
          When refused, the console never connects to 169.254.0.0/16, fe80::/10 (in any IPv6 form that carries them) or a cloud metadata address such as
          169.254.169.254, checked on the address a name resolves to at each connection: agent URLs, probes and, later, webhooks. Allow them only when agents
          really listen on link-local addresses.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </div>
      <button type="button" className="btn" disabled={pending} onClick={() => void toggle()}>
        {allowed ? "Refuse" : "Allow"}
      </button>
    </section>
  );
}
