import Link from "next/link";
import { roleValues } from "@/lib/users/schemas";
import { roleLabel } from "@/components/users/role-label";

/** A plain GET form: the filters end up in the URL, and work without JavaScript. */
export function UserFilters({ q, role }: { q?: string; role?: string }) {
  return (
    <form className="filters" method="get" action="/users" role="search" aria-label="Filter users">
      <div className="field">
        <label htmlFor="users-q">Search</label>
        <input id="users-q" className="input" name="q" type="search" defaultValue={q} placeholder="Email or name" maxLength={100} />
      </div>
      <div className="field">
        <label htmlFor="users-role">Role</label>
        <select id="users-role" className="input" name="role" defaultValue={role ?? ""}>
          <option value="">All roles</option>
          {roleValues.map((r) => (
            <option key={r} value={r}>
              {roleLabel(r)}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" className="btn">
        Apply filters
      </button>
      {(q || role) && (
        <Link className="btn" href="/users">
          Clear
        </Link>
      )}
    </form>
  );
}
