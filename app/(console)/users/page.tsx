import { requirePage } from "@/lib/auth/session";
import { listUsers } from "@/lib/users/service";
import { userList } from "@/lib/users/schemas";
import { PageHeader } from "@/components/ui/page-header";
import { Pagination } from "@/components/ui/pagination";
import { NewUserButton } from "@/components/users/new-user-button";
import { UserFilters } from "@/components/users/user-filters";
import { UsersTable } from "@/components/users/users-table";
import { paginationParams, parseSearchParams, type RawSearchParams } from "@/components/audit/search-params";

export const metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage({ searchParams }: { searchParams: Promise<RawSearchParams> }) {
  const actor = await requirePage("users:manage");
  const { query, values, issues } = parseSearchParams(userList, await searchParams);
  const page = await listUsers(query);
  const valid = (key: string) => (issues.some((i) => i.key === key) ? undefined : values[key]);
  return (
    <>
      <PageHeader title="Users" description="Who may sign in to the console, and with which role" actions={<NewUserButton />} />
      {issues.length > 0 && (
        <div className="alert alert-warn" role="status" style={{ marginBottom: 12 }}>
          Some filters in the address were not valid and are ignored: {issues.map((i) => `${i.key} (${i.message})`).join("; ")}.
        </div>
      )}
      <UserFilters q={valid("q")} role={valid("role")} />
      <UsersTable users={page.items} currentUserId={actor.userId} />
      <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/users" params={paginationParams(values, ["q", "role", "pageSize"], issues)} />
    </>
  );
}
