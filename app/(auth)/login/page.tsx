import { redirect } from "next/navigation";
import { sessionActor } from "@/lib/auth/session";
import { signInErrorMessage } from "@/lib/auth/sign-in-errors";
import { oidcSettings } from "@/lib/env";
import { LoginForm } from "@/components/auth/login-form";

export const metadata = { title: "Sign in" };
export const dynamic = "force-dynamic";

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ callbackUrl?: string; error?: string }> }) {
  if (await sessionActor()) redirect("/dashboard");
  const { callbackUrl, error } = await searchParams;
  // Only same-site paths: an open redirect after sign-in is a phishing aid.
  const safeCallback = callbackUrl && callbackUrl.startsWith("/") && !callbackUrl.startsWith("//") ? callbackUrl : "/dashboard";
  return (
    <main className="auth-page">
      <div className="card auth-card stack">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> Clusterdeck
        </div>
        <h1>Sign in</h1>
        <LoginForm callbackUrl={safeCallback} initialError={signInErrorMessage(error)} sso={oidcSettings()?.name ?? null} />
      </div>
    </main>
  );
}
