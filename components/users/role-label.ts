/** "OPERATOR" → "Operator", the way StatusBadge spells it. */
export const roleLabel = (role: string) => role.charAt(0) + role.slice(1).toLowerCase();
