import { requirePage } from "@/lib/sign-in/session";
import { parseSearchParams, type SearchParams } from "@/lib/common/search-params";
import { listUsers } from "@/lib/users/service";
import { userList } from "@/lib/users/schemas";
import { toJson, type Jsonify } from "@/lib/http/json";
import { InvalidFilters } from "@/components/ui/filters";
import { PageHeader } from "@/components/ui/page-header";
import { TwoPersonRuleToggle } from "@/components/operations/two-person-rule-toggle";
import { twoPersonRule } from "@/lib/operations/approval";
import { Pagination } from "@/components/ui/pagination";
import { NewUserButton } from "@/components/users/new-user-button";
import { UserFilters } from "@/components/users/user-filters";
import { UsersTable } from "@/components/users/users-table";

export const metadata = { title: "Users" };
export const dynamic = "force-dynamic";

export default async function UsersPage({ searchParams }: { searchParams: Promise<SearchParams> }) {
  const actor = await requirePage("users:manage");
  const { query, valid, issues } = parseSearchParams(userList, await searchParams);
  const page = await listUsers(query);
  // The table takes the rows as the API answers them (ISO times), the same type its mutations return.
  const users = JSON.parse(toJson(page.items)) as Jsonify<typeof page.items>;
  return (
    <>
      <PageHeader title="Users" description="Who may sign in to the console, and with which role" actions={<NewUserButton />} />
      <TwoPersonRuleToggle enabled={await twoPersonRule()} />
      <InvalidFilters issues={issues} />
      <UserFilters q={valid.q} role={valid.role} />
      <UsersTable users={users} currentUserId={actor.userId} />
      <Pagination page={page.page} pageSize={page.pageSize} total={page.total} basePath="/users" params={valid} />
    </>
  );
}
