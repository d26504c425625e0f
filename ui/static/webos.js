// WebOS shell script. The pages are HTML from the server, navigated with
// htmx; this file does only what HTML cannot: the command palette
// (Ctrl+K / Cmd+K), the theme toggle, the sidebar drawer on narrow
// screens, and the Server-Sent Events widgets (progress bars, log
// terminals).
(function () {
  "use strict";

  var root = document.documentElement;
  var darkQuery = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;

  function byId(id) { return document.getElementById(id); }

  // ---- Theme -------------------------------------------------------------

  function effectiveTheme() {
    var t = root.getAttribute("data-theme");
    if (t === "light" || t === "dark") return t;
    return darkQuery && darkQuery.matches ? "dark" : "light";
  }

  function syncThemeButton() {
    var b = byId("theme-toggle");
    if (b) b.setAttribute("aria-pressed", effectiveTheme() === "dark" ? "true" : "false");
  }

  function toggleTheme() {
    var next = effectiveTheme() === "dark" ? "light" : "dark";
    root.setAttribute("data-theme", next);
    syncThemeButton();
    var url = root.getAttribute("data-theme-url");
    if (!url) return;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: "theme=" + encodeURIComponent(next)
    }).catch(function () { /* the choice still holds for this page */ });
  }

  if (darkQuery && darkQuery.addEventListener) darkQuery.addEventListener("change", syncThemeButton);

  // ---- Drawer ------------------------------------------------------------

  function setDrawer(open) {
    document.body.classList.toggle("drawer-open", open);
    var t = document.querySelector("[data-action=drawer-toggle]");
    if (t) t.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) {
      var current = document.querySelector("#sidebar [aria-current=page]") || document.querySelector("#sidebar a");
      if (current) current.focus();
    }
  }

  function drawerOpen() { return document.body.classList.contains("drawer-open"); }

  // ---- Command palette -----------------------------------------------------

  var opener = null;
  var activeIndex = -1;

  function palette() { return byId("palette"); }
  function paletteInput() { return byId("palette-input"); }
  function options() {
    var list = byId("palette-list");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }
  function visibleOptions() { return options().filter(function (o) { return !o.hidden; }); }

  // score returns how well query matches text as a subsequence (higher is
  // better), or -1. Consecutive letters and letters at word starts count
  // more; so does an early first match.
  function score(text, query) {
    text = text.toLowerCase();
    var s = 0, from = 0, prev = -2, first = -1;
    for (var i = 0; i < query.length; i++) {
      var c = query.charAt(i);
      if (c === " ") continue;
      var at = text.indexOf(c, from);
      if (at < 0) return -1;
      if (first < 0) first = at;
      s += 1;
      if (at === prev + 1) s += 4;
      if (at === 0 || " -_./:".indexOf(text.charAt(at - 1)) >= 0) s += 3;
      prev = at;
      from = at + 1;
    }
    return s - first * 0.05 - text.length * 0.001;
  }

  // match scores an option: a fuzzy match of its title, else its keywords
  // containing the query (ranked below title matches), else -1.
  function match(o, query) {
    var title = o.querySelector(".palette-title");
    var sc = score(title ? title.textContent : o.textContent, query);
    if (sc >= 0) return sc + 100;
    var words = (o.getAttribute("data-keywords") || "").toLowerCase();
    var at = words.indexOf(query);
    if (at >= 0) return 50 - at * 0.01;
    return -1;
  }

  function filterPalette(query) {
    query = query.trim().toLowerCase();
    var list = byId("palette-list");
    if (!list) return;
    var all = options();
    var ranked = [];
    all.forEach(function (o, i) {
      var sc = query === "" ? 0 : match(o, query);
      o.hidden = sc < 0;
      if (sc >= 0) ranked.push({ o: o, sc: sc, i: i });
    });
    if (query !== "") {
      ranked.sort(function (a, b) { return b.sc - a.sc || a.i - b.i; });
      ranked.forEach(function (r) { list.appendChild(r.o); });
    } else {
      all.sort(function (a, b) { return optionIndex(a) - optionIndex(b); });
      all.forEach(function (o) { list.appendChild(o); });
    }
    var empty = document.querySelector("#palette .palette-empty");
    if (empty) empty.hidden = ranked.length > 0;
    setActive(ranked.length > 0 ? 0 : -1);
  }

  function optionIndex(o) { return parseInt(o.id.replace("palette-opt-", ""), 10) || 0; }

  function setActive(i) {
    var vis = visibleOptions();
    var input = paletteInput();
    options().forEach(function (o) { o.setAttribute("aria-selected", "false"); o.classList.remove("active"); });
    activeIndex = vis.length === 0 ? -1 : (i + vis.length) % vis.length;
    if (activeIndex >= 0) {
      var o = vis[activeIndex];
      o.setAttribute("aria-selected", "true");
      o.classList.add("active");
      o.scrollIntoView({ block: "nearest" });
      if (input) input.setAttribute("aria-activedescendant", o.id);
    } else if (input) {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function openPalette() {
    var p = palette(), input = paletteInput();
    if (!p || p.open) return;
    opener = document.activeElement;
    input.value = "";
    filterPalette("");
    p.showModal();
    input.focus();
  }

  function closePalette() {
    var p = palette();
    if (p && p.open) p.close();
  }

  function runOption(o) {
    if (!o) return;
    closePalette();
    // The dialog gave focus back to where it was; the command is about to
    // move on, so keep the rest of this key press away from that element.
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    var link = o.querySelector("a[href]");
    if (link) { link.click(); return; }
    var form = o.querySelector("form");
    if (form) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }

  function onPaletteKey(e) {
    switch (e.key) {
      case "ArrowDown": e.preventDefault(); setActive(activeIndex + 1); break;
      case "ArrowUp": e.preventDefault(); setActive(activeIndex - 1); break;
      case "Home": if (e.ctrlKey) { e.preventDefault(); setActive(0); } break;
      case "End": if (e.ctrlKey) { e.preventDefault(); setActive(-1); } break;
      case "Enter":
        e.preventDefault();
        runOption(visibleOptions()[activeIndex]);
        break;
    }
  }

  // ---- Server-Sent Events widgets -------------------------------------------

  var finalStates = { succeeded: true, failed: true, cancelled: true, canceled: true };

  function wireProgress(el, es) {
    var bar = el.querySelector("progress");
    var label = el.querySelector("[data-progress-label]");
    function onEvent(ev) {
      if (typeof ev.data !== "string" || ev.data === "") return;
      var d;
      try { d = JSON.parse(ev.data); } catch (err) { d = { message: ev.data }; }
      var pct = d.percent !== undefined ? d.percent : d.progress;
      var state = d.state || d.status || ev.type;
      if (typeof pct === "number" && bar) bar.value = Math.max(0, Math.min(100, pct));
      if (state === "succeeded" && bar) bar.value = 100;
      if (typeof state === "string") el.setAttribute("data-state", state);
      if (label) {
        var text = d.error || d.message || state || "";
        var shown = bar ? Math.round(bar.value) + " %" : "";
        label.textContent = text ? shown + " · " + text : shown;
      }
      if (finalStates[state]) es.close();
    }
    ["message", "status", "enqueued", "started", "progress", "retrying", "succeeded", "failed", "cancelled", "canceled"]
      .forEach(function (t) { es.addEventListener(t, onEvent); });
    es.addEventListener("error", function (ev) {
      if (ev.data) { onEvent({ type: "failed", data: ev.data }); es.close(); return; }
      if (es.readyState === EventSource.CLOSED) el.setAttribute("data-state", "disconnected");
    });
    es.addEventListener("open", function () {
      if (el.getAttribute("data-state") === "connecting") el.setAttribute("data-state", "connected");
    });
  }

  var logRank = { debug: 0, info: 1, warn: 2, error: 3 };

  function wireLog(el, es) {
    var out = el.querySelector("[data-log-lines]");
    var status = el.querySelector("[data-sse-status]");
    var levelSel = el.querySelector("[data-log-level]");
    var filterIn = el.querySelector("[data-log-filter]");
    var pauseBtn = el.querySelector("[data-log-pause]");
    var max = parseInt(el.getAttribute("data-max"), 10) || 500;
    var held = []; // lines that came while paused
    function paused() { return pauseBtn && pauseBtn.getAttribute("aria-pressed") === "true"; }
    function setStatus(text) { if (status) status.textContent = text; }
    function shows(line) {
      var min = levelSel ? logRank[levelSel.value] || 0 : 0;
      var rank = logRank[line.getAttribute("data-level")];
      if (rank !== undefined && rank < min) return false;
      var q = filterIn ? filterIn.value.trim().toLowerCase() : "";
      return q === "" || line.textContent.toLowerCase().indexOf(q) >= 0;
    }
    function refilter() {
      Array.prototype.forEach.call(out.children, function (line) { line.hidden = !shows(line); });
    }
    function append(lines) {
      var follow = out.scrollTop + out.clientHeight >= out.scrollHeight - 8;
      lines.forEach(function (line) { line.hidden = !shows(line); out.appendChild(line); });
      while (out.childElementCount > max) out.removeChild(out.firstElementChild);
      if (follow) out.scrollTop = out.scrollHeight;
    }
    if (levelSel) levelSel.addEventListener("change", refilter);
    if (filterIn) filterIn.addEventListener("input", refilter);
    if (pauseBtn) pauseBtn.addEventListener("click", function () {
      var now = !paused();
      pauseBtn.setAttribute("aria-pressed", now ? "true" : "false");
      pauseBtn.textContent = now ? "Resume" : "Pause";
      el.setAttribute("data-paused", now ? "true" : "false");
      if (!now) { append(held); held = []; }
      setStatus(now ? "paused" : (el.getAttribute("data-state") === "live" ? "live" : "reconnecting…"));
    });
    es.addEventListener("open", function () {
      el.setAttribute("data-state", "live");
      if (!paused()) setStatus("live");
    });
    es.addEventListener("error", function () {
      el.setAttribute("data-state", "reconnecting");
      setStatus("reconnecting…");
    });
    es.addEventListener("log", function (ev) {
      var r;
      try { r = JSON.parse(ev.data); } catch (err) { return; }
      var line = document.createElement("div");
      var level = String(r.level || "").toLowerCase();
      line.className = "log-line level-" + level;
      line.setAttribute("data-level", level);
      var time = r.time ? new Date(r.time) : null;
      var stamp = time && !isNaN(time) ? time.toTimeString().slice(0, 8) : "";
      line.textContent = stamp + " " + (r.level || "") + " " + (r.msg || "") + (r.attrs ? " " + r.attrs : "");
      if (paused()) {
        held.push(line);
        if (held.length > max) held.shift();
        setStatus("paused · " + held.length + " new");
        return;
      }
      append([line]);
    });
  }

  function initStreams(scope) {
    if (!scope || !scope.querySelectorAll || typeof EventSource === "undefined") return;
    var els = Array.prototype.slice.call(scope.querySelectorAll("[data-sse-url]"));
    if (scope.matches && scope.matches("[data-sse-url]")) els.push(scope);
    els.forEach(function (el) {
      if (el._webosStream) return;
      var es = new EventSource(el.getAttribute("data-sse-url"), { withCredentials: true });
      el._webosStream = es;
      var kind = el.getAttribute("data-sse");
      if (kind === "progress") wireProgress(el, es);
      else if (kind === "log") wireLog(el, es);
    });
  }

  function closeStreams(scope) {
    if (!scope || !scope.querySelectorAll) return;
    var els = Array.prototype.slice.call(scope.querySelectorAll("[data-sse-url]"));
    if (scope._webosStream) els.push(scope);
    els.forEach(function (el) {
      if (el._webosStream) { el._webosStream.close(); el._webosStream = null; }
    });
  }

  // ---- Wiring ------------------------------------------------------------------

  document.addEventListener("click", function (e) {
    var t = e.target.closest ? e.target.closest("[data-action]") : null;
    if (t) {
      switch (t.getAttribute("data-action")) {
        case "theme-toggle": e.preventDefault(); toggleTheme(); return;
        case "palette-open": e.preventDefault(); openPalette(); return;
        case "drawer-toggle": e.preventDefault(); setDrawer(!drawerOpen()); return;
        case "drawer-close": setDrawer(false); return;
      }
    }
    var p = palette();
    if (p && p.open) {
      if (e.target === p) { closePalette(); return; } // the backdrop
      var opt = e.target.closest ? e.target.closest("#palette [role=option]") : null;
      if (opt) {
        if (e.target.closest("a[href], button")) closePalette(); // htmx or the form takes it from here
        else { e.preventDefault(); runOption(opt); }
      }
    }
  });

  document.addEventListener("keydown", function (e) {
    var key = e.key ? e.key.toLowerCase() : "";
    if ((e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && key === "k") {
      e.preventDefault();
      var p = palette();
      if (p && p.open) closePalette(); else openPalette();
      return;
    }
    if (e.target && e.target.id === "palette-input") { onPaletteKey(e); return; }
    if (key === "escape" && drawerOpen()) { setDrawer(false); var t = document.querySelector("[data-action=drawer-toggle]"); if (t) t.focus(); }
  });

  document.addEventListener("input", function (e) {
    if (e.target && e.target.id === "palette-input") filterPalette(e.target.value);
  });

  document.addEventListener("mousemove", function (e) {
    var opt = e.target.closest ? e.target.closest("#palette [role=option]") : null;
    if (opt && !opt.classList.contains("active")) setActive(visibleOptions().indexOf(opt));
  });

  function bindPalette() {
    var p = palette();
    if (!p || p._webosBound) return;
    p._webosBound = true;
    p.addEventListener("close", function () {
      var back = opener;
      opener = null;
      if (back && back.isConnected && back !== document.body) back.focus();
    });
  }

  // Error pages for the main region are HTML: show them instead of nothing.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var d = e.detail;
    if (d.xhr && d.xhr.status >= 400 && d.target && d.target.id === "main" &&
        /text\/html/.test(d.xhr.getResponseHeader("Content-Type") || "")) {
      d.shouldSwap = true;
      d.isError = false;
    }
  });

  // A form marked data-reset-on-success (see ui.ResetOnSuccess) is cleared
  // once htmx has sent it successfully. The Content-Security-Policy allows
  // no inline script, so hx-on attributes cannot do this.
  document.addEventListener("htmx:afterRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (e.detail.successful && el && el.matches && el.matches("form[data-reset-on-success]")) el.reset();
  });

  // htmx is configured not to evaluate inline script (allowEval: false):
  // say so when a page still has some, rather than fail in silence.
  document.addEventListener("htmx:evalDisallowedError", function (e) {
    if (window.console) console.error("webos: htmx refused to evaluate inline script (hx-on, js: values or trigger filters) on", e.target);
  });

  document.addEventListener("htmx:beforeCleanupElement", function (e) { closeStreams(e.target); });
  document.addEventListener("htmx:load", function (e) { initStreams(e.target); });

  document.addEventListener("htmx:afterSettle", function (e) {
    if (e.target && e.target.id === "main") {
      setDrawer(false);
      var p = palette();
      if (!(p && p.open)) {
        var heading = e.target.querySelector("h1");
        if (heading) { heading.setAttribute("tabindex", "-1"); heading.focus({ preventScroll: true }); }
        else e.target.focus({ preventScroll: true });
      }
    }
  });

  function start() {
    syncThemeButton();
    bindPalette();
    initStreams(document);
    document.body.setAttribute("data-shell-ready", "true");
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
