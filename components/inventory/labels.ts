// Words people read for the inventory's enum values, and small formatters.
// Shared by server tables and client forms, so it imports nothing server-only.
import type { adminStateValues, dbRoleValues, healthValues, lbKindValues, lbTierValues } from "@/lib/inventory/schemas";

export type LbKind = (typeof lbKindValues)[number];
export type LbTier = (typeof lbTierValues)[number];
export type DbRole = (typeof dbRoleValues)[number];
export type Health = (typeof healthValues)[number];
export type AdminState = (typeof adminStateValues)[number];

export const kindLabels: Record<LbKind, string> = { HAPROXY: "HAProxy", NGINX: "nginx", APACHE: "Apache httpd", HARDWARE: "Hardware" };
export const tierLabels: Record<LbTier, string> = { EDGE: "Edge", SOFTWARE: "Software" };
export const roleLabels: Record<DbRole, string> = { PRIMARY: "Primary", REPLICA: "Replica" };
export const healthLabels: Record<Health, string> = { UP: "Up", DEGRADED: "Degraded", UNREACHABLE: "Agent unreachable", DOWN: "Down", UNKNOWN: "Unknown" };
export const adminStateLabels: Record<AdminState, string> = { ACTIVE: "Active", DRAINING: "Draining", DRAINED: "Drained", MAINTENANCE: "Maintenance" };

export const kindLabel = (k: string) => kindLabels[k as LbKind] ?? k;
export const tierLabel = (t: string) => tierLabels[t as LbTier] ?? t;
export const roleLabel = (r: string) => roleLabels[r as DbRole] ?? r;

/** host:port, with an IPv6 literal in brackets so the port stays readable. */
export function address(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many}`;
}

/** Replication lag as a person reads it. */
export function bytes(value: bigint | number | string | null | undefined): string {
  if (value === null || value === undefined) return "—";
  const n = Number(value);
  if (!Number.isFinite(n)) return String(value);
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let v = n;
  let i = 0;
  while (Math.abs(v) >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
}

export type ClusterOption = { id: string; name: string; environment: string };
