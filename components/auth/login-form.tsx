"use client";
import { signIn } from "next-auth/react";
import { useState } from "react";
import { Field } from "@/components/ui/field";

export function LoginForm({ callbackUrl, initialError }: { callbackUrl: string; initialError?: string }) {
  const [error, setError] = useState(initialError);
  const [pending, setPending] = useState(false);

  async function onSubmit(e: React.FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setPending(true);
    setError(undefined);
    const result = await signIn("credentials", {
      email: String(form.get("email") ?? ""),
      password: String(form.get("password") ?? ""),
      redirect: false,
    });
    setPending(false);
    if (!result || result.error) {
      setError(!result || result.error === "CredentialsSignin" ? "Wrong email or password" : (result.error ?? "Sign-in failed"));
      return;
    }
    window.location.assign(callbackUrl);
  }

  return (
    <form className="form" onSubmit={onSubmit} noValidate>
      {error && (
        <div className="alert alert-error" role="alert">
          {error}
        </div>
      )}
      <Field label="Email">{(p) => <input {...p} className="input" name="email" type="email" autoComplete="username" required autoFocus />}</Field>
      <Field label="Password">{(p) => <input {...p} className="input" name="password" type="password" autoComplete="current-password" required />}</Field>
      <button className="btn btn-primary" type="submit" disabled={pending}>
        {pending ? "Signing in…" : "Sign in"}
      </button>
    </form>
  );
}
