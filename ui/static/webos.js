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
  //
  // The list holds, in this order: the user's recent items (while the query
  // is empty), the commands (rendered with the page), and one group per
  // search source whose results the server streams (see ui.SearchPath).
  // Options keep their elements across updates, so the active one stays
  // active while results arrive.

  var opener = null;
  var activeEl = null;
  var actionIndex = 0;
  var paletteID = "p" + Math.random().toString(36).slice(2, 12);
  var recentOpts = [];      // option elements of the recent items
  var recentBonus = {};     // recent id → rank bonus
  var groups = [];          // [{source, title, state, head, opts}]
  var stream = null;        // the running query's EventSource
  var debounce = null;
  var lastQuery = null;
  var resultSeq = 0;

  function palette() { return byId("palette"); }
  function paletteInput() { return byId("palette-input"); }
  function paletteList() { return byId("palette-list"); }
  function commandOptions() {
    var list = paletteList();
    return list ? Array.prototype.slice.call(list.querySelectorAll(".palette-command")) : [];
  }
  function options() {
    var list = paletteList();
    return list ? Array.prototype.slice.call(list.querySelectorAll("[role=option]")) : [];
  }
  function visibleOptions() { return options().filter(function (o) { return !o.hidden; }); }
  function setStatus(text) { var s = document.querySelector("#palette .palette-status"); if (s) s.textContent = text || ""; }

  // splitScope mirrors ui.SplitScope.
  function splitScope(q) {
    q = q.trim();
    var p = q.charAt(0);
    if (p === ">" || p === "@" || p === "/" || p === "#") return { scope: p, text: q.slice(1).trim() };
    return { scope: "", text: q };
  }

  // score mirrors ui.Match: how well query matches text as a subsequence
  // (higher is better), or -1. Contiguous letters and letters at word
  // starts count most; skipped letters cost a little; the best placement
  // of the query's letters wins.
  var WORD = 20, CONT = 24, CHAR = 16, GAP = 8, LEAD = 8;
  function isSep(c) { return /[\s\-_.\/:,;!?()\[\]{}'"#@&+*=<>|~]/.test(c); }
  function score(text, query) {
    var q = query.replace(/\s+/g, "").toLowerCase();
    if (q === "") return 0;
    var t = text.slice(0, 256), lower = t.toLowerCase();
    if (q.length > t.length) return -1;
    var bonus = [], prev = [], cur = [], NONE = -1e9, i, j, k;
    for (j = 0; j < t.length; j++) {
      var pc = j > 0 ? t.charAt(j - 1) : "", c = t.charAt(j);
      var ws = j === 0 || (isSep(pc) && !/\s/.test(c)) || (pc !== pc.toUpperCase() && c !== c.toLowerCase()) || (/[a-z]/i.test(pc) && /\d/.test(c));
      bonus[j] = ws ? WORD : 0;
      prev[j] = lower.charAt(j) === q.charAt(0) ? CHAR + bonus[j] - Math.min(j, LEAD) : NONE;
    }
    for (i = 1; i < q.length; i++) {
      var far = NONE;
      for (j = 0; j < t.length; j++) {
        cur[j] = NONE;
        k = j - GAP - 1;
        if (k >= 0 && prev[k] !== NONE) far = Math.max(far, prev[k] - GAP);
        if (lower.charAt(j) !== q.charAt(i) || j < i) continue;
        var best = far;
        if (prev[j - 1] !== NONE) best = Math.max(best, prev[j - 1] + CONT);
        for (k = Math.max(0, j - GAP); k < j - 1; k++) if (prev[k] !== NONE) best = Math.max(best, prev[k] - (j - k - 1));
        if (best !== NONE) cur[j] = best + CHAR + bonus[j];
      }
      var tmp = prev; prev = cur; cur = tmp;
    }
    var s = NONE;
    for (j = 0; j < t.length; j++) s = Math.max(s, prev[j]);
    return s === NONE ? -1 : s;
  }

  // match ranks a command: a fuzzy match of its title, else its keywords
  // containing the query (below title matches), plus what the user's
  // recent use of it earns; -1 when it does not match.
  function match(o, query) {
    var title = o.querySelector(".palette-title");
    var bonus = recentBonus[o.getAttribute("data-recent-id")] || 0;
    var sc = score(title ? title.textContent : o.textContent, query);
    if (sc >= 0) return 1000 + sc + bonus;
    var words = (o.getAttribute("data-keywords") || "").toLowerCase();
    if (words.indexOf(query.toLowerCase()) >= 0) return 500 + bonus;
    return -1;
  }

  function optionIndex(o) { return parseInt(o.id.replace("palette-opt-", ""), 10) || 0; }

  // layout puts the list's elements in order and shows what the query
  // selects.
  function layout(query) {
    var list = paletteList();
    if (!list) return;
    var sq = splitScope(query);
    var frag = document.createDocumentFragment();
    var shownRecent = {};
    recentOpts.forEach(function (o) {
      o.hidden = query.trim() !== "";
      if (!o.hidden) shownRecent[o.getAttribute("data-recent-id")] = true;
      frag.appendChild(o);
    });
    var cmds = commandOptions().map(function (o) {
      var sc;
      if (sq.scope !== "" && sq.scope !== ">") sc = -1;
      else if (sq.text === "") sc = shownRecent[o.getAttribute("data-recent-id")] ? -1 : 0;
      else sc = match(o, sq.text);
      o.hidden = sc < 0;
      return { o: o, sc: sc, i: optionIndex(o) };
    });
    cmds.sort(function (a, b) { return sq.text === "" ? a.i - b.i : (b.sc - a.sc || a.i - b.i); });
    cmds.forEach(function (c) { frag.appendChild(c.o); });
    var pending = false;
    groups.forEach(function (gr) {
      var state = gr.head.querySelector(".palette-group-state");
      var label = { pending: "searching…", timeout: "timed out", error: "unavailable", cancelled: "" }[gr.state] || "";
      state.textContent = label;
      gr.head.hidden = gr.opts.length === 0 && gr.state === "ok";
      if (gr.state === "pending") pending = true;
      frag.appendChild(gr.head);
      gr.opts.forEach(function (o) { o.hidden = false; frag.appendChild(o); });
    });
    list.appendChild(frag);
    var vis = visibleOptions();
    var empty = document.querySelector("#palette .palette-empty");
    if (empty) empty.hidden = vis.length > 0 || pending;
    if (!activeEl || activeEl.hidden || !activeEl.isConnected) setActive(vis.length > 0 ? 0 : -1);
    else setActive(vis.indexOf(activeEl));
  }

  function filterPalette(query) {
    if (query !== lastQuery) { activeEl = null; actionIndex = 0; }
    lastQuery = query;
    var sq = splitScope(query);
    var wantsContent = sq.scope !== ">" && sq.text.length >= 2;
    if (!wantsContent) { stopSearch(); clearGroups(); }
    layout(query);
    if (debounce) clearTimeout(debounce);
    if (wantsContent) debounce = setTimeout(function () { startSearch(query); }, 120);
  }

  function clearGroups() {
    groups.forEach(function (gr) {
      gr.head.remove();
      gr.opts.forEach(function (o) { o.remove(); });
    });
    groups = [];
  }

  function stopSearch() {
    if (debounce) { clearTimeout(debounce); debounce = null; }
    if (stream) { stream.close(); stream = null; }
  }

  function groupFor(source, title) {
    for (var i = 0; i < groups.length; i++) if (groups[i].source === source) return groups[i];
    var head = document.createElement("li");
    head.className = "palette-group";
    head.setAttribute("role", "presentation");
    head.setAttribute("data-source", source);
    var name = document.createElement("span");
    name.textContent = title;
    var state = document.createElement("span");
    state.className = "palette-group-state";
    head.appendChild(name);
    head.appendChild(state);
    var gr = { source: source, title: title, state: "pending", head: head, opts: [] };
    groups.push(gr);
    return gr;
  }

  function startSearch(query) {
    var p = palette();
    var url = p && p.getAttribute("data-search-url");
    if (!url || typeof EventSource === "undefined") return;
    stopSearch();
    clearGroups();
    var es = new EventSource(url + "?palette=" + paletteID + "&q=" + encodeURIComponent(query), { withCredentials: true });
    stream = es;
    es.addEventListener("source", function (ev) {
      if (stream !== es) return;
      var d;
      try { d = JSON.parse(ev.data); } catch (err) { return; }
      var gr = groupFor(d.source, d.title);
      gr.head.setAttribute("data-state", d.state);
      gr.state = d.state;
      if (d.state === "ok" && d.html) {
        var tpl = document.createElement("template");
        tpl.innerHTML = d.html;
        gr.opts = Array.prototype.slice.call(tpl.content.children);
        gr.opts.forEach(function (o) {
          o.id = "palette-res-" + (++resultSeq);
          o.setAttribute("data-source", d.source);
        });
      }
      layout(paletteInput().value);
      if (d.state === "ok" && window.htmx) gr.opts.forEach(function (o) { window.htmx.process(o); });
    });
    es.addEventListener("done", function () {
      if (stream === es) { es.close(); stream = null; }
      palette().setAttribute("data-search-done", query);
    });
    es.addEventListener("error", function () {
      if (stream !== es) return;
      es.close();
      stream = null;
      groups.forEach(function (gr) { if (gr.state === "pending") gr.state = "error"; });
      layout(paletteInput().value);
    });
  }

  function loadRecent() {
    var p = palette();
    var url = p && p.getAttribute("data-recent-url");
    if (!url) return;
    fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      recentOpts.forEach(function (o) { o.remove(); });
      recentOpts = [];
      recentBonus = {};
      if (!html) return;
      var tpl = document.createElement("template");
      tpl.innerHTML = html;
      Array.prototype.forEach.call(tpl.content.querySelectorAll("template.palette-recent-bonus"), function (t) {
        Array.prototype.forEach.call(t.content.querySelectorAll("data"), function (d) {
          recentBonus[d.getAttribute("value")] = parseInt(d.getAttribute("data-bonus"), 10) || 0;
        });
        t.remove();
      });
      recentOpts = Array.prototype.slice.call(tpl.content.querySelectorAll("li.palette-recent"));
      if (recentOpts.length > 0) {
        var head = document.createElement("li");
        head.className = "palette-group palette-recent-head";
        head.setAttribute("role", "presentation");
        head.textContent = "Recent";
        recentOpts.forEach(function (o, i) { o.id = "palette-rec-" + i; });
        recentOpts.unshift(head);
      }
      var input = paletteInput();
      layout(input ? input.value : "");
      if (window.htmx) recentOpts.forEach(function (o) { window.htmx.process(o); });
      p.setAttribute("data-recent-ready", "true");
    }).catch(function () { /* the palette works without them */ });
  }

  function actionsOf(o) { return o ? Array.prototype.slice.call(o.querySelectorAll("[data-palette-action]")) : []; }

  function setActive(i) {
    var vis = visibleOptions();
    var input = paletteInput();
    options().forEach(function (o) { o.setAttribute("aria-selected", "false"); o.classList.remove("active", "action-selected"); });
    var idx = vis.length === 0 ? -1 : (i + vis.length) % vis.length;
    var next = idx >= 0 ? vis[idx] : null;
    if (next !== activeEl) actionIndex = 0;
    activeEl = next;
    if (next) {
      next.setAttribute("aria-selected", "true");
      next.classList.add("active");
      next.scrollIntoView({ block: "nearest" });
      if (input) input.setAttribute("aria-activedescendant", next.id);
      showAction();
    } else if (input) {
      input.removeAttribute("aria-activedescendant");
    }
  }

  // showAction marks the active option's selected action.
  function showAction() {
    var acts = actionsOf(activeEl);
    acts.forEach(function (a, i) { a.classList.toggle("selected", i === actionIndex && i > 0); });
    if (activeEl) activeEl.classList.toggle("action-selected", actionIndex > 0);
    setStatus(acts.length > 1 ? "Action: " + (acts[actionIndex].getAttribute("data-label") || acts[actionIndex].textContent) : "");
  }

  function openPalette() {
    var p = palette(), input = paletteInput();
    if (!p || p.open) return;
    opener = document.activeElement;
    input.value = "";
    setStatus("");
    filterPalette("");
    p.showModal();
    input.focus();
    loadRecent();
  }

  function closePalette() {
    var p = palette();
    stopSearch();
    if (p && p.open) p.close();
  }

  // remember tells the server that the user opened o.
  function remember(o, href) {
    var p = palette();
    var url = p && p.getAttribute("data-recent-url");
    var id = o.getAttribute("data-recent-id");
    var title = o.querySelector(".palette-title");
    if (!url || !id || !href || !title) return;
    var body = new URLSearchParams();
    body.set("id", id);
    body.set("title", title.textContent);
    body.set("href", href);
    body.set("hint", o.getAttribute("data-hint") || "");
    body.set("icon", o.getAttribute("data-icon") || "");
    fetch(url, { method: "POST", credentials: "same-origin", body: body }).catch(function () { /* only a ranking hint */ });
  }

  function runAction(o, a) {
    var kind = a.getAttribute("data-palette-action");
    if (kind === "copy") {
      var link = new URL(a.getAttribute("data-url"), location.href).href;
      var done = function () { setStatus("Link copied: " + link); };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(link).then(done, function () { setStatus("Copying failed; the link is " + link); });
      } else setStatus("The link is " + link);
      return;
    }
    if (kind === "run") {
      var label = a.getAttribute("data-label") || a.textContent;
      setStatus(label + "…");
      fetch(a.getAttribute("data-url"), { method: "POST", credentials: "same-origin", headers: { "Accept": "application/json" } }).then(function (r) {
        if (r.ok) { setStatus(label + ": done."); return; }
        return r.json().then(function (d) { setStatus(label + " failed: " + (d && d.error ? d.error : r.status)); },
          function () { setStatus(label + " failed (" + r.status + ")."); });
      }).catch(function () { setStatus(label + " failed: the server did not answer."); });
      return;
    }
    remember(o, a.getAttribute("href"));
    closePalette();
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    a.click();
  }

  function runOption(o) {
    if (!o) return;
    var acts = actionsOf(o);
    if (acts.length > 0) { runAction(o, acts[Math.min(actionIndex, acts.length - 1)]); return; }
    closePalette();
    // The dialog gave focus back to where it was; the command is about to
    // move on, so keep the rest of this key press away from that element.
    if (document.activeElement && document.activeElement !== document.body) document.activeElement.blur();
    var link = o.querySelector("a[href]");
    if (link) { remember(o, link.getAttribute("href")); link.click(); return; }
    var form = o.querySelector("form");
    if (form) {
      if (form.requestSubmit) form.requestSubmit(); else form.submit();
    }
  }

  function onPaletteKey(e) {
    var input = e.target;
    var atEnd = input.selectionStart === input.value.length && input.selectionEnd === input.value.length;
    var acts = actionsOf(activeEl);
    switch (e.key) {
      case "ArrowDown": e.preventDefault(); setActive(visibleOptions().indexOf(activeEl) + 1); break;
      case "ArrowUp": e.preventDefault(); setActive(visibleOptions().indexOf(activeEl) - 1); break;
      case "ArrowRight":
        if (atEnd && acts.length > 1) { e.preventDefault(); actionIndex = (actionIndex + 1) % acts.length; showAction(); }
        break;
      case "ArrowLeft":
        if (actionIndex > 0) { e.preventDefault(); actionIndex--; showAction(); }
        break;
      case "Home": if (e.ctrlKey) { e.preventDefault(); setActive(0); } break;
      case "End": if (e.ctrlKey) { e.preventDefault(); setActive(-1); } break;
      case "Enter":
        e.preventDefault();
        runOption(activeEl && !activeEl.hidden ? activeEl : null);
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
        var act = e.target.closest("[data-palette-action]");
        if (act && act.getAttribute("data-palette-action") !== "open") { e.preventDefault(); runAction(opt, act); }
        else if (act) { remember(opt, act.getAttribute("href")); closePalette(); } // htmx takes it from here
        else if (e.target.closest("a[href], button")) {
          var l = e.target.closest("a[href]");
          if (l) remember(opt, l.getAttribute("href"));
          closePalette(); // htmx or the form takes it from here
        } else { e.preventDefault(); runOption(opt); }
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
