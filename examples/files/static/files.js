// files.js — the file commander's and the file picker's behaviour: what
// HTML cannot do. The server lists folders in pages, runs copies and moves
// as tasks and takes uploads over tus; this file draws the rows, handles
// the keys, asks before it changes anything and shows progress.
(function () {
  "use strict";

  var PATHS = {
    folder: "M3 7a2 2 0 0 1 2-2h4l2 2h8a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2z",
    up: "M12 19V5M5 12l7-7 7 7",
    file: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6",
    image: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M7 18l3-4 2 2 2-3 3 5z",
    audio: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M10 18a1.5 1.5 0 1 1 0-3 1.5 1.5 0 0 1 0 3zM11.5 16.5V11l3 1",
    video: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M10 12v5l4-2.5z",
    text: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M8 13h8M8 17h6",
    code: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M10 13l-2 2 2 2M14 13l2 2-2 2",
    pdf: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M8 17h8M8 13h8",
    archive: "M14 3H6a2 2 0 0 0-2 2v14a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V9zM14 3v6h6M11 6v2M11 10v2M11 14v3"
  };
  var SVG = "http://www.w3.org/2000/svg";
  function icon(kind) {
    var svg = document.createElementNS(SVG, "svg"), p = document.createElementNS(SVG, "path");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("class", "fc-icon fc-k-" + (PATHS[kind] ? kind : "file"));
    svg.setAttribute("aria-hidden", "true");
    p.setAttribute("d", PATHS[kind] || PATHS.file);
    svg.appendChild(p);
    return svg;
  }
  var CHUNK = 8 << 20; // bytes per PATCH of a resumable upload

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function bytes(n) {
    if (n < 1024) return n + " B";
    var u = ["KiB", "MiB", "GiB", "TiB"], i = -1;
    do { n /= 1024; i++; } while (n >= 1024 && i < u.length - 1);
    return n.toFixed(1) + " " + u[i];
  }
  function when(s) {
    if (!s) return "";
    var d = new Date(s);
    return isNaN(d) ? "" : d.toLocaleString(undefined, { year: "numeric", month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
  }
  function norm(urn) { return urn && urn.charAt(urn.length - 1) === "/" ? urn.slice(0, -1) : urn; }
  function nameOf(urn) { var i = urn.lastIndexOf("/"); return urn.slice(i + 1); }
  function parentOf(urn) {
    var rest = urn.slice(5), i = rest.lastIndexOf("/");
    return i < 0 ? urn : "fs://" + rest.slice(0, i);
  }
  function isRoot(urn) { return urn.slice(5).indexOf("/") < 0; }
  function join(dir, name) { return dir + "/" + name; }

  // request sends JSON and returns the JSON answer; an error answer
  // rejects with its readable message.
  function request(method, url, body) {
    var opts = { method: method, credentials: "same-origin", headers: { "Accept": "application/json" } };
    if (body !== undefined) {
      opts.headers["Content-Type"] = "application/json";
      opts.body = JSON.stringify(body);
    }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (t) {
        var d = null;
        try { d = t ? JSON.parse(t) : null; } catch (e) { d = null; }
        if (!res.ok) {
          var msg = (d && d.error) || ("the server answered " + res.status);
          if (d && d.fields) msg += ": " + Object.keys(d.fields).map(function (k) { return k + " " + d.fields[k]; }).join("; ");
          var err = new Error(msg);
          err.status = res.status;
          throw err;
        }
        return d;
      });
    });
  }

  function accepts(accept, entry) {
    if (!accept || !accept.length || entry.folder) return true;
    var name = entry.name.toLowerCase(), type = entry.type || "";
    return accept.some(function (a) {
      a = a.trim().toLowerCase();
      if (!a || a === "*" || a === "*/*") return true;
      if (a.charAt(0) === ".") return name.slice(-a.length) === a;
      if (a.slice(-2) === "/*") return type.indexOf(a.slice(0, -1)) === 0;
      return a === type;
    });
  }

  // ---- a panel: one folder, paged, sorted, filtered ------------------------

  function Panel(root, api, opts) {
    this.root = root;
    this.api = api;
    this.opts = opts || {};
    this.urn = norm(root.getAttribute("data-start") || "");
    this.sort = "name";
    this.desc = false;
    this.filter = "";
    this.items = [];
    this.cursor = 0;
    this.selected = {};
    this.anchor = -1;
    this.next = "";
    this.loading = false;
    this.gen = 0;
    this.rows = root.querySelector(".fc-rows");
    this.scroll = root.querySelector(".fc-scroll");
    this.more = root.querySelector(".fc-more");
    this.status = root.querySelector(".fc-status");
    this.crumbs = root.querySelector(".fc-crumbs");
    this.source = root.querySelector(".fc-source");
    this.filterInput = root.querySelector(".fc-filter");
    var self = this;
    this.source.addEventListener("change", function () { self.open("fs://" + self.source.value); });
    root.querySelectorAll(".fc-sort").forEach(function (b) {
      b.addEventListener("click", function () { self.sortBy(b.getAttribute("data-sort")); });
    });
    var timer = null;
    this.filterInput.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { self.filter = self.filterInput.value.trim(); self.reload(); }, 150);
    });
    this.rows.addEventListener("click", function (e) {
      var tr = e.target.closest("tr");
      if (!tr) return;
      var i = +tr.getAttribute("data-index");
      self.focusSelf();
      if (e.shiftKey && self.anchor >= 0) self.selectRange(self.anchor, i);
      else if (e.ctrlKey || e.metaKey) self.toggle(i);
      else self.anchor = i;
      self.setCursor(i);
    });
    this.rows.addEventListener("dblclick", function (e) {
      var tr = e.target.closest("tr");
      if (tr) { self.setCursor(+tr.getAttribute("data-index")); self.activate(); }
    });
    if ("IntersectionObserver" in window) {
      new IntersectionObserver(function (es) {
        if (es.some(function (x) { return x.isIntersecting; })) self.loadMore();
      }, { root: this.scroll, rootMargin: "200px" }).observe(this.more);
    }
    this.scroll.addEventListener("scroll", function () {
      if (self.scroll.scrollTop + self.scroll.clientHeight > self.scroll.scrollHeight - 300) self.loadMore();
    });
  }

  Panel.prototype.focusSelf = function () { if (this.opts.onFocus) this.opts.onFocus(this); };

  Panel.prototype.setSources = function (list) {
    var self = this;
    this.source.textContent = "";
    list.forEach(function (s) {
      var o = el("option", "", s.name);
      o.value = s.name;
      self.source.appendChild(o);
    });
  };

  Panel.prototype.open = function (urn, focusName) {
    this.urn = norm(urn);
    this.filter = "";
    this.filterInput.value = "";
    this.focusName = focusName || "";
    this.reload();
  };

  Panel.prototype.sortBy = function (key) {
    if (this.sort === key) this.desc = !this.desc;
    else { this.sort = key; this.desc = false; }
    this.reload();
  };

  Panel.prototype.reload = function () {
    var keep = this.items[this.cursor];
    if (keep && !this.focusName) this.focusName = keep.name;
    this.items = [];
    this.selected = {};
    this.next = "";
    this.cursor = 0;
    this.anchor = -1;
    this.rows.textContent = "";
    this.gen++;
    this.renderBar();
    if (!isRoot(this.urn)) this.add([{ up: true, name: "..", folder: true, urn: parentOf(this.urn), kind: "up" }]);
    this.fetch(true);
  };

  Panel.prototype.query = function () {
    var q = "?urn=" + encodeURIComponent(this.urn) + "&sort=" + this.sort + (this.desc ? "&desc=true" : "");
    if (this.filter) q += "&filter=" + encodeURIComponent(this.filter);
    if (this.next) q += "&cursor=" + encodeURIComponent(this.next);
    return q;
  };

  Panel.prototype.fetch = function (first) {
    var self = this, gen = this.gen;
    this.loading = true;
    this.more.textContent = "Loading…";
    this.root.setAttribute("data-loading", "");
    return request("GET", this.api + "/list" + this.query()).then(function (d) {
      if (gen !== self.gen) return;
      self.next = d.next || "";
      self.add(d.items);
      self.more.textContent = self.next ? "Scroll for more…" : "";
      if (first) {
        var at = 0;
        if (self.focusName) {
          self.items.forEach(function (it, i) { if (it.name === self.focusName && !it.up) at = i; });
          self.focusName = "";
        }
        self.setCursor(at);
      }
      self.renderStatus();
    }, function (err) {
      if (gen !== self.gen) return;
      self.next = "";
      self.more.textContent = "";
      self.showError(err.message);
    }).then(function () {
      if (gen === self.gen) {
        self.loading = false;
        self.root.removeAttribute("data-loading");
        if (self.next && self.scroll.scrollHeight <= self.scroll.clientHeight + 300) self.loadMore();
      }
    });
  };

  Panel.prototype.loadMore = function () {
    if (this.loading || !this.next) return Promise.resolve();
    return this.fetch(false);
  };

  Panel.prototype.showError = function (msg) {
    var tr = el("tr", "fc-error"), td = el("td", "", msg);
    td.colSpan = 4;
    td.setAttribute("role", "alert");
    tr.appendChild(td);
    this.rows.appendChild(tr);
  };

  // add puts entries in place: in name order (paged by the store) folders
  // go before the first file, so that folders stay first as pages arrive.
  Panel.prototype.add = function (entries) {
    var self = this;
    var byName = this.sort === "name" && !this.desc, firstFile = null;
    if (byName) {
      for (var k = 0; k < this.items.length; k++) if (!this.items[k].folder) { firstFile = k; break; }
    }
    var spliced = false, from = this.items.length;
    entries.forEach(function (e) {
      e.ok = self.opts.accept ? accepts(self.opts.accept, e) : true;
      if (e.folder && firstFile !== null) {
        self.items.splice(firstFile, 0, e);
        firstFile++;
        spliced = true;
      } else {
        if (byName && !e.folder && firstFile === null) firstFile = self.items.length;
        self.items.push(e);
      }
    });
    if (spliced) { this.redraw(); return; }
    var frag = document.createDocumentFragment();
    for (var i = from; i < this.items.length; i++) frag.appendChild(this.row(this.items[i], i));
    this.rows.appendChild(frag);
    this.paintCursor();
  };

  Panel.prototype.redraw = function () {
    var self = this, frag = document.createDocumentFragment();
    this.rows.textContent = "";
    this.items.forEach(function (e, i) { frag.appendChild(self.row(e, i)); });
    this.rows.appendChild(frag);
    this.paintCursor();
  };

  Panel.prototype.row = function (e, i) {
    var tr = el("tr", "fc-row" + (e.folder ? " fc-folder" : " fc-file") + (e.ok ? "" : " fc-dim"));
    tr.setAttribute("data-index", i);
    tr.setAttribute("data-name", e.name);
    if (!e.up) tr.setAttribute("data-urn", e.urn);
    tr.setAttribute("role", "row");
    if (this.selected[e.urn]) tr.classList.add("fc-selected");
    var name = el("td", "fc-name");
    name.appendChild(icon(e.kind));
    name.appendChild(el("span", "fc-label", e.name));
    tr.appendChild(name);
    tr.appendChild(el("td", "fc-size", e.folder ? (e.up ? "" : "folder") : bytes(e.size)));
    tr.appendChild(el("td", "fc-modified", when(e.modified)));
    tr.appendChild(el("td", "fc-type", e.up ? "" : (e.folder ? "folder" : (e.type || e.kind))));
    return tr;
  };

  Panel.prototype.renderBar = function () {
    var self = this, rest = this.urn.slice(5), segs = rest.split("/");
    this.source.value = segs[0];
    this.crumbs.textContent = "";
    var acc = "fs://" + segs[0];
    segs.forEach(function (s, i) {
      if (i > 0) { acc = acc + "/" + s; self.crumbs.appendChild(el("span", "fc-sep", "/")); }
      var b = el("button", "fc-crumb", i === 0 ? s + ":" : s);
      b.type = "button";
      var target = acc;
      if (i === segs.length - 1) b.setAttribute("aria-current", "location");
      b.addEventListener("click", function () { self.open(target); });
      self.crumbs.appendChild(b);
    });
    this.root.setAttribute("data-urn", this.urn);
    this.root.querySelectorAll("th[data-col]").forEach(function (th) {
      var on = th.getAttribute("data-col") === self.sort;
      th.setAttribute("aria-sort", on ? (self.desc ? "descending" : "ascending") : "none");
    });
  };

  Panel.prototype.renderStatus = function () {
    var n = this.items.filter(function (e) { return !e.up; }).length;
    var sel = this.selection();
    var size = sel.reduce(function (a, e) { return a + (e.size || 0); }, 0);
    this.status.textContent = n + (this.next ? "+" : "") + " items" +
      (sel.length ? " · " + sel.length + " selected (" + bytes(size) + ")" : "") +
      (this.filter ? " · filter “" + this.filter + "”" : "");
  };

  Panel.prototype.setCursor = function (i) {
    if (!this.items.length) return;
    this.cursor = Math.max(0, Math.min(this.items.length - 1, i));
    this.paintCursor();
    if (this.cursor >= this.items.length - 5) this.loadMore();
  };

  Panel.prototype.paintCursor = function () {
    var cur = this.rows.querySelector("tr.fc-cursor");
    if (cur) { cur.classList.remove("fc-cursor"); cur.removeAttribute("aria-selected"); }
    var tr = this.rows.children[this.cursor];
    if (tr && tr.classList.contains("fc-row")) {
      tr.classList.add("fc-cursor");
      tr.setAttribute("aria-selected", "true");
      var top = tr.offsetTop, head = this.scroll.querySelector("thead").offsetHeight;
      if (top - head < this.scroll.scrollTop) this.scroll.scrollTop = top - head;
      else if (top + tr.offsetHeight > this.scroll.scrollTop + this.scroll.clientHeight) this.scroll.scrollTop = top + tr.offsetHeight - this.scroll.clientHeight;
    }
  };

  Panel.prototype.current = function () { return this.items[this.cursor]; };

  Panel.prototype.toggle = function (i) {
    var e = this.items[i];
    if (!e || e.up || !e.ok) return;
    if (this.opts.single) { this.selected = {}; this.rows.querySelectorAll(".fc-selected").forEach(function (r) { r.classList.remove("fc-selected"); }); }
    if (this.selected[e.urn]) delete this.selected[e.urn]; else this.selected[e.urn] = e;
    var tr = this.rows.children[i];
    if (tr) tr.classList.toggle("fc-selected", !!this.selected[e.urn]);
    this.renderStatus();
  };

  Panel.prototype.selectRange = function (a, b) {
    var lo = Math.min(a, b), hi = Math.max(a, b);
    for (var i = lo; i <= hi; i++) {
      var e = this.items[i];
      if (e && !e.up && e.ok && !this.selected[e.urn]) this.toggle(i);
    }
  };

  // selection is what the next command acts on: the selected entries, or
  // the one under the cursor.
  Panel.prototype.selection = function () {
    var self = this, out = Object.keys(this.selected).map(function (k) { return self.selected[k]; });
    return out;
  };
  Panel.prototype.targets = function () {
    var s = this.selection();
    if (s.length) return s;
    var c = this.current();
    return c && !c.up ? [c] : [];
  };

  Panel.prototype.activate = function () {
    var e = this.current();
    if (!e) return;
    if (e.up) { this.open(e.urn, nameOf(this.urn)); return; }
    if (e.folder) { this.open(e.urn); return; }
    if (this.opts.onFile) this.opts.onFile(e, this);
  };

  Panel.prototype.up = function () {
    if (!isRoot(this.urn)) this.open(parentOf(this.urn), nameOf(this.urn));
  };

  Panel.prototype.pageRows = function () {
    var tr = this.rows.querySelector("tr");
    var h = tr ? tr.offsetHeight : 28;
    return Math.max(1, Math.floor(this.scroll.clientHeight / h) - 1);
  };

  // key handles the navigation keys every panel knows; it returns true
  // when it used the key.
  Panel.prototype.key = function (e) {
    switch (e.key) {
      case "ArrowDown": this.setCursor(this.cursor + 1); break;
      case "ArrowUp": this.setCursor(this.cursor - 1); break;
      case "PageDown": this.setCursor(this.cursor + this.pageRows()); break;
      case "PageUp": this.setCursor(this.cursor - this.pageRows()); break;
      case "Home": this.setCursor(0); break;
      case "End": this.setCursor(this.items.length - 1); break;
      case "Enter": this.activate(); break;
      case "Backspace": this.up(); break;
      case "Insert": this.toggle(this.cursor); this.setCursor(this.cursor + 1); break;
      case " ": this.toggle(this.cursor); break;
      default: return false;
    }
    return true;
  };

  // ---- dialogs ---------------------------------------------------------------

  // ask opens a modal dialog: a title, a message, optionally a text field
  // and the conflict choice; it resolves with {value, conflict} or null.
  // act, when given, runs on OK and keeps the dialog open with its error.
  function ask(o) {
    return new Promise(function (resolve) {
      var d = el("dialog", "fc-dialog");
      var form = el("form");
      form.method = "dialog";
      form.appendChild(el("h2", "fc-dialog-title", o.title));
      if (o.message) form.appendChild(el("p", "fc-dialog-message", o.message));
      if (o.list && o.list.length) {
        var ul = el("ul", "fc-dialog-list");
        o.list.slice(0, 8).forEach(function (s) { ul.appendChild(el("li", "", s)); });
        if (o.list.length > 8) ul.appendChild(el("li", "muted", "and " + (o.list.length - 8) + " more"));
        form.appendChild(ul);
      }
      var input = null;
      if (o.input !== undefined) {
        var lab = el("label", "fc-dialog-field", o.inputLabel || "Name");
        input = el("input");
        input.name = "value";
        input.value = o.input;
        input.autocomplete = "off";
        input.required = true;
        lab.appendChild(input);
        form.appendChild(lab);
      }
      var conflict = null;
      if (o.conflicts && o.conflicts.length) {
        var fs = el("fieldset", "fc-conflict");
        fs.appendChild(el("legend", "", o.conflicts.length + " of them exist at the destination:"));
        [["keep", "Keep both (the copy gets a new name)"], ["overwrite", "Overwrite"], ["skip", "Skip them"]].forEach(function (c, i) {
          var l = el("label"), r = el("input");
          r.type = "radio"; r.name = "conflict"; r.value = c[0]; r.checked = i === 0;
          l.appendChild(r); l.appendChild(document.createTextNode(" " + c[1]));
          fs.appendChild(l);
        });
        form.appendChild(fs);
        conflict = fs;
      }
      var err = el("p", "fc-dialog-error");
      err.setAttribute("role", "alert");
      form.appendChild(err);
      var bar = el("div", "fc-dialog-buttons");
      var cancel = el("button", "button", "Cancel");
      cancel.type = "button";
      cancel.value = "cancel";
      var ok = el("button", "button primary" + (o.danger ? " danger" : ""), o.ok || "OK");
      ok.type = "submit";
      ok.value = "ok";
      bar.appendChild(cancel);
      bar.appendChild(ok);
      form.appendChild(bar);
      d.appendChild(form);
      document.body.appendChild(d);
      var done = false;
      function finish(v) {
        if (done) return;
        done = true;
        d.close();
        d.remove();
        resolve(v);
      }
      cancel.addEventListener("click", function () { finish(null); });
      d.addEventListener("cancel", function (e) { e.preventDefault(); finish(null); });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var v = { value: input ? input.value.trim() : "", conflict: conflict ? form.querySelector("input[name=conflict]:checked").value : "" };
        if (!o.act) { finish(v); return; }
        ok.disabled = true;
        err.textContent = "";
        Promise.resolve(o.act(v)).then(function (r) { finish(r === undefined ? v : r); }, function (x) {
          ok.disabled = false;
          err.textContent = x.message;
          if (input) input.focus();
        });
      });
      d.showModal();
      if (input) { input.focus(); input.select(); } else ok.focus();
    });
  }

  function viewer(api, e) {
    var d = el("dialog", "fc-dialog fc-viewer");
    var body = el("div", "fc-viewer-body", "Loading…");
    var close = el("button", "button fc-viewer-close", "Close");
    close.type = "button";
    d.appendChild(close);
    d.appendChild(body);
    document.body.appendChild(d);
    function end() { d.close(); d.remove(); }
    close.addEventListener("click", end);
    d.addEventListener("close", function () { if (d.parentNode) d.remove(); });
    d.addEventListener("keydown", function (k) { if (k.key === "F3" || k.key === "Escape") { k.preventDefault(); end(); } });
    d.showModal();
    close.focus();
    fetch(api.replace(/\/api$/, "") + "/preview?urn=" + encodeURIComponent(e.urn), { credentials: "same-origin" }).then(function (res) {
      return res.text().then(function (t) {
        if (!res.ok) {
          var m = "";
          try { m = JSON.parse(t).error; } catch (x) { m = "the server answered " + res.status; }
          throw new Error(m);
        }
        var doc = new DOMParser().parseFromString(t, "text/html");
        body.textContent = "";
        Array.prototype.slice.call(doc.body.childNodes).forEach(function (n) { body.appendChild(document.adoptNode(n)); });
      });
    }).catch(function (x) { body.textContent = "No preview: " + x.message; body.setAttribute("role", "alert"); });
  }

  // ---- jobs: transfers and uploads, with progress ---------------------------

  function Jobs(list) { this.list = list; }

  Jobs.prototype.add = function (title) {
    var li = el("li", "fc-job");
    li.appendChild(el("span", "fc-job-title", title));
    var bar = el("progress");
    bar.max = 100;
    bar.value = 0;
    li.appendChild(bar);
    var label = el("span", "fc-job-label", "waiting…");
    li.appendChild(label);
    var cancel = el("button", "button fc-job-cancel", "Cancel");
    cancel.type = "button";
    li.appendChild(cancel);
    this.list.insertBefore(li, this.list.firstChild);
    var job = {
      li: li, bar: bar, label: label, cancel: cancel,
      set: function (pct, text) { if (pct !== null) bar.value = Math.max(0, Math.min(100, pct)); if (text !== undefined) label.textContent = text; },
      end: function (state, text) {
        li.setAttribute("data-state", state);
        if (state === "succeeded") bar.value = 100;
        label.textContent = text;
        cancel.textContent = "Dismiss";
        cancel.onclick = function () { li.remove(); };
      }
    };
    li.setAttribute("data-state", "running");
    return job;
  };

  // follow shows a task's progress until it ends, then calls done.
  function followTask(jobs, id, title, done) {
    var job = jobs.add(title);
    job.li.setAttribute("data-task", id);
    job.cancel.onclick = function () {
      job.cancel.disabled = true;
      request("DELETE", "/tasks/" + encodeURIComponent(id)).catch(function (x) { job.set(null, x.message); job.cancel.disabled = false; });
    };
    var es = new EventSource("/tasks/" + encodeURIComponent(id) + "/events", { withCredentials: true });
    var last = "";
    function on(ev) {
      var d;
      try { d = JSON.parse(ev.data); } catch (x) { return; }
      if (d.message) last = d.message;
      var state = d.state || ev.type;
      job.set(typeof d.percent === "number" ? d.percent : null, last || state);
      if (state === "succeeded" || state === "failed" || state === "cancelled") {
        es.close();
        var text = state === "failed" ? "Failed: " + (d.error || last) : state === "cancelled" ? "Cancelled — " + (last || "nothing more was copied") : summary(d.result) || last;
        job.end(state, text);
        job.cancel.disabled = false;
        if (done) done(state);
      }
    }
    ["status", "enqueued", "started", "progress", "retrying", "succeeded", "failed", "cancelled"].forEach(function (t) { es.addEventListener(t, on); });
    es.addEventListener("message", on);
    return job;
  }

  function summary(r) {
    if (!r) return "";
    var s = (r.op === "move" ? "Moved " : "Copied ") + r.files + (r.files === 1 ? " file (" : " files (") + bytes(r.bytes) + ") in " + r.took;
    if (r.skipped && r.skipped.length) s += ", skipped " + r.skipped.join(", ");
    if (r.failed && r.failed.length) s += ", failed: " + r.failed.map(function (f) { return nameOf(f.urn) + " (" + f.error + ")"; }).join(", ");
    return s;
  }

  // ---- uploads: tus 1.0, resumable; plain POST where a proxy refuses it -----

  var TUS = "1.0.0";

  function fingerprint(file, folder) { return "webos-upload:" + folder + "|" + file.name + "|" + file.size + "|" + file.lastModified; }
  function b64(s) { return btoa(unescape(encodeURIComponent(s))); }

  function xhr(method, url, headers, body, onProgress) {
    var x = new XMLHttpRequest();
    var p = new Promise(function (resolve, reject) {
      x.open(method, url);
      x.withCredentials = true;
      Object.keys(headers).forEach(function (k) { x.setRequestHeader(k, headers[k]); });
      if (onProgress && x.upload) x.upload.onprogress = function (e) { onProgress(e.loaded); };
      x.onload = function () {
        if (x.status >= 200 && x.status < 300) { resolve(x); return; }
        var m = "the server answered " + x.status;
        try { m = JSON.parse(x.responseText).error || m; } catch (e) { /* not JSON */ }
        var err = new Error(m);
        err.status = x.status;
        err.xhr = x;
        reject(err);
      };
      x.onerror = function () { var e = new Error("the connection dropped"); e.network = true; reject(e); };
      x.onabort = function () { var e = new Error("cancelled"); e.aborted = true; reject(e); };
      x.send(body || null);
    });
    p.xhr = x;
    return p;
  }

  // Upload sends one file into folder with progress, speed and cancel.
  function Upload(api, jobs, file, folder, maxSize, done) {
    this.api = api; this.file = file; this.folder = folder; this.done = done;
    this.job = jobs.add("Upload " + file.name + " → " + folder);
    this.job.li.setAttribute("data-upload", file.name);
    this.sent = 0; this.started = Date.now(); this.base = 0; this.cancelled = false; this.tries = 0;
    var self = this;
    this.job.cancel.onclick = function () { self.cancel(); };
    if (maxSize && file.size > maxSize) {
      this.fail("“" + file.name + "” is " + bytes(file.size) + "; the upload limit is " + bytes(maxSize) + ".");
      return;
    }
    this.start();
  }

  Upload.prototype.progress = function (offset) {
    var secs = (Date.now() - this.started) / 1000, speed = secs > 0 ? (offset - this.base) / secs : 0;
    var pct = this.file.size ? offset * 100 / this.file.size : 100;
    this.job.set(pct, bytes(offset) + " of " + bytes(this.file.size) + (speed > 0 ? " · " + bytes(speed) + "/s" : ""));
    this.job.li.setAttribute("data-offset", offset);
  };

  Upload.prototype.start = function () {
    var self = this, key = fingerprint(this.file, this.folder);
    var known = null;
    try { known = localStorage.getItem(key); } catch (e) { known = null; }
    var head = known ? xhr("HEAD", known, { "Tus-Resumable": TUS }).then(function (x) {
      return { url: known, offset: parseInt(x.getResponseHeader("Upload-Offset"), 10) || 0 };
    }, function () { return null; }) : Promise.resolve(null);
    head.then(function (r) {
      if (r) return r;
      var md = "filename " + b64(self.file.name) + ",folder " + b64(self.folder) + ",filetype " + b64(self.file.type || "");
      return xhr("POST", self.api + "/uploads", { "Tus-Resumable": TUS, "Upload-Length": String(self.file.size), "Upload-Metadata": md }).then(function (x) {
        var url = x.getResponseHeader("Location");
        try { localStorage.setItem(key, url); } catch (e) { /* private mode */ }
        return { url: url, offset: 0 };
      });
    }).then(function (r) {
      self.url = r.url;
      self.key = key;
      self.base = r.offset;
      self.started = Date.now();
      if (r.offset > 0) self.job.li.setAttribute("data-resumed-at", r.offset);
      if (r.offset >= self.file.size) return self.finish();
      return self.send(r.offset);
    }).catch(function (err) {
      if (self.cancelled) return;
      if (err.status === 404 || err.status === 405 || err.status === 501) return self.plain();
      self.fail(err.message);
    });
  };

  Upload.prototype.send = function (offset) {
    var self = this;
    if (this.cancelled) return;
    this.progress(offset);
    var end = Math.min(this.file.size, offset + CHUNK);
    var p = xhr("PATCH", this.url, { "Tus-Resumable": TUS, "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" },
      this.file.slice(offset, end), function (n) { self.progress(offset + n); });
    this.req = p.xhr;
    return p.then(function (x) {
      self.tries = 0;
      var next = parseInt(x.getResponseHeader("Upload-Offset"), 10);
      if (next >= self.file.size) return self.finish();
      return self.send(next);
    }, function (err) {
      if (self.cancelled) return;
      if (err.status === 405 || err.status === 501) return self.plain();
      if ((err.network || err.status === 409 || err.status >= 500) && self.tries < 8) return self.resume();
      self.fail(err.message);
    });
  };

  // resume asks the server how much arrived and goes on from there.
  Upload.prototype.resume = function () {
    var self = this;
    this.tries++;
    this.job.set(null, "connection lost — resuming…");
    return new Promise(function (r) { setTimeout(r, Math.min(8000, 250 * Math.pow(2, self.tries))); }).then(function () {
      if (self.cancelled) return;
      return xhr("HEAD", self.url, { "Tus-Resumable": TUS }).then(function (x) {
        var off = parseInt(x.getResponseHeader("Upload-Offset"), 10) || 0;
        self.job.li.setAttribute("data-resumed-at", off);
        return self.send(off);
      }, function (err) {
        if (err.status === 404) { self.fail("the server no longer has this upload; start it again"); return; }
        return self.resume();
      });
    });
  };

  // plain sends the file in one multipart POST to the afs API.
  Upload.prototype.plain = function () {
    var self = this, fd = new FormData();
    if (this.url) { xhr("DELETE", this.url, { "Tus-Resumable": TUS }).catch(function () { /* expires anyway */ }); this.url = null; }
    fd.append("file", this.file, this.file.name);
    var path = this.folder.slice(5).split("/").map(encodeURIComponent).join("/");
    this.base = 0;
    this.started = Date.now();
    this.job.li.setAttribute("data-mode", "post");
    var p = xhr("POST", "/api/fs/files/" + path, {}, fd, function (n) { self.progress(n); });
    this.req = p.xhr;
    p.then(function () { self.finish(); }, function (err) { if (!self.cancelled) self.fail(err.message); });
  };

  Upload.prototype.finish = function () {
    try { localStorage.removeItem(this.key); } catch (e) { /* private mode */ }
    this.progress(this.file.size);
    var secs = (Date.now() - this.started) / 1000;
    this.job.end("succeeded", "Uploaded " + bytes(this.file.size) + (secs > 0.05 ? " at " + bytes((this.file.size - this.base) / secs) + "/s" : ""));
    if (this.done) this.done();
  };

  Upload.prototype.fail = function (msg) {
    this.job.end("failed", "Failed: " + msg);
    if (this.done) this.done();
  };

  Upload.prototype.cancel = function () {
    this.cancelled = true;
    if (this.req) this.req.abort();
    if (this.url) xhr("DELETE", this.url, { "Tus-Resumable": TUS }).catch(function () { /* gone already */ });
    try { localStorage.removeItem(this.key); } catch (e) { /* private mode */ }
    this.job.end("cancelled", "Cancelled");
  };

  function chooseFiles(multiple, accept) {
    return new Promise(function (resolve) {
      var input = el("input");
      input.type = "file";
      input.multiple = multiple;
      if (accept) input.accept = accept;
      input.className = "fc-hidden-input";
      input.addEventListener("change", function () { resolve(Array.prototype.slice.call(input.files)); input.remove(); });
      document.body.appendChild(input);
      input.click();
    });
  }

  function wireDrop(zone, onFiles) {
    var depth = 0;
    zone.addEventListener("dragenter", function (e) { if (hasFiles(e)) { depth++; zone.classList.add("fc-dragover"); e.preventDefault(); } });
    zone.addEventListener("dragover", function (e) { if (hasFiles(e)) { e.preventDefault(); e.dataTransfer.dropEffect = "copy"; } });
    zone.addEventListener("dragleave", function () { if (--depth <= 0) { depth = 0; zone.classList.remove("fc-dragover"); } });
    zone.addEventListener("drop", function (e) {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      zone.classList.remove("fc-dragover");
      onFiles(Array.prototype.slice.call(e.dataTransfer.files));
    });
  }
  function hasFiles(e) { return e.dataTransfer && Array.prototype.indexOf.call(e.dataTransfer.types, "Files") >= 0; }

  // ---- the commander ---------------------------------------------------------

  function Commander(root) {
    var self = this;
    this.root = root;
    this.api = root.getAttribute("data-api");
    this.maxUpload = parseInt(root.getAttribute("data-max-upload"), 10) || 0;
    this.jobs = new Jobs(root.querySelector(".fc-job-list"));
    this.panels = Array.prototype.map.call(root.querySelectorAll(".fc-panel"), function (p) {
      var panel = new Panel(p, self.api, { onFocus: function (x) { self.activate(x); }, onFile: function (e) { viewer(self.api, e); } });
      wireDrop(p, function (files) { self.activate(panel); self.upload(files, panel); });
      p.querySelector(".fc-scroll").addEventListener("focus", function () { self.activate(panel); });
      return panel;
    });
    this.active = this.panels[0];
    request("GET", this.api + "/sources").then(function (d) {
      self.panels.forEach(function (p) { p.setSources(d.sources); p.reload(); });
    }, function (err) { self.panels.forEach(function (p) { p.showError(err.message); }); });
    this.activate(this.panels[0]);
    root.querySelectorAll(".fc-keybar [data-action]").forEach(function (b) {
      b.addEventListener("click", function () { self.run(b.getAttribute("data-action")); });
    });
    this.onKey = function (e) { self.key(e); };
    document.addEventListener("keydown", this.onKey);
    var hash = location.hash;
    if (hash === "#upload" || hash === "#mkdir") setTimeout(function () { self.run(hash.slice(1)); }, 300);
  }

  Commander.prototype.other = function () { return this.panels[0] === this.active ? this.panels[1] : this.panels[0]; };

  Commander.prototype.activate = function (p) {
    this.active = p;
    this.panels.forEach(function (x) { x.root.classList.toggle("fc-active", x === p); });
  };

  Commander.prototype.key = function (e) {
    if (!this.root.isConnected) { document.removeEventListener("keydown", this.onKey); return; }
    if (document.querySelector("dialog[open]")) return;
    var t = e.target, inField = t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA");
    var p = this.active;
    if (inField) {
      if (t.classList.contains("fc-filter") && (e.key === "ArrowDown" || e.key === "Enter" || e.key === "Escape")) {
        if (e.key === "Escape" && t.value) { t.value = ""; t.dispatchEvent(new Event("input")); }
        p.scroll.focus();
        e.preventDefault();
      }
      return;
    }
    if (e.ctrlKey || e.altKey || e.metaKey) return;
    var action = { F3: "view", F5: "copy", F6: e.shiftKey ? "rename" : "move", F7: "mkdir", F8: "delete", Delete: "delete", Tab: "switch" }[e.key];
    if (action) { e.preventDefault(); this.run(action); return; }
    if (p.key(e)) { e.preventDefault(); p.renderStatus(); return; }
    if (e.key.length === 1 && e.key !== " " && !e.shiftKey || /^[A-Z]$/.test(e.key)) {
      p.filterInput.focus();
    }
  };

  Commander.prototype.run = function (action) {
    var self = this, p = this.active, o = this.other();
    switch (action) {
      case "switch":
        this.activate(o);
        o.scroll.focus();
        return;
      case "select": p.toggle(p.cursor); p.setCursor(p.cursor + 1); return;
      case "view": {
        var c = p.current();
        if (c && !c.folder) viewer(this.api, c);
        else if (c) p.activate();
        return;
      }
      case "copy": case "move": return this.transfer(action, p, o);
      case "rename": return this.rename(p);
      case "mkdir": return this.mkdir(p);
      case "delete": return this.remove(p);
      case "upload":
        return chooseFiles(true).then(function (files) { if (files.length) self.upload(files, p); });
    }
  };

  Commander.prototype.transfer = function (op, from, to) {
    var self = this, items = from.targets();
    if (!items.length) return;
    if (from.urn === to.urn) { ask({ title: "Nothing to " + op, message: "Both panels show " + to.urn + ". Open another folder in the other panel first.", ok: "OK" }); return; }
    var urns = items.map(function (e) { return e.urn; });
    var what = items.length === 1 ? "“" + items[0].name + "”" + (items[0].folder ? " (a folder)" : "") : items.length + " items";
    request("POST", this.api + "/conflicts", { from: urns, to: to.urn }).then(function (d) {
      return ask({
        title: op === "move" ? "Move" : "Copy",
        message: (op === "move" ? "Move " : "Copy ") + what + " to " + to.urn + "?" + (op === "move" ? " The originals are deleted once each copy is verified." : ""),
        list: items.length > 1 ? items.map(function (e) { return e.name; }) : null,
        conflicts: d.conflicts, ok: op === "move" ? "Move" : "Copy",
        act: function (v) {
          return request("POST", self.api + "/transfer", { op: op, from: urns, to: to.urn, conflict: v.conflict || "skip" });
        }
      });
    }).then(function (r) {
      if (!r || !r.task) return;
      followTask(self.jobs, r.task, (op === "move" ? "Move " : "Copy ") + what + " → " + to.urn, function () {
        from.reload();
        to.reload();
      });
    }).catch(function (err) { ask({ title: "Cannot " + op, message: err.message, ok: "OK" }); });
  };

  Commander.prototype.rename = function (p) {
    var c = p.current(), self = this;
    if (!c || c.up) return;
    ask({
      title: "Rename", message: "Rename “" + c.name + "” in " + p.urn + " to:", input: c.name, ok: "Rename",
      act: function (v) { return request("POST", self.api + "/rename", { urn: c.urn, name: v.value }); }
    }).then(function (r) {
      if (r && r.name) { p.focusName = r.name; p.reload(); }
    });
  };

  Commander.prototype.mkdir = function (p) {
    var self = this;
    ask({
      title: "New folder", message: "Make a folder in " + p.urn + ":", input: "", inputLabel: "Folder name", ok: "Make folder",
      act: function (v) { return request("POST", self.api + "/mkdir", { urn: join(p.urn, v.value) }); }
    }).then(function (r) {
      if (r && r.name) { p.focusName = r.name; p.reload(); }
    });
  };

  Commander.prototype.remove = function (p) {
    var items = p.targets(), self = this;
    if (!items.length) return;
    var folders = items.filter(function (e) { return e.folder; }).length;
    ask({
      title: "Delete", danger: true, ok: "Delete",
      message: "Delete " + (items.length === 1 ? "“" + items[0].name + "”" : items.length + " items") + " from " + p.urn + "?" +
        (folders ? " Folders are deleted with everything in them." : "") + " This cannot be undone.",
      list: items.length > 1 ? items.map(function (e) { return e.name; }) : null,
      act: function () { return request("POST", self.api + "/delete", { urns: items.map(function (e) { return e.urn; }) }); }
    }).then(function (r) { if (r) p.reload(); });
  };

  Commander.prototype.upload = function (files, p) {
    var self = this, left = files.length, folder = p.urn;
    files.forEach(function (f) {
      new Upload(self.api, self.jobs, f, folder, self.maxUpload, function () {
        if (--left === 0) self.panels.forEach(function (x) { if (x.urn === folder) x.reload(); });
      });
    });
  };

  // ---- the picker ------------------------------------------------------------

  function panelMarkup() {
    var s = el("section", "fc-panel fc-active");
    var bar = el("div", "fc-bar");
    var sel = el("select", "fc-source");
    sel.setAttribute("aria-label", "Source");
    bar.appendChild(sel);
    bar.appendChild(el("nav", "fc-crumbs")).setAttribute("aria-label", "Path");
    var f = el("input", "fc-filter");
    f.type = "search"; f.placeholder = "Filter"; f.setAttribute("aria-label", "Filter this folder");
    bar.appendChild(f);
    s.appendChild(bar);
    var sc = el("div", "fc-scroll");
    sc.tabIndex = 0;
    var t = el("table", "fc-table"), head = el("thead"), tr = el("tr");
    [["name", "Name"], ["size", "Size"], ["modified", "Modified"], ["type", "Type"]].forEach(function (c) {
      var th = el("th");
      th.setAttribute("data-col", c[0]);
      var b = el("button", "fc-sort", c[1]);
      b.type = "button";
      b.setAttribute("data-sort", c[0]);
      th.appendChild(b);
      tr.appendChild(th);
    });
    head.appendChild(tr);
    t.appendChild(head);
    t.appendChild(el("tbody", "fc-rows"));
    sc.appendChild(t);
    sc.appendChild(el("p", "fc-more muted"));
    s.appendChild(sc);
    s.appendChild(el("div", "fc-status muted"));
    s.appendChild(el("div", "fc-drop", "Drop files to upload them here"));
    return s;
  }

  function Picker(root) {
    var self = this;
    this.root = root;
    this.api = root.getAttribute("data-api");
    this.name = root.getAttribute("data-name");
    this.multiple = root.hasAttribute("data-multiple");
    this.accept = (root.getAttribute("data-accept") || "").split(",").filter(function (s) { return s.trim(); });
    this.start = root.getAttribute("data-start");
    this.maxUpload = parseInt(root.getAttribute("data-max-upload"), 10) || 0;
    root.querySelector(".fp-open").addEventListener("click", function () {
      // The key that chose a file must not open the dialog again from the
      // button that gets the focus back.
      if (Date.now() - (self.closedAt || 0) > 300) self.open();
    });
  }

  Picker.prototype.open = function () {
    var self = this;
    var d = el("dialog", "fc-dialog fp-dialog");
    d.appendChild(el("h2", "fc-dialog-title", this.multiple ? "Select files" : "Select a file"));
    var markup = panelMarkup();
    markup.setAttribute("data-start", this.last || this.start);
    d.appendChild(markup);
    var jobs = el("ul", "fc-job-list");
    d.appendChild(jobs);
    var bar = el("div", "fc-dialog-buttons");
    var up = el("button", "button fp-upload", "Upload…"), cancel = el("button", "button", "Cancel"), ok = el("button", "button primary fp-choose", "Select");
    [up, cancel, ok].forEach(function (b) { b.type = "button"; bar.appendChild(b); });
    d.appendChild(bar);
    document.body.appendChild(d);
    var chooseNow = function () { self.choose(panel, d); };
    var panel = new Panel(markup, this.api, { accept: this.accept, single: !this.multiple, onFile: function (e) {
      if (!e.ok) return;
      if (self.multiple) panel.toggle(panel.cursor); else chooseNow();
    } });
    var pjobs = new Jobs(jobs);
    function upload(files) {
      var left = files.length;
      files.forEach(function (f) { new Upload(self.api, pjobs, f, panel.urn, self.maxUpload, function () { if (--left === 0) panel.reload(); }); });
    }
    wireDrop(markup, upload);
    up.addEventListener("click", function () { chooseFiles(self.multiple, self.accept.join(",")).then(function (fs) { if (fs.length) upload(fs); }); });
    cancel.addEventListener("click", function () { d.close(); });
    ok.addEventListener("click", chooseNow);
    d.addEventListener("close", function () { self.last = panel.urn; self.closedAt = Date.now(); d.remove(); });
    d.addEventListener("keydown", function (e) {
      var t = e.target;
      if (t && t.tagName === "INPUT") {
        if (t.classList.contains("fc-filter") && (e.key === "ArrowDown" || e.key === "Enter")) { e.preventDefault(); panel.scroll.focus(); }
        return;
      }
      if (t && (t.tagName === "BUTTON" || t.tagName === "SELECT") && (e.key === "Enter" || e.key === " ")) return;
      if (panel.key(e)) { e.preventDefault(); panel.renderStatus(); }
    });
    request("GET", this.api + "/sources").then(function (r) { panel.setSources(r.sources); panel.reload(); }, function (err) { panel.showError(err.message); });
    d.showModal();
    panel.scroll.focus();
  };

  Picker.prototype.choose = function (panel, d) {
    var picked = panel.selection();
    var c = panel.current();
    if (!picked.length && c && !c.folder && c.ok) picked = [c];
    if (!picked.length) { panel.status.textContent = "Choose a file first" + (this.accept.length ? " (" + this.accept.join(", ") + ")" : "") + "."; return; }
    var self = this;
    this.root.querySelectorAll("input[type=hidden]").forEach(function (i) { i.remove(); });
    var ul = this.root.querySelector(".fp-chosen");
    ul.textContent = "";
    var files = picked.map(function (e) {
      var i = el("input");
      i.type = "hidden"; i.name = self.name; i.value = e.urn;
      self.root.appendChild(i);
      var li = el("li");
      li.appendChild(icon(e.kind));
      li.appendChild(el("span", "", " " + e.name));
      ul.appendChild(li);
      return { urn: e.urn, url: e.url, name: e.name, size: e.size, type: e.type };
    });
    this.closedAt = Date.now();
    d.close();
    this.root.dispatchEvent(new CustomEvent("files:pick", { bubbles: true, detail: { name: this.name, files: files } }));
  };

  // ---- start ---------------------------------------------------------------

  function init(scope) {
    if (!scope || !scope.querySelectorAll) return;
    scope.querySelectorAll("[data-files-commander]").forEach(function (r) {
      if (!r._files) r._files = new Commander(r);
    });
    scope.querySelectorAll("[data-files-picker]").forEach(function (r) {
      if (!r._files) r._files = new Picker(r);
    });
  }
  window.WebOSFiles = { init: init };
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
