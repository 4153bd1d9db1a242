/** Placeholder for embedding a room elsewhere: a small popover says it is coming. */
export function EmbedButton() {
  return (
    <>
      <button type="button" className="button" popoverTarget="embed-info" title="Embedding is coming soon">
        Embed
      </button>
      <div id="embed-info" popover="auto" className="popover popover-small" role="dialog" aria-label="Embed">
        <p>Embedding rooms in other pages is coming soon.</p>
        <button type="button" className="button button-small" popoverTarget="embed-info" popoverTargetAction="hide">
          OK
        </button>
      </div>
    </>
  );
}
