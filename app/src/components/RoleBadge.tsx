/** "View only" / "Chat only" next to the room name; nothing for full access. */
import { roleLabel, roleSentence, type Role } from "../lib/access";

export function RoleBadge({ role }: { role: Role }) {
  const label = roleLabel(role);
  if (!label) return null;
  return (
    <span className="role-badge" data-role={role} title={`Your link lets you ${roleSentence(role)}.`}>
      {label}
    </span>
  );
}
