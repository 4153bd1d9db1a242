/**
 * For embeds: tells the parent page how tall the frame's content wants to be,
 * as `{ type: "partyroom:height", height }` and nothing else (never the
 * token). The embed loader (public/embed.js) sizes the iframe from it.
 *
 * The embed fills whatever frame it gets, so its own size says nothing about
 * its content. To measure, the root briefly gets the `embed-measuring` class,
 * under which every region takes its natural height up to a cap (styles.css);
 * the layout is read synchronously and the class removed before any paint.
 * ResizeObserver catches size changes (the document growing, the frame
 * resized); a MutationObserver catches new chat lines inside scrolled lists.
 */
import { type RefObject, useEffect } from "react";

export function useHeightReport(root: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const el = root.current;
    if (!el || window.parent === window) return;
    let last = -1;
    let timer: ReturnType<typeof setTimeout> | null = null;
    const measure = () => {
      timer = null;
      // The measuring layout can clamp scroll positions (a log scrolled to its end): put them back.
      const scrolled = [...el.querySelectorAll<HTMLElement>(".chat-lines, .cm-scroller")].map((s) => [s, s.scrollTop] as const);
      el.classList.add("embed-measuring");
      const height = Math.ceil(el.getBoundingClientRect().height);
      el.classList.remove("embed-measuring");
      for (const [s, top] of scrolled) if (s.scrollTop !== top) s.scrollTop = top;
      if (height === last) return;
      last = height;
      window.parent.postMessage({ type: "partyroom:height", height }, "*");
    };
    const schedule = () => {
      // A task, not a frame: browsers pause animation frames in frames scrolled out of view.
      timer ??= setTimeout(measure, 0);
    };
    const resizes = new ResizeObserver(schedule);
    const watched = new Set<Element>();
    const watchParts = () => {
      for (const part of [el, ...el.querySelectorAll(".cm-content, .chat-lines > *")]) {
        if (watched.has(part)) continue;
        watched.add(part);
        resizes.observe(part);
      }
      for (const part of watched) {
        if (part.isConnected) continue;
        watched.delete(part);
        resizes.unobserve(part);
      }
    };
    // The editor rewrites its own DOM on every keystroke; its size is watched through .cm-content.
    const mutations = new MutationObserver((records) => {
      if (records.some((r) => !(r.target instanceof Element && r.target.closest(".cm-editor")))) {
        watchParts();
        schedule();
      }
    });
    watchParts();
    mutations.observe(el, { childList: true, subtree: true });
    schedule();
    return () => {
      if (timer) clearTimeout(timer);
      resizes.disconnect();
      mutations.disconnect();
    };
  }, [root]);
}
