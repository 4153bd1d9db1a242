/**
 * Client-side routing over the History API: `/` is home, `/r/<room>` a room,
 * `/embed/<room>` a room without the app's chrome (for iframes on other sites),
 * `/inspect[/<room>]` the operator's inspector. No router library: a few
 * routes and a popstate listener are all we need.
 */
import { type MouseEvent, useSyncExternalStore } from "react";
import { isValidRoomId } from "../../../party/protocol";
import { safeDecode, whyNotRoomId } from "./room-names";

/** What the current URL shows. */
export type Route =
  | { page: "home" }
  | { page: "room"; roomId: string }
  | { page: "embed"; roomId: string }
  /** The operator's inspector (served only to a signed-in admin): the directory, or one room. */
  | { page: "inspect"; roomId: string | null }
  /** `path` as people read it (decoded where possible); `reason`: why it is not a room, in words. */
  | { page: "not-found"; path: string; reason: string | null };

const listeners = new Set<() => void>();

function notify(): void {
  for (const listener of listeners) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  window.addEventListener("popstate", listener);
  return () => {
    listeners.delete(listener);
    window.removeEventListener("popstate", listener);
  };
}

/** Parses a pathname into a route; an invalid room id is "not found", not a crash. */
export function parseRoute(pathname: string): Route {
  if (pathname === "/" || pathname === "") return { page: "home" };
  if (/^\/inspect\/?$/.test(pathname)) return { page: "inspect", roomId: null };
  const match = /^\/(r|embed|inspect)\/([^/]+)\/?$/.exec(pathname);
  if (match?.[2]) {
    const roomId = safeDecode(match[2]);
    if (roomId !== null && isValidRoomId(roomId)) return match[1] === "inspect" ? { page: "inspect", roomId } : { page: match[1] === "embed" ? "embed" : "room", roomId };
    return { page: "not-found", path: safeDecode(pathname) ?? pathname, reason: whyNotRoomId(match[2]) };
  }
  return { page: "not-found", path: safeDecode(pathname) ?? pathname, reason: null };
}

/** The path of a room's page. */
export function roomPath(roomId: string): string {
  return `/r/${encodeURIComponent(roomId)}`;
}

/** The path of a room's embeddable view. */
export function embedPath(roomId: string): string {
  return `/embed/${encodeURIComponent(roomId)}`;
}

/** The inspector's page for a room. */
export function inspectPath(roomId: string): string {
  return `/inspect/${encodeURIComponent(roomId)}`;
}

/** Goes to `path` without a page load (pushState), or replaces the entry. */
export function navigate(path: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, "", path);
  else history.pushState(null, "", path);
  notify();
}

/**
 * Click handler for in-app links: plain left clicks navigate in place, while
 * modified clicks (new tab, new window) keep the browser's behaviour.
 */
export function onLinkClick(event: MouseEvent<HTMLAnchorElement>): void {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute("href") ?? "/");
}

/** The current route; re-renders on navigation and back/forward. */
export function useRoute(): Route {
  const pathname = useSyncExternalStore(subscribe, () => location.pathname);
  return parseRoute(pathname);
}
