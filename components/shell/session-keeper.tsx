"use client";
// Mounted once by the console layout: reports real input as activity and
// warns before the session ends (lib/sessions/keeper.ts says how and why).
import { useEffect, useRef, useState } from "react";
import { startKeeper, type Keeper, type SessionWarning } from "@/lib/sessions/keeper";
import { readSession, reportActivity } from "@/lib/sessions/queries";

function clock(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

export function SessionKeeper() {
  const [warning, setWarning] = useState<SessionWarning | null>(null);
  const [dismissed, setDismissed] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const keeper = useRef<Keeper | null>(null);

  useEffect(() => {
    const k = startKeeper({
      read: readSession,
      report: reportActivity,
      onWarning: setWarning,
      input: window,
      visibility: document,
    });
    keeper.current = k;
    return () => k.stop();
  }, []);

  useEffect(() => {
    if (!warning) return;
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [warning]);

  if (!warning || dismissed === warning.at) return null;
  const left = clock(warning.at - now);
  return (
    <div className="session-warning card" role="alertdialog" aria-labelledby="session-warning-text" data-testid="session-warning">
      {warning.kind === "idle" ? (
        <>
          <p id="session-warning-text">
            You will be signed out in <strong>{left}</strong> for inactivity.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => keeper.current?.stay()}>
            Stay signed in
          </button>
        </>
      ) : (
        <>
          <p id="session-warning-text">
            Your session reaches its time limit in <strong>{left}</strong>. Save your work: you will need to sign in again.
          </p>
          <button type="button" className="btn" onClick={() => setDismissed(warning.at)}>
            OK
          </button>
        </>
      )}
    </div>
  );
}
