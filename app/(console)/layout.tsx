import { requireSession } from "@/lib/sign-in/session";
import { navigationFor } from "@/lib/auth/navigation";
import { Providers } from "@/components/providers";
import { Sidebar } from "@/components/shell/sidebar";
import { ThemeToggle } from "@/components/shell/theme-toggle";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { SessionKeeper } from "@/components/shell/session-keeper";
import { Badge, StatusBadge } from "@/components/ui/badge";

export const dynamic = "force-dynamic";

export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const actor = await requireSession();
  const display = actor.type === "USER" && actor.display === true;
  return (
    <Providers>
      <a href="#content" className="skip-link">
        Skip to content
      </a>
      <div className="shell">
        <Sidebar groups={navigationFor(actor.role)} />
        <div className="main">
          <header className="topbar">
            <span className="user-chip" data-testid="current-user">
              {actor.label} <StatusBadge value={actor.role} />
              {display && <Badge>read-only</Badge>}
            </span>
            <ThemeToggle />
            <SignOutButton />
          </header>
          {/* A wall display has no idle timeout, and reports nothing (it could not: it is read-only). */}
          {!display && <SessionKeeper />}
          <main id="content" className="content">
            {children}
          </main>
        </div>
      </div>
    </Providers>
  );
}
