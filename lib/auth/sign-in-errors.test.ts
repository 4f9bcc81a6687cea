// Protects: the sign-in page turns next-auth's error codes into words and
// never echoes an unknown value from the URL.
import { expect, it } from "vitest";
import { signInErrorMessage, ssoDenials } from "@/lib/auth/sign-in-errors";

it("explains each single sign-on refusal", () => {
  expect(signInErrorMessage("SsoNoRole")).toBe(ssoDenials.SsoNoRole);
  expect(signInErrorMessage("SsoEmailTaken")).toMatch(/already uses your email/);
  expect(signInErrorMessage("OAuthCallback")).toMatch(/Single sign-on failed/);
  expect(signInErrorMessage("CredentialsSignin")).toBe("Wrong email or password");
});

it("shows nothing without an error, and a generic message for anything unknown", () => {
  expect(signInErrorMessage(undefined)).toBeUndefined();
  expect(signInErrorMessage("")).toBeUndefined();
  for (const code of ["<script>alert(1)</script>", "Call support at +1 555 0100", "toString", "__proto__", "ECONNREFUSED 127.0.0.1:5432"]) {
    expect(signInErrorMessage(code)).toBe("Sign-in failed. Try again.");
  }
});

it("passes the lockout message through, and nothing that merely starts like it", () => {
  expect(signInErrorMessage("Too many failed sign-ins. Try again in 42 s.")).toBe("Too many failed sign-ins. Try again in 42 s.");
  expect(signInErrorMessage("Too many failed sign-ins. Try again in 42 s. Or call +1 555 0100")).toBe("Sign-in failed. Try again.");
});
