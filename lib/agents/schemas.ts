// The answer of an agent-credential route: the one time the console shows an
// agent's secret, inside the config file the agent starts from.
import { z } from "zod";

/** What an agent runs on. */
export const agentSubjectValues = ["NODE", "LOAD_BALANCER", "DATABASE", "POOLER"] as const;
export type AgentSubject = (typeof agentSubjectValues)[number];

const credential = z.object({ keyId: z.string(), secret: z.string() });

/** An agent's config file, ready to save; the role's section is a template to adjust. */
export const agentConfigSnippet = z.object({
  name: z.string(),
  role: z.enum(["app", "haproxy", "postgres", "pgbouncer"]),
  listen: z.object({ host: z.string(), port: z.number().int() }),
  /** Present when the agent URL is https. */
  tls: z.object({ certFile: z.string(), keyFile: z.string() }).optional(),
  credentials: z.array(credential),
  intervalMs: z.number().int(),
  /** The role's driver settings: exactly one of these, by role. */
  app: z.record(z.string(), z.unknown()).optional(),
  haproxy: z.record(z.string(), z.unknown()).optional(),
  postgres: z.record(z.string(), z.unknown()).optional(),
  pgbouncer: z.record(z.string(), z.unknown()).optional(),
});

/** A credential just issued (or rotated): its secret is shown here once, never again. */
export const agentCredentialIssued = credential.extend({ config: agentConfigSnippet });

export type AgentCredentialIssued = z.output<typeof agentCredentialIssued>;
