/** The document rendered (Markdown, sanitised), following the shared text as it changes. */
import { useEffect, useState } from "react";
import type * as Y from "yjs";
import { renderMarkdown } from "../doc/markdown";

type Props = { ytext: Y.Text; hidden: boolean };

export function MarkdownPreview({ ytext, hidden }: Props) {
  const [html, setHtml] = useState(() => renderMarkdown(ytext.toString()));
  useEffect(() => {
    if (hidden) return;
    let frame = 0;
    // One render per frame however fast people type.
    const update = () => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => setHtml(renderMarkdown(ytext.toString())));
    };
    update();
    ytext.observe(update);
    return () => {
      cancelAnimationFrame(frame);
      ytext.unobserve(update);
    };
  }, [ytext, hidden]);
  return (
    <section className="preview" aria-label="Preview" hidden={hidden}>
      {/* Sanitised by DOMPurify in renderMarkdown: nothing in it can run. */}
      <div className="markdown-body" dangerouslySetInnerHTML={{ __html: html }} />
      {html === "" && <p className="muted">Nothing to preview yet.</p>}
    </section>
  );
}
