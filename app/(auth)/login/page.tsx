import { redirect } from "next/navigation";
import { sessionActor } from "@/lib/sign-in/session";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { callbackPathOrDefault } from "@/lib/auth/callback-url";
import { signOutMessage } from "@/lib/sessions/policy";
import { env, oidcSettings } from "@/lib/env";
import { LoginForm } from "@/components/auth/login-form";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

type Search = { callbackUrl?: string | string[]; error?: string | string[]; reason?: string | string[] };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Search> }) {
  const { callbackUrl, error, reason } = await searchParams;
  // Only pages of this console: an open redirect after sign-in is a phishing aid (lib/auth/callback-url.ts).
  // The result is a path, so the base only decides which absolute URLs count as ours.
  const next = callbackPathOrDefault(callbackUrl, env().NEXTAUTH_URL ?? "http://localhost");
  if (await sessionActor()) redirect(next);
  const e = env();
  const ended = signOutMessage(reason, { idleSeconds: e.CLUSTERDECK_SESSION_IDLE_TIMEOUT, maxAgeSeconds: e.CLUSTERDECK_SESSION_MAX_AGE });
  return (
    <main className="auth-page">
      <div className="card auth-card stack">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> Clusterdeck
        </div>
        <h1>Sign in</h1>
        {ended && !error && (
          <div className={`alert ${reason === "signed-out" ? "alert-ok" : "alert-warn"}`} role="status" data-testid="session-ended">
            {ended}
          </div>
        )}
        <LoginForm callbackUrl={next} initialError={signInErrorMessage(typeof error === "string" ? error : undefined)} sso={oidcSettings()?.name ?? null} />
      </div>
    </main>
  );
}
