"use client";
// What a page shows when the server could not render it: most often, during
// an incident, because the console's own database is briefly unreachable. It
// says so, checks the health route (api.health) every few seconds and re-renders the page as
// soon as the server can, so a screen left open at 3 a.m. comes back by itself.
import { startTransition, useCallback, useEffect, useState } from "react";
import { useRouter } from "next/navigation";
import { api } from "@/lib/api/contract";
import { routeUrl } from "@/lib/api/client";

const RETRY_EVERY_MS = 3000;

type Health = "checking" | "database-down" | "server-down" | "up";

export function RecoveringError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const router = useRouter();
  const [health, setHealth] = useState<Health>("checking");
  const [attempts, setAttempts] = useState(0);

  const retry = useCallback(() => {
    // Server components must be fetched again, then the boundary re-rendered.
    startTransition(() => {
      router.refresh();
      reset();
    });
  }, [router, reset]);

  useEffect(() => {
    let stopped = false;
    const check = async () => {
      // A raw fetch: the status itself is the answer (503 = database down), and a failure must not send anyone to sign in.
      const res = await fetch(routeUrl(api.health), { cache: "no-store" }).catch(() => null);
      if (stopped) return;
      const next: Health = res?.ok ? "up" : res?.status === 503 ? "database-down" : "server-down";
      setHealth(next);
      setAttempts((n) => n + 1);
      if (next === "up") retry();
    };
    void check();
    const timer = setInterval(() => void check(), RETRY_EVERY_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [retry]);

  const why =
    health === "database-down"
      ? "The console cannot reach its database."
      : health === "server-down"
        ? "The console server does not answer."
        : "The server could not render this page.";
  return (
    <div className="card stack" role="alert" data-testid="recovering-error" style={{ maxWidth: 640, margin: "48px auto" }}>
      <h1 style={{ margin: 0 }}>This page could not load</h1>
      <p style={{ margin: 0 }}>
        {why} It is checked every {RETRY_EVERY_MS / 1000} s and the page comes back by itself when the console can serve it.
      </p>
      <p className="muted" style={{ margin: 0 }}>
        {attempts > 0 ? `Checked ${attempts} time${attempts === 1 ? "" : "s"}.` : "Checking…"}
        {error.digest ? ` Reference for the server log: ${error.digest}.` : ""}
      </p>
      <div className="row">
        <button type="button" className="btn" onClick={retry}>
          Retry now
        </button>
      </div>
    </div>
  );
}
