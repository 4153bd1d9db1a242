/**
 * The phone layout's tabs: Document, Chat (with its unread count) and People
 * (with how many are here). Arrow keys move between tabs (ARIA tabs pattern).
 */
import { type KeyboardEvent, useRef } from "react";

/** One of the phone layout's panels. */
export type RoomTab = "document" | "chat" | "people";
const TABS: { id: RoomTab; label: string }[] = [
  { id: "document", label: "Document" },
  { id: "chat", label: "Chat" },
  { id: "people", label: "People" },
];

type Props = { tab: RoomTab; onChange: (tab: RoomTab) => void; unread: number; people: number | null };

/** The id of a tab's button, for its panel's aria-labelledby. */
export const tabId = (tab: RoomTab) => `tab-${tab}`;

export function RoomTabs({ tab, onChange, unread, people }: Props) {
  const list = useRef<HTMLDivElement>(null);
  const onKeyDown = (e: KeyboardEvent) => {
    const i = TABS.findIndex((t) => t.id === tab);
    const next = e.key === "ArrowRight" ? (i + 1) % TABS.length : e.key === "ArrowLeft" ? (i + TABS.length - 1) % TABS.length : -1;
    if (next < 0) return;
    e.preventDefault();
    onChange(TABS[next]!.id);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[next]?.focus();
  };
  return (
    <div className="room-tabs" role="tablist" aria-label="Room" ref={list} onKeyDown={onKeyDown}>
      {TABS.map((t) => {
        const badge = t.id === "chat" && unread > 0 ? `${unread}` : t.id === "people" && people !== null ? `${people}` : null;
        const badgeLabel = t.id === "chat" ? `${unread} unread` : `${people} here`;
        return (
          <button
            key={t.id}
            type="button"
            role="tab"
            id={tabId(t.id)}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            className="room-tab"
            onClick={() => onChange(t.id)}
          >
            {t.label}
            {badge && (
              <span className={`tab-badge${t.id === "chat" ? " tab-badge-unread" : ""}`} aria-label={badgeLabel}>
                {badge}
              </span>
            )}
          </button>
        );
      })}
    </div>
  );
}
