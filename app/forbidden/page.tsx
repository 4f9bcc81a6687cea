import Link from "next/link";

export const metadata = { title: "Not allowed" };

export default function Forbidden() {
  return (
    <main className="auth-page">
      <div className="card auth-card stack">
        <h1>Not allowed</h1>
        <p className="muted">Your role does not give access to this page. Ask an admin if you need it.</p>
        <Link className="btn" href="/dashboard">
          Back to the dashboard
        </Link>
      </div>
    </main>
  );
}
