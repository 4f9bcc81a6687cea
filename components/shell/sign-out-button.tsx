"use client";
import { signOut } from "next-auth/react";

export function SignOutButton() {
  return (
    <button type="button" className="btn btn-sm" onClick={() => signOut({ callbackUrl: "/login?reason=signed-out" })}>
      Sign out
    </button>
  );
}
