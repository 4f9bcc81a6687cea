import { FilterButtons, FilterInput, FilterSelect } from "@/components/ui/filters";
import { roleOptions } from "@/components/users/roles";

/** A plain GET form: the filters end up in the URL, and work without JavaScript. */
export function UserFilters({ q, role }: { q?: string; role?: string }) {
  return (
    <form className="filters" method="get" action="/users" role="search" aria-label="Filter users">
      <FilterInput id="users-q" label="Search" name="q" type="search" defaultValue={q} placeholder="Email or name" maxLength={100} />
      <FilterSelect id="users-role" label="Role" name="role" value={role} anyLabel="All roles" options={roleOptions} />
      <FilterButtons clearHref="/users" clearLabel="Clear" active={Boolean(q || role)} />
    </form>
  );
}
