/* Massage FAQ Assistant widget. Served by the assistant itself at /widget.js (no CDN).
   Usage: <script src="https://ASSISTANT/widget.js" data-clinic="Name" data-color="#0f766e"
          data-position="right" async></script>
   Adds a chat button (early in the tab order, fixed in a corner) that opens a panel with the
   clinic's messenger page (a frame of ASSISTANT/embed/); ×, the button or Escape close it.
   On a site that is not in the assistant's MASSAGE_ALLOWED_ORIGINS the panel says so, instead
   of a frame the browser would refuse to show. */
(function () {
  "use strict";
  var DEFAULTS = __DEFAULTS__;
  var script = document.currentScript || (function () {
    var all = document.querySelectorAll('script[src*="widget.js"]');
    return all[all.length - 1];
  })();
  if (!script || window.__massageAssistantWidget) { return; }
  window.__massageAssistantWidget = true;
  // Where the assistant lives: its configured public base, else the folder widget.js came from.
  var root = new URL(DEFAULTS.base || ".", script.src).toString().replace(/\/?$/, "/");
  var origin = new URL(root).origin;
  var ds = script.dataset || {};
  var HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;
  // Only harmless, validated attributes may override the clinic's settings.
  var color = HEX.test(ds.color || "") ? ds.color : (HEX.test(DEFAULTS.color || "") ? DEFAULTS.color : "#0f766e");
  var position = ds.position === "left" || ds.position === "right" ? ds.position : (DEFAULTS.position === "left" ? "left" : "right");
  var clinic = String(ds.clinic || DEFAULTS.clinic || "our clinic").slice(0, 80);
  var origins = DEFAULTS.origins;
  var allowed = !Array.isArray(origins) || location.origin === origin || origins.indexOf(location.origin) >= 0;
  var KEY = "mfa-widget-open";

  // White or near-black on the brand colour, whichever reaches WCAG AA.
  function lum(hex) {
    var h = hex.slice(1);
    if (h.length === 3) { h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2]; }
    var c = [0, 2, 4].map(function (i) {
      var v = parseInt(h.slice(i, i + 2), 16) / 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  }
  var ink = 1.05 / (lum(color) + 0.05) >= 4.5 ? "#fff" : "#111827";

  var side = position + ":20px;";
  var css = [
    ".mfa-btn{position:fixed;bottom:20px;" + side + "z-index:2147483000;width:60px;height:60px;margin:0;padding:0;",
    "border-radius:50%;border:2px solid rgba(255,255,255,.85);background:" + color + ";color:" + ink + ";cursor:pointer;",
    "box-shadow:0 4px 14px rgba(0,0,0,.3);display:flex;align-items:center;justify-content:center}",
    ".mfa-btn:hover{transform:scale(1.05)}",
    ".mfa-btn:focus-visible{outline:3px solid #1d4ed8;outline-offset:3px;box-shadow:0 0 0 6px #fff}",
    ".mfa-btn svg{width:28px;height:28px}",
    ".mfa-panel{position:fixed;bottom:92px;" + side + "z-index:2147483000;width:400px;max-width:calc(100vw - 40px);",
    "height:680px;max-height:calc(100vh - 112px);max-height:calc(100dvh - 112px);background:#fff;border-radius:16px;",
    "overflow:hidden;box-shadow:0 12px 40px rgba(0,0,0,.28);display:flex;flex-direction:column;",
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111827;text-align:left}",
    ".mfa-panel[hidden]{display:none}",
    ".mfa-frame{border:0;width:100%;flex:1;min-height:0;display:block;background:#fff}",
    // short laptop screens: the panel may cover the button's row rather than shrink the chat
    "@media (max-height:560px){.mfa-panel{top:12px;bottom:12px;height:auto;max-height:none}",
    ".mfa-btn[aria-expanded=true]{display:none}}",
    // phones: full screen (the visual viewport follows the keyboard: see fit())
    "@media (max-width:479px){.mfa-panel{top:0;left:0;right:0;bottom:auto;width:100%;max-width:100%;",
    "height:100%;height:100dvh;max-height:none;border-radius:0}.mfa-btn[aria-expanded=true]{display:none}}",
    // the origins-not-set message
    ".mfa-off-head{display:flex;align-items:center;justify-content:space-between;gap:8px;padding:6px 6px 6px 16px;",
    "min-height:56px;background:" + color + ";color:" + ink + "}",
    ".mfa-off-head h2{margin:0;font-size:16px;font-weight:650;line-height:1.3}",
    ".mfa-off-close{min-width:44px;min-height:44px;border:0;border-radius:10px;background:transparent;color:inherit;",
    "font-size:26px;line-height:1;cursor:pointer}",
    ".mfa-off-close:focus-visible{outline:3px solid currentColor;outline-offset:-4px}",
    ".mfa-off-body{padding:16px;overflow:auto}.mfa-off-body p{margin:0 0 12px}",
    ".mfa-panel.mfa-off{height:auto}",
    ".mfa-off-body code{background:#f1f3f5;padding:1px 4px;border-radius:4px;font-size:14px;overflow-wrap:anywhere}",
    ".mfa-off-body a{color:#1d4ed8}",
    "@media (prefers-color-scheme:dark){.mfa-panel{background:#14171c;color:#eef0f3}",
    ".mfa-off-body code{background:#2d323b}.mfa-off-body a{color:#93c5fd}}"
  ].join("");
  var style = document.createElement("style");
  style.textContent = css;
  document.head.appendChild(style);

  function label(open) { return open ? "Close chat" : "Chat with " + clinic + ": questions about massage"; }
  var btn = document.createElement("button");
  btn.type = "button";
  btn.className = "mfa-btn";
  btn.setAttribute("aria-label", label(false));
  btn.setAttribute("aria-expanded", "false");
  btn.setAttribute("aria-controls", "mfa-panel");
  btn.innerHTML = '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false" fill="currentColor">' +
    '<path d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z"/></svg>';

  var panel = document.createElement("div");
  panel.id = "mfa-panel";
  panel.className = "mfa-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  panel.setAttribute("aria-label", "Chat with " + clinic);
  var frame = null, ready = false, offClose = null;

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text != null) { n.textContent = text; }
    return n;
  }

  function build() {
    if (allowed) {  // created on first open, then kept: closing keeps the conversation
      frame = el("iframe", "mfa-frame");
      frame.title = "Chat with " + clinic + " about massage";
      var q = [];
      if (ds.color && HEX.test(ds.color)) { q.push("color=" + encodeURIComponent(ds.color)); }
      if (ds.clinic) { q.push("clinic=" + encodeURIComponent(clinic)); }
      frame.src = root + "embed/" + (q.length ? "?" + q.join("&") : "");
      frame.addEventListener("load", function () { ready = true; if (!panel.hidden) { focusChat(); } });
      panel.appendChild(frame);
      return;
    }
    // Not on the list: the browser would refuse the frame (CSP frame-ancestors) and show a
    // blank box. Say what to change instead, and still give visitors a way to the chat.
    panel.className += " mfa-off";
    var head = el("div", "mfa-off-head");
    head.appendChild(el("h2", null, "Chat with " + clinic));
    offClose = el("button", "mfa-off-close", "\u00d7");
    offClose.type = "button";
    offClose.setAttribute("aria-label", "Close chat");
    offClose.addEventListener("click", shut);
    head.appendChild(offClose);
    var body = el("div", "mfa-off-body");
    body.appendChild(el("p", null, "The chat can't be shown on this website yet."));
    var p = el("p", null, "For the website's team: add ");
    p.appendChild(el("code", null, location.origin));
    p.appendChild(document.createTextNode(" to the assistant's "));
    p.appendChild(el("code", null, "MASSAGE_ALLOWED_ORIGINS"));
    p.appendChild(document.createTextNode(" setting (allowed_origins) and restart it."));
    body.appendChild(p);
    var link = el("a", null, "Open the chat in a new tab");
    link.href = root + "embed/";
    link.target = "_blank";
    link.rel = "noopener";
    var p2 = el("p");
    p2.appendChild(link);
    body.appendChild(p2);
    panel.appendChild(head);
    panel.appendChild(body);
  }

  function focusChat() {
    if (frame) {
      frame.focus();
      if (ready) { frame.contentWindow.postMessage("mfa-open", origin); }
    } else if (offClose) {
      offClose.focus();
    }
  }

  // Phones: keep the full-screen panel inside the visible area when the keyboard opens
  // (the layout viewport does not shrink on iOS; the visual viewport does).
  function fit() {
    var vv = window.visualViewport;
    if (!vv || panel.hidden || window.innerWidth >= 480) { panel.style.height = panel.style.top = ""; return; }
    panel.style.height = vv.height + "px";
    panel.style.top = vv.offsetTop + "px";
  }

  function remember(open) { try { sessionStorage.setItem(KEY, open ? "1" : ""); } catch (e) { /* storage off */ } }

  function open(focus) {
    if (!panel.firstChild) { build(); }
    panel.hidden = false;
    btn.setAttribute("aria-expanded", "true");
    btn.setAttribute("aria-label", label(true));
    fit();
    remember(true);
    if (focus) { focusChat(); }
  }
  function shut() {
    panel.hidden = true;
    btn.setAttribute("aria-expanded", "false");
    btn.setAttribute("aria-label", label(false));
    remember(false);
    btn.focus();
  }
  btn.addEventListener("click", function () { if (panel.hidden) { open(true); } else { shut(); } });
  document.addEventListener("keydown", function (e) { if (e.key === "Escape" && !panel.hidden) { shut(); } });
  window.addEventListener("message", function (e) {  // × or Escape inside the chat frame
    if (e.origin === origin && e.data === "mfa-close" && !panel.hidden) { shut(); }
  });
  if (window.visualViewport) {
    window.visualViewport.addEventListener("resize", fit);
    window.visualViewport.addEventListener("scroll", fit);
  }

  function mount() {
    // First in the body: the chat is reachable early in the tab order, wherever the page ends.
    document.body.insertBefore(panel, document.body.firstChild);
    document.body.insertBefore(btn, panel);
    var wasOpen = false;
    try { wasOpen = sessionStorage.getItem(KEY) === "1"; } catch (e) { /* storage off */ }
    // Moving to another page of the site keeps an open chat open (not on phones, where it
    // would cover the page the visitor just chose).
    if (wasOpen && window.innerWidth >= 480) { open(false); }
  }
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
})();
