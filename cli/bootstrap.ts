// First start: with no users at all, create an ADMIN so someone can sign in.
// The generated password is returned to be shown once, never logged.
import { generatePassword, hashPassword } from "@/lib/auth/password";
import { passwordSchema } from "@/lib/auth/schemas";
import { recordAudit, type AuditContext } from "@/lib/audit/service";
import type { Db } from "@/lib/db/client";
import { userSelect, type UserView } from "@/lib/users/service";
import { CliError } from "./errors";

export type BootstrapResult =
  { created: false } | { created: true; user: UserView; /** Set only when we made it up (to show once). */ generatedPassword: string | null };

export async function bootstrapAdmin(db: Db, ctx: AuditContext, opts: { email: string; password?: string }): Promise<BootstrapResult> {
  if ((await db.user.count()) > 0) return { created: false };
  if (opts.password !== undefined && !passwordSchema.safeParse(opts.password).success) {
    throw new CliError("CLUSTERDECK_ADMIN_PASSWORD does not meet the password policy (at least 12 characters).");
  }
  const password = opts.password ?? generatePassword();
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    // Two consoles starting on one database at once: only one creates the admin.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(4242001)`;
    if ((await tx.user.count()) > 0) return { created: false } as const;
    const user = await tx.user.create({ data: { email: opts.email, role: "ADMIN", passwordHash }, select: userSelect });
    await recordAudit(tx, ctx, {
      action: "user.create",
      targetType: "USER",
      targetId: user.id,
      summary: { email: user.email, role: user.role, bootstrap: true, passwordSource: opts.password ? "environment" : "generated" },
    });
    return { created: true, user, generatedPassword: opts.password ? null : password };
  });
}
