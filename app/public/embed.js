/*
 * partyroom embed loader. Two ways to put a room on any page:
 *
 *   <script src="https://ROOMS.HOST/embed.js" data-room="standup" data-view="chat"></script>
 *
 *   <script src="https://ROOMS.HOST/embed.js" async></script>
 *   <party-room room="standup" view="both" theme="dark" name="Ada"></party-room>
 *
 * Options (data-* on the script, attributes on the element): room (required),
 * view = chat | doc | both, theme = light | dark, name, token, transport
 * (websocket | sse | poll, to force one), height (fixed
 * CSS height; without it the frame grows with its content).
 *
 * The room runs in an iframe on the rooms' own origin: the host page never
 * sees its socket or its storage, and the frame sends the host nothing but its
 * content height.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var origin = script && script.src ? new URL(script.src).origin : location.origin;
  var OPTIONS = ["view", "theme", "name", "token", "transport"];
  var frames = new Set();

  function frameUrl(room, get) {
    var url = new URL("/embed/" + encodeURIComponent(room), origin);
    OPTIONS.forEach(function (k) {
      var v = get(k);
      if (v) url.searchParams.set(k, v);
    });
    return url.toString();
  }

  function makeFrame(room, get) {
    var frame = document.createElement("iframe");
    frame.src = frameUrl(room, get);
    frame.title = "partyroom: " + room;
    frame.setAttribute("allow", "clipboard-write");
    frame.setAttribute("loading", "lazy");
    frame.style.cssText = "display:block;width:100%;border:0;color-scheme:normal;";
    var fixed = get("height");
    frame.style.height = fixed || "420px";
    if (!fixed) frames.add(frame);
    return frame;
  }

  // The embed page reports its content height; only frames we made, from the rooms' origin, are resized.
  window.addEventListener("message", function (e) {
    if (e.origin !== origin || !e.data || e.data.type !== "partyroom:height") return;
    frames.forEach(function (frame) {
      if (frame.contentWindow === e.source) frame.style.height = Math.max(120, Math.ceil(Number(e.data.height) || 0)) + "px";
    });
  });

  if (script && script.dataset && script.dataset.room) {
    var data = script.dataset;
    script.insertAdjacentElement("afterend", makeFrame(data.room, function (k) { return data[k]; }));
  }

  if (window.customElements && !customElements.get("party-room")) {
    customElements.define(
      "party-room",
      class extends HTMLElement {
        static get observedAttributes() {
          return ["room", "view", "theme", "name", "token", "transport", "height"];
        }
        connectedCallback() {
          this.render();
        }
        attributeChangedCallback() {
          if (this.isConnected) this.render();
        }
        disconnectedCallback() {
          if (this.frame) frames.delete(this.frame);
        }
        render() {
          var room = this.getAttribute("room");
          if (this.frame) frames.delete(this.frame);
          this.textContent = "";
          if (!room) return;
          var el = this;
          this.frame = makeFrame(room, function (k) { return el.getAttribute(k); });
          this.style.display = "block";
          this.appendChild(this.frame);
        }
      },
    );
  }
})();
