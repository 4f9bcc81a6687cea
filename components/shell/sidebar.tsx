"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import { CriticalCount } from "@/components/shell/critical-count";

type Item = { href: string; label: string };
type Group = { title: string; items: Item[] };

export function Sidebar({ groups }: { groups: Group[] }) {
  const pathname = usePathname();
  return (
    <nav className="sidebar" aria-label="Main">
      <Link href="/dashboard" className="brand">
        <span className="brand-mark" aria-hidden="true" /> Clusterdeck
      </Link>
      {groups.map((group) => (
        <div className="nav-group" key={group.title}>
          <div className="nav-group-title">{group.title}</div>
          {group.items.map((item) => {
            const active = pathname === item.href || pathname.startsWith(item.href + "/");
            return (
              <Link key={item.href} href={item.href} className="nav-link" aria-current={active ? "page" : undefined}>
                {item.label}
                {/* Only where the role may read events: the link is there exactly then. */}
                {item.href === "/events" && <CriticalCount />}
              </Link>
            );
          })}
        </div>
      ))}
    </nav>
  );
}
