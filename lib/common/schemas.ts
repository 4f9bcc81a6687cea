// Field schemas shared by every form, handler and client hook.
import { z } from "zod";

export const idSchema = z.string().regex(/^[a-z0-9]{8,40}$/, "Not a valid id");
export const idParams = z.strictObject({ id: idSchema });

/** Names end up in HAProxy configs, URLs and logs, so they are kept plain. */
export const nameSchema = z
  .string({ error: "Name is required" })
  .trim()
  .min(1, "Name is required")
  .max(63, "At most 63 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, "Use letters, digits, '.', '_' or '-', starting with a letter or digit");

const hostnamePattern = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const ipv4Pattern = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const ipv6Pattern = /^[0-9A-Fa-f:]+(%[A-Za-z0-9]+)?$/;

export const hostSchema = z
  .string({ error: "Host is required" })
  .trim()
  .min(1, "Host is required")
  .max(253)
  .refine((v) => ipv4Pattern.test(v) || (v.includes(":") && ipv6Pattern.test(v)) || hostnamePattern.test(v), "Enter a hostname or an IP address");

/** A number schema whose type error names the field; range errors keep their own messages. */
export const numberField = (label: string) =>
  z.number({ error: (issue) => (issue.input === undefined ? `${label} is required` : `${label} must be a number`) });

export const portSchema = numberField("Port").int("Port must be a whole number").min(1, "Port is 1 to 65535").max(65535, "Port is 1 to 65535");

export const agentUrlSchema = z
  .string()
  .trim()
  .max(2048)
  .url("Enter a URL such as https://10.0.0.5:7070")
  .refine((v) => /^https?:\/\//.test(v), "The agent URL must start with http:// or https://")
  // Agents authenticate with their own key; a user:password here would only be a secret every reader of the inventory sees.
  .refine((v) => !URL.canParse(v) || (new URL(v).username === "" && new URL(v).password === ""), "The agent URL must not hold a user name or password");

export const descriptionSchema = z.string().max(500, "At most 500 characters");

export const pageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
  q: z.string().trim().max(100).optional(),
};

export type Page<T> = { items: T[]; total: number; page: number; pageSize: number };

// Building blocks of response schemas (lib/api/contract.ts). They describe the
// wire form: toJson writes a Date as an ISO string and a bigint as a string.
/** A moment, as toJson writes a Date. */
export const wireDate = z.iso.datetime({ offset: true });
/** A database bigint (event ids, byte counts), as toJson writes it. */
export const wireBigint = z.string().regex(/^-?\d+$/);
/** One page of a list answer. */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number().int(), page: z.number().int(), pageSize: z.number().int() });

/**
 * Why a change is made: it goes to the audit trail (and, for an incident
 * action, to the events). The one reason schema: every request that asks for
 * a reason uses this one, or the optional one below.
 */
export const reasonSchema = z.string().trim().min(1, "Give a reason: it goes to the audit trail").max(500);
/** Where a reason may be left out (cancel, approve, reconcile): empty when not given. */
export const optionalReasonSchema = z.string().trim().max(500).default("");

/**
 * An ISO 8601 date-time that PostgreSQL can store and compare: year 1 to 9999
 * in UTC. The ISO format alone admits year 0000, which the database refuses
 * (a 500 instead of a 400).
 */
export const isoDateTimeSchema = z.iso.datetime({ offset: true }).refine((v) => {
  const year = new Date(v).getUTCFullYear();
  return year >= 1 && year <= 9999;
}, "The year must be 1 to 9999");
