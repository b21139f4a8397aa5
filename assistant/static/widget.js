/* Massage FAQ Assistant widget. Served by the assistant itself at /widget.js (no CDN).
   Usage: <script src="https://ASSISTANT/widget.js" data-clinic="Name" data-color="#0f766e"
          data-position="right" async></script>
   Adds a floating button that opens the chat (an iframe of ASSISTANT/embed/) and closes it. */
(function () {
  "use strict";
  var DEFAULTS = __DEFAULTS__;
  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script || window.__massageAssistantWidget) { return; }
  window.__massageAssistantWidget = true;
  var origin = new URL(script.src, document.baseURI).origin;
  var ds = script.dataset || {};
  // Only harmless, validated attributes may override the clinic's settings.
  var color = /^#[0-9a-fA-F]{3,8}$/.test(ds.color || "") ? ds.color : DEFAULTS.color;
  var position = ds.position === "left" || ds.position === "right" ? ds.position : DEFAULTS.position;
  var clinic = (ds.clinic || DEFAULTS.clinic).slice(0, 80);

  var css = [
    ".mfa-btn{position:fixed;bottom:20px;" + position + ":20px;z-index:2147483000;width:60px;height:60px;",
    "border-radius:50%;border:0;background:" + color + ";color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);",
    "display:flex;align-items:center;justify-content:center;font:600 15px/1 system-ui,sans-serif}",
    ".mfa-btn:focus-visible{outline:3px solid #1d4ed8;outline-offset:3px}",
    ".mfa-panel{position:fixed;bottom:92px;" + position + ":20px;z-index:2147483000;width:400px;max-width:calc(100vw - 40px);",
    "height:620px;max-height:calc(100vh - 120px);background:#fff;border-radius:12px;overflow:hidden;",
    "box-shadow:0 8px 30px rgba(0,0,0,.3);display:flex;flex-direction:column}",
    ".mfa-panel[hidden]{display:none}",
    ".mfa-head{background:" + color + ";color:#fff;padding:10px 14px;display:flex;align-items:center;",
    "justify-content:space-between;font:600 15px/1.3 system-ui,sans-serif}",
    ".mfa-close{background:transparent;border:0;color:#fff;font-size:24px;line-height:1;cursor:pointer;padding:2px 8px}",
    ".mfa-close:focus-visible{outline:2px solid #fff}",
    ".mfa-frame{border:0;width:100%;flex:1}",
    "@media (max-width:479px){.mfa-panel{top:0;left:0;right:0;bottom:0;width:100vw;max-width:100vw;height:100%;",
    "max-height:100%;border-radius:0}.mfa-btn[aria-expanded=true]{display:none}}"
  ].join("");
  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  var btn = document.createElement("button");
  btn.type = "button";
  btn.className = "mfa-btn";
  btn.setAttribute("aria-label", "Open chat: questions about massage for " + clinic);
  btn.setAttribute("aria-expanded", "false");
  btn.setAttribute("aria-controls", "mfa-panel");
  btn.innerHTML = '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" fill="currentColor">' +
    '<path d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  var panel = document.createElement("div");
  panel.id = "mfa-panel";
  panel.className = "mfa-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Chat with " + clinic);
  var head = document.createElement("div");
  head.className = "mfa-head";
  var title = document.createElement("span");
  title.textContent = "Ask " + clinic;
  var close = document.createElement("button");
  close.type = "button";
  close.className = "mfa-close";
  close.setAttribute("aria-label", "Close chat");
  close.textContent = "\u00d7";
  head.appendChild(title);
  head.appendChild(close);
  panel.appendChild(head);
  var frame = null;

  function open() {
    if (!frame) {  // created on first open, then kept: closing keeps the conversation
      frame = document.createElement("iframe");
      frame.className = "mfa-frame";
      frame.title = "Chat with " + clinic + " about massage";
      frame.src = origin + "/embed/";
      frame.setAttribute("allow", "clipboard-write");
      panel.appendChild(frame);
    }
    panel.hidden = false;
    btn.setAttribute("aria-expanded", "true");
    btn.setAttribute("aria-label", "Close chat");
    close.focus();
  }
  function shut() {
    panel.hidden = true;
    btn.setAttribute("aria-expanded", "false");
    btn.setAttribute("aria-label", "Open chat: questions about massage for " + clinic);
    btn.focus();
  }
  btn.addEventListener("click", function () { panel.hidden ? open() : shut(); });
  close.addEventListener("click", shut);
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) { shut(); } });
  window.addEventListener("message", function (e) {  // Escape pressed inside the chat frame
    if (e.origin === origin && e.data === "mfa-close" && !panel.hidden) { shut(); }
  });
  function mount() { document.body.appendChild(panel); document.body.appendChild(btn); }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
