// Needs attention: the route's query and answer (lib/api/contract.ts), shared
// by the service, the typed client and the pages' first render.
import { z } from "zod";
import { idSchema, wireDate } from "@/lib/common/schemas";

const count = z.number().int();

/** Needs attention (GET /attention): worst first, then oldest. */
export const attentionSeverityValues = ["CRITICAL", "WARNING", "INFO"] as const;
export type AttentionSeverity = (typeof attentionSeverityValues)[number];
export const attentionQuery = z.strictObject({ clusterId: idSchema.optional() });
export const attentionItem = z.object({
  /** Stable per subject and condition (a node can be down and in maintenance: two items). */
  key: z.string(),
  severity: z.enum(attentionSeverityValues),
  subjectType: z.enum(["LOAD_BALANCER", "NODE", "DATABASE", "POOLER", "OPERATION", "CLUSTER"]),
  subjectId: z.string(),
  name: z.string(),
  clusterId: z.string().nullable(),
  clusterName: z.string().nullable(),
  href: z.string(),
  /** The stored value that says it (a health, an admin state, an operation's state, DRIFT, AT_RISK, PAUSED): shown by its label. */
  state: z.string(),
  reason: z.string(),
  /** Null: the console keeps no start for it (N+1 follows sessions moving every second). */
  since: wireDate.nullable(),
});
export const attentionView = z.object({
  items: z.array(attentionItem),
  total: count,
  /** Operations running or queued, and awaiting approval (the navigation's count). */
  operations: z.object({ running: count, awaitingApproval: count }),
});
export type AttentionWire = z.output<typeof attentionView>;
