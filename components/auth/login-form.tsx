"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Field } from "@/components/ui/field";
import { callbackPathOrDefault } from "@/lib/auth/callback-url";

/** The provider id of lib/sign-in/oidc.ts (a client component cannot import that server module). */
const ssoProviderId = "oidc";

export function LoginForm({ callbackUrl, initialError, sso }: { callbackUrl: string; initialError?: string; sso: string | null }) {
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState<"password" | "sso" | null>(null);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending("password");
    setError(undefined);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(null);
    if (!result || result.error) {
      setError(!result || result.error === "CredentialsSignin" ? "Wrong email or password" : (result.error ?? "Sign-in failed"));
      return;
    }
    // The page already checked it; checked again against where this page really is, and only the path is followed.
    window.location.assign(callbackPathOrDefault(callbackUrl, window.location.origin));
  }

  async function onSso() {
    setPending("sso");
    setError(undefined);
    // Leaves for the identity provider; a refusal comes back as /login?error=….
    await signIn(ssoProviderId, { callbackUrl: callbackPathOrDefault(callbackUrl, window.location.origin) });
  }

  return (
    <div className="stack">
      <form className="form" onSubmit={onSubmit} noValidate>
        {error && (
          <div className="alert alert-error" role="alert">
            {error}
          </div>
        )}
        <Field label="Email">{(p) => <input {...p} className="input" name="email" type="email" autoComplete="username" required autoFocus />}</Field>
        <Field label="Password">{(p) => <input {...p} className="input" name="password" type="password" autoComplete="current-password" required />}</Field>
        <button className="btn btn-primary" type="submit" disabled={pending !== null}>
          {pending === "password" ? "Signing in…" : "Sign in"}
        </button>
      </form>
      {sso && (
        <>
          <div className="auth-divider" aria-hidden="true">
            or
          </div>
          <button className="btn" type="button" onClick={onSso} disabled={pending !== null}>
            {pending === "sso" ? `Going to ${sso}…` : `Sign in with ${sso}`}
          </button>
        </>
      )}
    </div>
  );
}
