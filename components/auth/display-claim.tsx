"use client";
import { useEffect, useRef, useState } from "react";
import { ApiClientError } from "@/lib/http/client";
import { claimDisplay } from "@/lib/sessions/queries";

/** Opens the display's link: posts the code from the fragment once, then shows the dashboard. */
export function DisplayClaim() {
  const [error, setError] = useState<string | null>(null);
  // The code is good once: claim it once, even where React runs effects twice (development).
  const started = useRef(false);

  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const code = window.location.hash.slice(1);
    // Out of the address bar and the history at once.
    window.history.replaceState(null, "", "/display");
    void (async () => {
      if (!code) {
        setError("This link has no display code. Ask an administrator for a new one (Sessions → New wall display).");
        return;
      }
      try {
        const claimed = await claimDisplay(code);
        window.location.replace(claimed.next);
      } catch (error) {
        setError(
          error instanceof ApiClientError
            ? (error.problem.detail ?? "This display link does not work. Ask an administrator for a new one.")
            : "The console could not be reached. Ask an administrator for a new link if this one has expired.",
        );
      }
    })();
  }, []);

  return error ? (
    <div className="alert alert-error" role="alert">
      {error}
    </div>
  ) : (
    <p role="status">Opening the display…</p>
  );
}
