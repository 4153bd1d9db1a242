/** What a connection may do: view (read only), chat (and read), edit (everything). */
export const ROLES = ["view", "chat", "edit"] as const;
export type Role = (typeof ROLES)[number];

/** Whether `role` may do `action`. The server enforces this; clients use it to hide what they cannot do. */
export function can(role: Role, action: "chat" | "edit"): boolean {
  return action === "chat" ? role !== "view" : role === "edit";
}
