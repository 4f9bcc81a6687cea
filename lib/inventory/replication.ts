// A database member's replication, asked of its agent at the moment a page
// asks: the standbys streaming from it (pg_stat_replication), its slots and its
// WAL archiving. Not stored: these change every second and only the member's
// page shows them. Each standby and slot is tied to the inventory member it
// serves when the console can tell: slots it creates are named
// clusterdeck_<member id>, and a rebuilt member streams under its own name.
import "server-only";
import { db } from "@/lib/db";
import { notFound } from "@/lib/common/errors";
import { AGENT_PATHS, snapshot as snapshotSchema } from "@/lib/agent-protocol/types";
import { agentEndpointFor } from "@/lib/agents/service";
import { callAgent } from "@/lib/agents/client";
import type { DatabaseReplicationWire } from "./schemas";

const SLOT_PREFIX = "clusterdeck_";
const ASK_TIMEOUT_MS = 5000;

type Member = { id: string; name: string };

const empty = (problem: string): DatabaseReplicationWire => ({
  problem,
  at: null,
  inRecovery: null,
  primarySlotName: null,
  maxSlotWalKeepSize: null,
  replicas: [],
  slots: [],
  archiver: null,
  receiver: null,
});

export async function databaseReplication(id: string): Promise<DatabaseReplicationWire> {
  const instance = await db.databaseInstance.findUnique({ where: { id }, select: { clusterId: true, agentUrl: true } });
  if (!instance) throw notFound("Database instance");
  const endpoint = instance.agentUrl ? await agentEndpointFor("DATABASE", id) : null;
  if (!endpoint) return empty("No agent is enrolled for this member.");
  let s;
  try {
    s = await callAgent(endpoint, "GET", AGENT_PATHS.status, undefined, snapshotSchema, ASK_TIMEOUT_MS);
  } catch (error) {
    return empty(`Its agent did not answer: ${(error as Error).message}`);
  }
  if (s.health === "DOWN" || !s.postgres) return empty(s.reasons[0] ?? "Its agent reports PostgreSQL down.");
  const p = s.postgres;

  const members = await db.databaseInstance.findMany({ where: { clusterId: instance.clusterId, id: { not: id } }, select: { id: true, name: true } });
  const byId = new Map(members.map((m) => [m.id, m]));
  const byName = new Map(members.map((m) => [m.name, m]));
  const bySlot = (slot: string | null | undefined): Member | null =>
    slot?.startsWith(SLOT_PREFIX) ? (byId.get(slot.slice(SLOT_PREFIX.length)) ?? null) : null;

  const replicas = p.replicas.map((r) => ({ ...r, member: bySlot(r.slotName) ?? byName.get(r.applicationName) ?? null }));
  const slots = (p.slots ?? []).map((slot) => ({
    ...slot,
    member: bySlot(slot.name) ?? replicas.find((r) => r.slotName === slot.name)?.member ?? null,
  }));
  return {
    problem: null,
    at: s.at,
    inRecovery: p.inRecovery,
    primarySlotName: p.primarySlotName ?? null,
    maxSlotWalKeepSize: p.maxSlotWalKeepSize ?? null,
    replicas,
    slots,
    archiver: p.archiver ?? null,
    receiver: p.inRecovery
      ? {
          status: p.walReceiverStatus ?? null,
          timeline: p.timeline ?? null,
          receivedLsn: p.receivedLsn ?? null,
          replayedLsn: p.replayedLsn ?? null,
          lagBytes: p.lagBytes ?? null,
          lagSeconds: p.lagSeconds ?? null,
          replayPaused: p.replayPaused,
        }
      : null,
  };
}
