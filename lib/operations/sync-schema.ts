// The cluster's synchronous replication setting: its request and answer
// (shared by the handler, the OpenAPI document and the cluster page's control).
import { z } from "zod";
import { reasonSchema } from "@/lib/common/schemas";

export const syncModeValues = ["UNMANAGED", "ASYNC", "SYNC", "QUORUM"] as const;
export const syncOnLossValues = ["WAIT", "DEGRADE"] as const;

export const replicationModeRequest = z
  .strictObject({
    /**
     * UNMANAGED: the console neither sets nor clears synchronous_standby_names (every
     * cluster's start: a value set by hand stays); ASYNC; SYNC: one standby acknowledges
     * every commit (FIRST 1); QUORUM: any `quorum` of them (ANY n).
     */
    mode: z.enum(syncModeValues),
    quorum: z.number().int().min(1).max(99).default(1),
    /** When the last synchronous standby is gone: WAIT (no acknowledged write can be lost) or DEGRADE (async, said in an event). */
    onLoss: z.enum(syncOnLossValues),
    reason: reasonSchema,
  })
  .refine((r) => r.mode === "QUORUM" || r.quorum === 1, { message: "A quorum is only for mode QUORUM", path: ["quorum"] });
export type ReplicationModeRequest = z.output<typeof replicationModeRequest>;

export const replicationModeAnswer = z.object({
  id: z.string(),
  name: z.string(),
  syncMode: z.enum(syncModeValues),
  syncQuorum: z.number().int(),
  syncOnLoss: z.enum(syncOnLossValues),
  /** DEGRADE acted: the primary runs async until a standby is back. */
  syncDegraded: z.boolean(),
});
