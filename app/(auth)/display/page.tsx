import { DisplayClaim } from "@/components/auth/display-claim";

export const metadata = { title: "Wall display" };
export const dynamic = "force-dynamic";

/** Where a wall display's link leads; the one-time code is in the fragment, read by the browser only. */
export default function DisplayPage() {
  return (
    <main className="auth-page">
      <div className="card auth-card stack">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true" /> Clusterdeck
        </div>
        <h1>Wall display</h1>
        <DisplayClaim />
      </div>
    </main>
  );
}
