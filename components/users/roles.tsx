// The roles as people read them, and the select that picks one (users and
// API tokens both have a role).
import { roleValues } from "@/lib/users/schemas";

/** "OPERATOR" → "Operator", the way StatusBadge spells it. */
export const roleLabel = (role: string) => role.charAt(0) + role.slice(1).toLowerCase();

export const roleOptions = roleValues.map((r) => ({ value: r, label: roleLabel(r) }));

export function RoleSelect(props: Omit<React.SelectHTMLAttributes<HTMLSelectElement>, "className" | "children">) {
  return (
    <select {...props} className="input">
      {roleOptions.map((o) => (
        <option key={o.value} value={o.value}>
          {o.label}
        </option>
      ))}
    </select>
  );
}
