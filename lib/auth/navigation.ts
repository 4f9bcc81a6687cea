// The sidebar, filtered by what the role may open.
import { can, type Permission } from "@/lib/auth/permissions";
import type { Role } from "@/lib/generated/prisma/enums";

/** A count shown beside an entry, read live by the sidebar. */
export type NavCount = "operations";

const nav: { title: string; items: { href: string; label: string; needs: Permission; count?: NavCount }[] }[] = [
  {
    title: "Overview",
    items: [
      { href: "/dashboard", label: "Dashboard", needs: "inventory:read" },
      { href: "/events", label: "Events", needs: "events:read" },
      { href: "/operations", label: "Operations", needs: "operations:read", count: "operations" },
    ],
  },
  {
    title: "Platform",
    items: [
      { href: "/clusters", label: "Clusters", needs: "inventory:read" },
      { href: "/load-balancers", label: "Load balancers", needs: "inventory:read" },
      { href: "/nodes", label: "App nodes", needs: "inventory:read" },
      { href: "/databases", label: "Databases", needs: "inventory:read" },
      { href: "/config", label: "Configuration", needs: "config:read" },
    ],
  },
  { title: "Records", items: [{ href: "/audit", label: "Audit trail", needs: "audit:read" }] },
  {
    title: "Administration",
    items: [
      { href: "/users", label: "Users", needs: "users:manage" },
      { href: "/tokens", label: "API tokens", needs: "tokens:manage" },
      { href: "/sessions", label: "Sessions", needs: "users:manage" },
      { href: "/settings", label: "Settings", needs: "settings:write" },
    ],
  },
];

export function navigationFor(role: Role) {
  return nav
    .map((g) => ({
      title: g.title,
      items: g.items.filter((i) => can(role, i.needs)).map(({ href, label, count }) => ({ href, label, ...(count ? { count } : {}) })),
    }))
    .filter((g) => g.items.length > 0);
}
