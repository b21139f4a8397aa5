/* The widget's messenger page (/embed/): asks POST ../api/ask with the conversation's earlier
   questions, records thumbs through POST ../api/feedback, keeps the conversation in
   sessionStorage (this browser tab and site only; nothing new on the server).
   Safety of rendering: every piece of text goes in with textContent; answers get a tiny
   Markdown subset (paragraphs, **bold**, [n] source markers, links to http(s), tel: and
   mailto: only). A visitor's own text is never parsed at all. */
(function () {
  "use strict";

  var STORE_KEY = "mfa-chat-v1";
  var MAX_TURNS = 40;        // turns kept in the session (older ones scroll off)
  var HISTORY_TURNS = 8;     // earlier questions sent for follow-ups and safety context
  var FEEDBACK_WAIT_MS = 20000;  // a thumbs-down waits this long for a reason, then is sent alone
  var REASONS = ["Didn't answer my question", "Hard to understand", "Seems wrong"];
  var HEX = /^#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/;

  var cfg = readConfig();
  var framed = window.parent !== window;
  var $ = function (id) { return document.getElementById(id); };
  var log = $("mfa-log"), form = $("mfa-form"), input = $("mfa-input"), send = $("mfa-send");
  var typing = $("mfa-typing");
  var state = loadState();
  var busy = false;
  var pending = null;  // a thumbs-down waiting for its reason: {turn, timer, box}
  var seq = 0;

  function readConfig() {
    var c = {};
    try { c = JSON.parse(document.getElementById("mfa-config").textContent || "{}") || {}; } catch (e) { c = {}; }
    var params = new URLSearchParams(location.search);
    // The snippet's data-color / data-clinic reach the frame as parameters; only harmless,
    // validated values may override the clinic's settings.
    var color = params.get("color");
    if (color && HEX.test(color)) { c.accent_color = color; }
    var clinic = params.get("clinic");
    if (clinic && clinic.trim()) { c.clinic_name = clinic.trim().slice(0, 80); }
    if (!HEX.test(c.accent_color || "")) { c.accent_color = "#0f766e"; }
    c.clinic_name = c.clinic_name || "our clinic";
    c.notice = c.notice || "General information only: not medical advice. Consult your healthcare provider.";
    c.examples = Array.isArray(c.examples) ? c.examples.slice(0, 6) : [];
    c.max_question_chars = +c.max_question_chars || 1000;
    return c;
  }

  /* ---------- colour: brand colour with WCAG AA text whatever it is ---------- */
  function rgb(hex) {
    var h = hex.slice(1);
    if (h.length === 3) { h = h[0] + h[0] + h[1] + h[1] + h[2] + h[2]; }
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }
  function lum(c) {
    var a = c.map(function (v) { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
    return 0.2126 * a[0] + 0.7152 * a[1] + 0.0722 * a[2];
  }
  function contrast(a, b) {
    var x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05);
  }
  function css(c) { return "rgb(" + c.map(Math.round).join(",") + ")"; }
  function mix(c, to, t) { return c.map(function (v, i) { return v + (to[i] - v) * t; }); }
  // The brand colour moved toward black (light page) or white (dark page) just enough for
  // text in it to reach 4.5:1 on that page's background.
  function ink(c, bg, toward) {
    for (var t = 0; t <= 1.0001; t += 0.04) {
      var m = mix(c, toward, t);
      if (contrast(m, bg) >= 4.6) { return m; }
    }
    return toward;
  }
  function applyBrand() {
    var c = rgb(cfg.accent_color);
    var white = [255, 255, 255], dark = [17, 24, 39];
    var on = contrast(c, white) >= 4.5 ? white : dark;
    var root = document.documentElement.style;
    root.setProperty("--accent", cfg.accent_color);
    root.setProperty("--on-accent", css(on));
    // Measured against the darkest (light mode) or lightest (dark mode) surface it sits on:
    // the source-marker pills (--surface-2 in chat.css).
    root.setProperty("--accent-ink-light", css(ink(c, [233, 236, 239], [0, 0, 0])));
    root.setProperty("--accent-ink-dark", css(ink(c, [45, 50, 59], white)));
  }

  /* ---------- storage ---------- */
  function loadState() {
    try {
      var s = JSON.parse(sessionStorage.getItem(STORE_KEY) || "null");
      if (s && Array.isArray(s.turns)) { return s; }
    } catch (e) { /* storage off or unreadable: start fresh */ }
    return { turns: [] };
  }
  function save() {
    state.turns = state.turns.slice(-MAX_TURNS);
    try { sessionStorage.setItem(STORE_KEY, JSON.stringify(state)); } catch (e) { /* private mode: keep in memory */ }
  }

  /* ---------- small DOM helpers ---------- */
  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text != null) { n.textContent = text; }
    return n;
  }
  function svg(path, size) {
    var ns = "http://www.w3.org/2000/svg";
    var s = document.createElementNS(ns, "svg");
    s.setAttribute("viewBox", "0 0 24 24");
    s.setAttribute("width", size || 20);
    s.setAttribute("height", size || 20);
    s.setAttribute("aria-hidden", "true");
    s.setAttribute("focusable", "false");
    var p = document.createElementNS(ns, "path");
    p.setAttribute("fill", "currentColor");
    p.setAttribute("d", path);
    s.appendChild(p);
    return s;
  }
  var ICON = {
    up: "M2 21h4V9H2v12zm20-11a2 2 0 0 0-2-2h-6.3l1-4.6v-.3c0-.4-.2-.8-.4-1.1L13.2 1 6.6 7.6c-.4.4-.6.9-.6 1.4v10a2 2 0 0 0 2 2h9c.8 0 1.5-.5 1.8-1.2l3-7.1.2-.7v-2z",
    down: "M22 3h-4v12h4V3zM2 14a2 2 0 0 0 2 2h6.3l-1 4.6v.3c0 .4.2.8.4 1.1l1.1 1 6.6-6.6c.4-.4.6-.9.6-1.4V5a2 2 0 0 0-2-2H7c-.8 0-1.5.5-1.8 1.2l-3 7.1L2 12v2z",
    phone: "M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2c.3-.3.7-.4 1-.2 1.1.4 2.3.6 3.6.6.6 0 1 .4 1 1V20c0 .6-.4 1-1 1A17 17 0 0 1 3 4c0-.6.4-1 1-1h3.5c.6 0 1 .4 1 1 0 1.3.2 2.5.6 3.6.1.3 0 .7-.2 1l-2.3 2.2z",
    mail: "M20 4H4a2 2 0 0 0-2 2v12c0 1.1.9 2 2 2h16a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 4-8 5-8-5V6l8 5 8-5v2z",
    calendar: "M19 4h-1V2h-2v2H8V2H6v2H5a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h14a2 2 0 0 0 2-2V6a2 2 0 0 0-2-2zm0 16H5V9h14v11z",
    alert: "M1 21h22L12 2 1 21zm12-3h-2v-2h2v2zm0-4h-2v-4h2v4z"
  };
  function telHref(number) {
    var digits = String(number || "").replace(/[^\d+]/g, "");
    return digits ? "tel:" + digits : "";
  }
  // "988 (Suicide & Crisis Lifeline)" -> "988": the dialable part at the start.
  function leadingNumber(text) {
    var m = /^\s*(\+?[\d][\d\s().-]{1,18}\d|\d{2,})/.exec(String(text || ""));
    return m ? m[1].trim() : "";
  }
  function safeUrl(u) {
    u = String(u || "").trim();
    return /^(https?:\/\/|tel:|mailto:)/i.test(u) ? u : "";
  }
  function link(href, text, cls) {
    var a = el("a", cls, text);
    a.href = href;
    if (/^https?:/i.test(href)) { a.target = "_blank"; a.rel = "noopener noreferrer"; }
    return a;
  }
  function action(href, text, icon, label) {
    var a = link(href, "", "mfa-action");
    a.appendChild(svg(icon, 18));
    a.appendChild(document.createTextNode(text));
    if (label) { a.setAttribute("aria-label", label); }
    return a;
  }
  function contactLinks() {
    var out = [];
    if (telHref(cfg.contact_phone)) {
      out.push({ href: telHref(cfg.contact_phone), short: "Call", text: "Call " + cfg.contact_phone, icon: ICON.phone });
    }
    if (cfg.contact_email && /^[^\s@<>]+@[^\s@<>]+$/.test(cfg.contact_email)) {
      out.push({ href: "mailto:" + cfg.contact_email, short: "Email", text: "Email us", icon: ICON.mail,
                 label: "Email " + cfg.contact_email });
    }
    if (safeUrl(cfg.booking_url) && /^https?:/i.test(cfg.booking_url)) {
      out.push({ href: cfg.booking_url, short: "Book online", text: "Book a visit", icon: ICON.calendar,
                 label: "Book a visit (opens in a new tab)" });
    }
    return out;
  }

  /* ---------- the tiny Markdown subset ---------- */
  var INLINE = /\*\*([\s\S]+?)\*\*|\[([^\]\n]+)\]\(([^)\s]+)\)|\[(\d{1,2})\]/g;
  function inline(parent, text, ctx, inBold) {
    var last = 0, m;
    INLINE.lastIndex = 0;
    var re = new RegExp(INLINE.source, "g");
    while ((m = re.exec(text))) {
      if (m.index > last) { parent.appendChild(document.createTextNode(text.slice(last, m.index))); }
      if (m[1] != null && !inBold) {
        var phone = ctx.urgent && /^\+?[\d][\d\s().-]{0,18}$/.test(m[1].trim()) ? telHref(m[1]) : "";
        var b = el("strong");
        if (phone) { b.appendChild(link(phone, m[1].trim())); } else { inline(b, m[1], ctx, true); }
        parent.appendChild(b);
      } else if (m[1] != null) {
        parent.appendChild(document.createTextNode(m[0]));
      } else if (m[2] != null) {
        var href = safeUrl(m[3]);
        parent.appendChild(href ? link(href, m[2]) : document.createTextNode(m[2]));
      } else {
        parent.appendChild(ctx.cite ? ctx.cite(+m[4]) : document.createTextNode(m[0]));
      }
      last = re.lastIndex;
    }
    if (last < text.length) { parent.appendChild(document.createTextNode(text.slice(last))); }
  }
  function markdown(parent, text, ctx) {
    String(text || "").split(/\n{2,}/).forEach(function (para) {
      if (!para.trim()) { return; }
      var p = el("p");
      para.split("\n").forEach(function (line, i) {
        if (i) { p.appendChild(el("br")); }
        inline(p, line, ctx || {}, false);
      });
      parent.appendChild(p);
    });
  }

  /* ---------- messages ---------- */
  function msgShell(kind, who) {
    var m = el("div", "mfa-msg " + kind);
    m.appendChild(el("div", "mfa-who mfa-sr", who));
    var b = el("div", "mfa-bubble");
    m.appendChild(b);
    return { msg: m, bubble: b };
  }

  function renderWelcome() {
    var s = msgShell("mfa-bot mfa-welcome", cfg.clinic_name + " says:");
    markdown(s.bubble, cfg.welcome_message || "Hi! Ask me about massage.");
    if (cfg.examples.length) {
      var box = el("div", "mfa-examples");
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "Example questions");
      cfg.examples.forEach(function (q) {
        var chip = el("button", "mfa-chip", q);
        chip.type = "button";
        chip.addEventListener("click", function () { ask(q); });
        box.appendChild(chip);
      });
      s.bubble.appendChild(box);
    }
    log.appendChild(s.msg);
  }

  function renderUser(turn) {
    var s = msgShell("mfa-user", "You said:");
    s.bubble.textContent = turn.text;  // never parsed: visitors' text is only ever text
    log.appendChild(s.msg);
    return s.msg;
  }

  function isFaq(c) { return String(c.chunk_id || "").indexOf("faq#") === 0; }

  function renderSources(turn, sources) {
    var cites = (turn.a && turn.a.citations) || [];
    var details = el("details", "mfa-sources");
    var sum = el("summary", null, cites.length === 1 ? "Source (1)" : "Sources (" + cites.length + ")");
    details.appendChild(sum);
    cites.forEach(function (c) {
      var item = el("div", "mfa-source");
      item.id = "src-" + turn.id + "-" + c.n;
      item.tabIndex = -1;
      var head = el("p", "mfa-source-head");
      head.appendChild(el("span", "mfa-source-n", "[" + c.n + "]"));
      if (isFaq(c)) {
        // The FAQ answer is the reply itself: name it, don't repeat it.
        head.appendChild(document.createTextNode("From our FAQ"));
        if (c.section) { head.appendChild(el("span", "mfa-source-section", ": \u201c" + c.section + "\u201d")); }
        item.appendChild(head);
      } else {
        head.appendChild(document.createTextNode(c.title || "Our article"));
        if (c.section && c.section !== c.title) { head.appendChild(el("span", "mfa-source-section", " \u2014 " + c.section)); }
        item.appendChild(head);
        item.appendChild(el("blockquote", "mfa-source-text", String(c.text || "").trim()));
        var also = (c.also_in || []).map(function (a) { return a.title; }).filter(Boolean);
        if (also.length) { item.appendChild(el("p", "mfa-source-also", "Also said in: " + also.join("; "))); }
      }
      details.appendChild(item);
    });
    sources.details = details;
    return details;
  }

  function openSource(turn, sources, n) {
    var d = sources.details;
    if (!d) { return; }
    d.open = true;
    var item = document.getElementById("src-" + turn.id + "-" + n);
    if (!item) { return; }
    item.classList.add("is-flash");
    setTimeout(function () { item.classList.remove("is-flash"); }, 1600);
    item.scrollIntoView({ block: "nearest", behavior: reducedMotion() ? "auto" : "smooth" });
    item.focus({ preventScroll: true });
  }

  function renderBot(turn) {
    var a = turn.a || {};
    var urgent = a.status === "urgent";
    var s = msgShell("mfa-bot" + (urgent ? " mfa-urgent" : ""), cfg.clinic_name + " says:");
    var sources = {};
    var titles = {};
    (a.citations || []).forEach(function (c) { titles[c.n] = isFaq(c) ? "From our FAQ" : c.title; });
    var ctx = {
      urgent: urgent,
      cite: (a.citations || []).length && !urgent ? function (n) {
        if (!titles[n]) { return document.createTextNode("[" + n + "]"); }
        var btn = el("button", "mfa-cite", String(n));
        btn.type = "button";
        btn.setAttribute("aria-label", "Source " + n + ": " + titles[n]);
        btn.addEventListener("click", function () { openSource(turn, sources, n); });
        return btn;
      } : null
    };
    if (urgent) {
      s.bubble.setAttribute("role", "alert");
      var title = el("p", "mfa-urgent-title");
      title.appendChild(svg(ICON.alert, 20));
      title.appendChild(document.createTextNode("Please get help now"));
      s.bubble.appendChild(title);
    }
    markdown(s.bubble, a.answer, ctx);
    if (urgent) {
      var card = el("div", "mfa-contact-card");
      var emergency = telHref(cfg.emergency_number);
      if (emergency) { card.appendChild(action(emergency, "Call " + cfg.emergency_number, ICON.phone)); }
      var crisis = leadingNumber(cfg.crisis_line);
      if (a.safety && a.safety.category === "crisis" && telHref(crisis)) {
        card.appendChild(action(telHref(crisis), "Call " + crisis, ICON.phone, "Call " + cfg.crisis_line));
      }
      if (card.childNodes.length) { s.bubble.appendChild(card); }
    }
    if (a.status === "no_answer") {
      // The ways out the reply's own text doesn't already link to, as big buttons.
      var linked = Array.prototype.map.call(s.bubble.querySelectorAll("a"), function (x) { return x.getAttribute("href"); });
      var ways = contactLinks().filter(function (w) { return linked.indexOf(w.href) < 0; });
      if (ways.length) {
        var box = el("div", "mfa-contact-card");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "Contact " + cfg.clinic_name);
        ways.forEach(function (w) { box.appendChild(action(w.href, w.text, w.icon, w.label)); });
        s.bubble.appendChild(box);
      }
    }
    if ((a.citations || []).length && !urgent) { s.bubble.appendChild(renderSources(turn, sources)); }
    if (a.status === "answered") { s.msg.appendChild(renderFeedback(turn)); }
    log.appendChild(s.msg);
    return s.msg;
  }

  function renderError(text, notice, retry) {
    var s = msgShell("mfa-bot mfa-error", cfg.clinic_name + " says:");
    markdown(s.bubble, text);
    s.bubble.appendChild(el("p", "mfa-error-notice", notice || cfg.notice));
    if (retry) {
      var b = el("button", "mfa-chip mfa-retry", "Try again");
      b.type = "button";
      b.addEventListener("click", function () { s.msg.remove(); retry(); });
      s.bubble.appendChild(b);
    }
    log.appendChild(s.msg);
    return s.msg;
  }

  /* ---------- feedback ---------- */
  function renderFeedback(turn) {
    var box = el("div", "mfa-actions");
    var up = thumb("up", "Helpful"), down = thumb("down", "Not helpful");
    var note = el("span", "mfa-thanks");
    note.setAttribute("role", "status");
    box.appendChild(up);
    box.appendChild(down);
    box.appendChild(note);
    function mark() {
      up.setAttribute("aria-pressed", String(turn.fb === "up"));
      down.setAttribute("aria-pressed", String(turn.fb === "down"));
      up.disabled = down.disabled = !!turn.fb;
    }
    function thumb(kind, label) {
      var b = el("button", "mfa-thumb");
      b.type = "button";
      b.setAttribute("aria-label", label);
      b.setAttribute("aria-pressed", "false");
      b.appendChild(svg(ICON[kind], 20));
      b.addEventListener("click", function () {
        if (turn.fb) { return; }
        flushPending();
        turn.fb = kind;
        save();
        mark();
        if (kind === "up") {
          postFeedback(turn, true);
          note.textContent = "Thanks for letting us know.";
        } else {
          askReason(turn, box, note);
        }
      });
      return b;
    }
    mark();
    if (turn.fb) { note.textContent = "Thanks for your feedback."; }
    return box;
  }

  function askReason(turn, box, note) {
    note.textContent = "Thanks. What went wrong?";
    var reasons = el("div", "mfa-reasons");
    reasons.setAttribute("role", "group");
    reasons.setAttribute("aria-label", "What went wrong?");
    pending = { turn: turn, box: reasons, note: note };
    REASONS.concat(["Skip"]).forEach(function (r) {
      var b = el("button", "mfa-chip", r);
      b.type = "button";
      b.addEventListener("click", function () { flushPending(r === "Skip" ? "" : r); });
      reasons.appendChild(b);
    });
    box.parentNode.appendChild(reasons);
    pending.timer = setTimeout(function () { flushPending(""); }, FEEDBACK_WAIT_MS);
    reasons.firstChild.focus();
  }
  function flushPending(reason) {
    if (!pending) { return; }
    var p = pending;
    pending = null;
    clearTimeout(p.timer);
    postFeedback(p.turn, false, reason || "");
    if (p.box.parentNode) { p.box.parentNode.removeChild(p.box); }
    p.note.textContent = "Thanks for your feedback.";
  }
  function postFeedback(turn, helpful, reason) {
    var a = turn.a || {};
    var body = { question: turn.q, status: a.status, helpful: helpful,
                 chunk_ids: (a.citations || []).map(function (c) { return c.chunk_id; }) };
    if (reason) { body.reason = reason; }
    try {
      fetch(api("api/feedback"), { method: "POST", keepalive: true, headers: { "Content-Type": "application/json" },
                                   body: JSON.stringify(body) }).catch(function () {});
    } catch (e) { /* feedback is best effort: the visitor's chat carries on */ }
  }

  /* ---------- asking ---------- */
  function api(path) { return new URL("../" + path, location.href).toString(); }

  // The visitor's earlier questions (not the answers: the server needs only these for
  // follow-ups and safety context, and they keep the body small).
  function earlierQuestions() {
    return state.turns.filter(function (t) { return t.role === "user"; }).slice(-HISTORY_TURNS)
      .map(function (t) { return { role: "user", content: t.text }; });
  }

  function setBusy(on) {
    busy = on;
    send.disabled = on;
    typing.textContent = "";
    if (on) {
      var dots = el("span", "mfa-dots");
      dots.setAttribute("aria-hidden", "true");
      dots.appendChild(el("i"));
      dots.appendChild(el("i"));
      dots.appendChild(el("i"));
      typing.appendChild(dots);
      typing.appendChild(document.createTextNode(cfg.clinic_name + " is looking that up\u2026"));
    }
  }

  function ask(text) {
    text = String(text || "").trim();
    if (!text || busy) { return; }
    flushPending();
    var turn = { id: "u" + Date.now().toString(36) + (seq++), role: "user", text: text.slice(0, cfg.max_question_chars + 50) };
    var hist = earlierQuestions();
    state.turns.push(turn);
    save();
    follow(renderUser(turn), false);
    input.value = "";
    autosize();
    request(text, hist);
  }

  function request(text, hist) {
    setBusy(true);
    var status = 0;
    fetch(api("api/ask"), { method: "POST", headers: { "Content-Type": "application/json" },
                             body: JSON.stringify({ question: text, history: hist }) })
      .then(function (r) {
        status = r.status;
        return r.json().catch(function () { return null; });
      })
      .then(function (data) {
        setBusy(false);
        if (data && status === 200 && /^(answered|no_answer|urgent)$/.test(data.status)) {
          var turn = { id: "b" + Date.now().toString(36) + (seq++), role: "bot", q: text, a: data, fb: null };
          state.turns.push(turn);
          save();
          follow(renderBot(turn), true);
        } else {
          var msg = data && typeof data.answer === "string" && data.answer ? data.answer
            : "Sorry, something went wrong on our side. Please try again in a moment, or contact the clinic.";
          var canRetry = status === 503 || status >= 500 || (data && data.reason === "busy");
          if (status === 503 || (data && data.reason === "busy")) {
            msg += "\n\nWe'll be ready again in a few seconds: press \u201cTry again\u201d.";
          }
          follow(renderError(msg, data && data.notice, canRetry ? function () { request(text, hist); } : null), true);
        }
      })
      .catch(function () {
        setBusy(false);
        follow(renderError("We couldn't reach the clinic's assistant. Please check your connection and try again.",
                           null, function () { request(text, hist); }), true);
      });
  }

  /* ---------- follow the newest message ---------- */
  function reducedMotion() { return window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches; }
  // Is the visitor reading the newest message at the bottom of the log? Kept by the log's scroll
  // events, except while our own smooth scroll to the bottom is under way: its intermediate
  // positions are not the visitor scrolling up (a phone keyboard opening mid-scroll used to leave
  // the newest answer out of view).
  var atBottom = true, scrollingDown = 0;
  function follow(node, isAnswer) {
    var behavior = reducedMotion() ? "auto" : "smooth";
    // A long answer is shown from its start; anything shorter than the log, to the bottom.
    // Measured against the log itself (not offsetTop, which depends on the offset parent).
    var within = node.getBoundingClientRect().top - log.getBoundingClientRect().top + log.scrollTop;
    var toStart = isAnswer && node.offsetHeight > log.clientHeight - 16;
    atBottom = !toStart;
    scrollingDown = toStart ? 0 : Date.now();
    log.scrollTo({ top: toStart ? within - 8 : log.scrollHeight, behavior: behavior });
  }

  /* ---------- the page ---------- */
  function renderAll() {
    log.textContent = "";
    renderWelcome();
    state.turns.forEach(function (t) { if (t.role === "user") { renderUser(t); } else { renderBot(t); } });
    log.scrollTop = log.scrollHeight;
  }

  function newChat() {
    flushPending();
    state = { turns: [] };
    save();
    renderAll();
    input.value = "";
    autosize();
    input.focus();
  }

  function autosize() {
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight + 3, 132) + "px";
  }

  function setupNotice() {
    var box = $("notice"), text = $("mfa-notice-text"), more = $("mfa-notice-more");
    text.textContent = cfg.notice;
    function fits() {  // the button only when two lines don't hold the whole notice
      if (box.classList.contains("is-open")) { return; }
      more.hidden = text.scrollHeight <= text.clientHeight + 1;
    }
    more.addEventListener("click", function () {
      var open = box.classList.toggle("is-open");
      more.textContent = open ? "Less" : "More";
      more.setAttribute("aria-expanded", String(open));
    });
    fits();
    window.addEventListener("resize", fits);
  }

  function setupHeader() {
    $("mfa-title").textContent = cfg.clinic_name;
    document.title = "Chat with " + cfg.clinic_name;
    var ways = contactLinks(), box = $("mfa-contacts");
    ways.forEach(function (w, i) {
      if (i) { box.appendChild(el("span", "mfa-sep", "\u00b7")).setAttribute("aria-hidden", "true"); }
      var a = link(w.href, w.short);
      a.setAttribute("aria-label", w.label || w.text);
      box.appendChild(a);
    });
    box.hidden = !ways.length;
    var close = $("mfa-close");
    close.hidden = !framed;
    close.addEventListener("click", closeWidget);
    $("mfa-new").addEventListener("click", newChat);
  }

  function closeWidget() { if (framed) { window.parent.postMessage("mfa-close", "*"); } }

  function init() {
    applyBrand();
    setupHeader();
    setupNotice();
    input.maxLength = cfg.max_question_chars;
    renderAll();
    form.addEventListener("submit", function (e) { e.preventDefault(); ask(input.value); });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); ask(input.value); }
    });
    input.addEventListener("input", autosize);
    document.addEventListener("keydown", function (e) {
      if (e.key === "Escape") { closeWidget(); }
    });
    window.addEventListener("message", function (e) {  // the widget opened the panel: focus the input
      if (e.source === window.parent && e.data === "mfa-open") { input.focus({ preventScroll: true }); }
    });
    window.addEventListener("pagehide", function () { flushPending(); });
    // When the log gets shorter (a phone's keyboard opens, the notice expands), a visitor
    // who was reading the newest message keeps seeing it.
    log.addEventListener("scroll", function () {
      var bottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
      if (scrollingDown && !bottom && Date.now() - scrollingDown < 1500) { return; }  // ours, still moving
      scrollingDown = 0;
      atBottom = bottom;
    });
    if (window.ResizeObserver) {
      new ResizeObserver(function () {
        if (atBottom) { log.scrollTo({ top: log.scrollHeight, behavior: "instant" }); }
      }).observe(log);
    }
    if (!framed) { input.focus({ preventScroll: true }); }
  }

  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", init); } else { init(); }
})();
