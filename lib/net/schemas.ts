// Input of the link-local destinations setting (the route, its OpenAPI entry and the control share it).
import { z } from "zod";
import { reasonSchema } from "@/lib/common/schemas";

export const linkLocalDestinationsBody = z.strictObject({ allowed: z.boolean(), reason: reasonSchema });
export type LinkLocalDestinationsBody = z.infer<typeof linkLocalDestinationsBody>;

/** The setting as it is now (GET), or after a change (POST). */
export const linkLocalDestinationsAnswer = z.object({ allowed: z.boolean() });
export type LinkLocalDestinationsAnswer = z.output<typeof linkLocalDestinationsAnswer>;
