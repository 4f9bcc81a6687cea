// Input of the link-local destinations setting (the route, its OpenAPI entry and the control share it).
import { z } from "zod";
import { reasonSchema } from "@/lib/common/schemas";

export const linkLocalDestinationsBody = z.strictObject({ allowed: z.boolean(), reason: reasonSchema });
export type LinkLocalDestinationsBody = z.infer<typeof linkLocalDestinationsBody>;
