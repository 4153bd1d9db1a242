/**
 * The document rendered for reading: Markdown (GitHub flavoured, by marked)
 * turned into HTML and then sanitised by DOMPurify, since the text is
 * written by anyone in the room. Links open in a new tab without an opener.
 * The result is only ever set as innerHTML of the preview, never run.
 */
import DOMPurify from "dompurify";
import { Marked } from "marked";

// `breaks`: a single newline is a line break, as people expect in shared notes.
const marked = new Marked({ gfm: true, breaks: true, async: false });

let hooked = false;
function purifier(): typeof DOMPurify {
  if (!hooked) {
    hooked = true;
    DOMPurify.addHook("afterSanitizeAttributes", (node) => {
      if (node.tagName === "A" && node.getAttribute("href")) {
        node.setAttribute("target", "_blank");
        node.setAttribute("rel", "noopener noreferrer nofollow");
      }
      // Task list boxes ("- [x] done") are the only inputs kept: read-only, and named for screen readers.
      if (node.tagName === "INPUT") {
        if (node.getAttribute("type") !== "checkbox") node.remove();
        else {
          node.setAttribute("disabled", "");
          node.setAttribute("aria-label", node.hasAttribute("checked") ? "Done" : "To do");
        }
      }
    });
  }
  return DOMPurify;
}

/** Safe HTML for `markdown`: no scripts, handlers, `javascript:` links, forms or frames. */
export function renderMarkdown(markdown: string): string {
  const html = marked.parse(markdown) as string;
  return purifier().sanitize(html, { USE_PROFILES: { html: true }, FORBID_TAGS: ["style", "form", "button", "textarea", "select"] });
}
