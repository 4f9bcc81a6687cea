"use client";
// A change that needs a reason for the audit trail: ask for it, POST, refresh the page.
import { useRouter } from "next/navigation";
import { useState } from "react";
import { ApiClientError, apiFetch } from "@/lib/http/client";

export function useReasonedPost(path: string) {
  const router = useRouter();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  async function post(body: Record<string, unknown>, question: string) {
    const reason = window.prompt(question);
    if (!reason) return;
    setPending(true);
    setError(null);
    try {
      await apiFetch(path, { method: "POST", body: { ...body, reason } });
      router.refresh();
    } catch (e) {
      setError(e instanceof ApiClientError ? (e.problem.detail ?? e.problem.title) : "The console could not be reached.");
    } finally {
      setPending(false);
    }
  }
  return { post, pending, error };
}
