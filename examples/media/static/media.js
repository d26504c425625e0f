// The media library's page script: uploads (through the files app's
// resumable tus uploads, then added to the library), the gallery's
// multi-select, the detail view's delete, and the asset picker that other
// apps put in their forms.
(function () {
  "use strict";
  var TUS = "1.0.0", CHUNK = 8 << 20;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text != null) e.textContent = text;
    return e;
  }

  // request sends JSON and resolves with the decoded answer; an error
  // carries the server's message, its status and its body.
  function request(method, url, body) {
    var opts = { method: method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
    return fetch(url, opts).then(function (res) {
      return res.text().then(function (t) {
        var d = null;
        try { d = t ? JSON.parse(t) : null; } catch (e) { d = null; }
        if (!res.ok) {
          var msg = (d && d.error) || ("the server answered " + res.status);
          if (d && d.fields) msg += ": " + Object.keys(d.fields).map(function (k) { return k + " " + d.fields[k]; }).join("; ");
          var err = new Error(msg); err.status = res.status; err.body = d;
          throw err;
        }
        return d;
      });
    });
  }

  function xhr(method, url, headers, body) {
    return new Promise(function (resolve, reject) {
      var x = new XMLHttpRequest();
      x.open(method, url);
      Object.keys(headers).forEach(function (k) { x.setRequestHeader(k, headers[k]); });
      x.onload = function () {
        if (x.status >= 200 && x.status < 300) { resolve(x); return; }
        var msg = "the server answered " + x.status;
        try { msg = JSON.parse(x.responseText).error || msg; } catch (e) { /* not JSON */ }
        var err = new Error(msg); err.status = x.status; reject(err);
      };
      x.onerror = function () { var err = new Error("the connection dropped"); err.status = 0; reject(err); };
      x.send(body || null);
    });
  }

  function b64(s) { return btoa(unescape(encodeURIComponent(s))); }

  // upload sends one file over tus into a fresh upload folder of the
  // library, resuming after a dropped connection, then adds it to the
  // library. It resolves with the ingest result {asset, duplicate} and
  // reports progress (0..1) on the way.
  function upload(api, file, onProgress) {
    return request("POST", api + "/uploads").then(function (f) {
      if (f.max_upload && file.size > f.max_upload) throw new Error(file.name + " is larger than the upload limit");
      var md = "filename " + b64(file.name) + ",folder " + b64(f.folder) + ",conflict " + b64("overwrite") +
        (file.type ? ",filetype " + b64(file.type) : "");
      return xhr("POST", f.uploads, { "Tus-Resumable": TUS, "Upload-Length": String(file.size), "Upload-Metadata": md }).then(function (x) {
        var url = x.getResponseHeader("Location"), tries = 0;
        function send(off) {
          if (off >= file.size) return Promise.resolve();
          var end = Math.min(off + CHUNK, file.size);
          return xhr("PATCH", url, { "Tus-Resumable": TUS, "Upload-Offset": String(off), "Content-Type": "application/offset+octet-stream" },
            file.slice(off, end)).then(function (x) {
            tries = 0;
            var next = parseInt(x.getResponseHeader("Upload-Offset"), 10);
            if (onProgress) onProgress(next / file.size);
            return send(next);
          }, function (err) {
            if (err.status >= 400 && err.status !== 409 || ++tries > 5) throw err;
            return new Promise(function (r) { setTimeout(r, 500 * tries); }).then(function () {
              return xhr("HEAD", url, { "Tus-Resumable": TUS });
            }).then(function (x) { return send(parseInt(x.getResponseHeader("Upload-Offset"), 10) || 0); });
          });
        }
        return send(0);
      }).then(function () {
        return request("POST", api + "/ingest", { urns: [f.folder + "/" + file.name] });
      }).then(function (res) {
        var r = res[0];
        if (r.error) throw new Error(r.error);
        return r;
      });
    });
  }

  // uploadAll sends files one after the other, listing each in list.
  function uploadAll(api, files, list, onDone) {
    var chain = Promise.resolve();
    Array.prototype.forEach.call(files, function (file) {
      var li = el("li", "media-upload-item", file.name + " — waiting");
      li.setAttribute("data-upload", file.name);
      if (list) list.appendChild(li);
      chain = chain.then(function () {
        li.textContent = file.name + " — 0 %";
        return upload(api, file, function (p) { li.textContent = file.name + " — " + Math.round(p * 100) + " %"; }).then(function (r) {
          li.textContent = file.name + (r.duplicate ? " — already in your library" : " — added");
          li.className = "media-upload-item done";
          if (onDone) onDone(r);
        }, function (err) {
          li.textContent = file.name + " — " + err.message;
          li.className = "media-upload-item failed";
        });
      });
    });
    return chain;
  }

  function insertTile(grid, id) {
    if (grid.querySelector('.media-tile[data-id="' + id + '"]')) return;
    fetch("/media/tile/" + encodeURIComponent(id), { credentials: "same-origin", headers: { "HX-Request": "true" } }).then(function (r) {
      return r.ok ? r.text() : "";
    }).then(function (html) {
      if (!html) return;
      var t = document.createElement("template");
      t.innerHTML = html.trim();
      var node = t.content.firstElementChild;
      if (!node) return;
      var empty = grid.querySelector(".media-empty");
      if (empty) empty.remove();
      grid.insertBefore(node, grid.firstChild);
      if (window.htmx) window.htmx.process(node);
    });
  }

  // ---- the gallery and the detail view ---------------------------------------

  function bulk(api, errBox, action, ids, value) {
    errBox.textContent = "";
    return request("POST", api + "/bulk", { ids: ids, action: action, value: value || "" }).catch(function (err) {
      if (err.status === 409 && action === "delete") {
        if (!window.confirm(err.message)) return null;
        return request("POST", api + "/bulk", { ids: ids, action: action, force: true });
      }
      errBox.textContent = err.message;
      return null;
    });
  }

  function Gallery(root) {
    var api = root.getAttribute("data-api"), grid = root.querySelector("#media-grid");
    var errBox = root.querySelector("#media-error") || el("p");
    var input = root.querySelector("#media-files"), list = root.querySelector("#media-uploads");
    function send(files) { uploadAll(api, files, list, function (r) { if (grid) insertTile(grid, r.asset.id); }); }
    if (input) input.addEventListener("change", function () { send(input.files); input.value = ""; });
    if (grid && input) {
      grid.addEventListener("dragover", function (e) { e.preventDefault(); grid.classList.add("media-drop"); });
      grid.addEventListener("dragleave", function () { grid.classList.remove("media-drop"); });
      grid.addEventListener("drop", function (e) { e.preventDefault(); grid.classList.remove("media-drop"); send(e.dataTransfer.files); });
    }
    var bar = root.querySelector("#media-select-bar");
    function selected() {
      return Array.prototype.map.call(root.querySelectorAll(".media-pick:checked"), function (c) { return c.value; });
    }
    function refresh() {
      if (!bar) return;
      var n = selected().length;
      bar.hidden = n === 0;
      root.querySelector("#media-selected").textContent = n + " selected";
    }
    root.addEventListener("change", function (e) { if (e.target.classList && e.target.classList.contains("media-pick")) refresh(); });
    if (bar) bar.addEventListener("click", function (e) {
      var b = e.target.closest("[data-bulk]");
      if (!b) return;
      var action = b.getAttribute("data-bulk"), ids = selected();
      if (action === "clear") { root.querySelectorAll(".media-pick:checked").forEach(function (c) { c.checked = false; }); refresh(); return; }
      var value = action === "tag" ? root.querySelector("#ms-tag").value : action === "album" ? root.querySelector("#ms-album").value : "";
      if (action === "delete" && !window.confirm("Delete " + ids.length + " item(s)?")) return;
      bulk(api, errBox, action, ids, value).then(function (r) { if (r) location.reload(); });
    });
    var del = root.querySelector("#media-delete");
    if (del) del.addEventListener("click", function () {
      if (!window.confirm("Delete this item?")) return;
      bulk(api, errBox, "delete", [del.getAttribute("data-id")]).then(function (r) {
        if (r) location.href = root.getAttribute("data-home") || "/media/";
      });
    });
    var imp = root.querySelector("#media-import"), impStatus = root.querySelector("#media-import-status");
    if (imp) imp.addEventListener("submit", function (e) {
      e.preventDefault();
      impStatus.textContent = "";
      request("POST", api + "/import", { folder: imp.querySelector("#mi-folder").value.trim() }).then(function (r) {
        impStatus.textContent = "Importing in the background (task " + r.task + "); new files appear here as they are added.";
      }, function (err) { impStatus.textContent = err.message; });
    });
    var regen = root.querySelector("#media-regenerate");
    if (regen) regen.addEventListener("click", function () {
      request("POST", api + "/regenerate").then(function (r) {
        impStatus.textContent = "Making the missing thumbnails, one at a time (task " + r.task + ").";
      }, function (err) { impStatus.textContent = err.message; });
    });
    if (location.hash === "#upload" && input) setTimeout(function () { input.click(); }, 200);
  }

  // ---- the asset picker -------------------------------------------------------

  function Picker(root) {
    this.root = root;
    this.api = root.getAttribute("data-api");
    this.name = root.getAttribute("data-name");
    this.kinds = (root.getAttribute("data-kinds") || "").split(",").filter(Boolean);
    this.multiple = root.hasAttribute("data-multiple");
    this.insert = root.getAttribute("data-insert");
    var self = this;
    root.querySelector(".mp-open").addEventListener("click", function () { self.open(); });
  }

  Picker.prototype.open = function () {
    var self = this;
    if (!this.dialog) this.build();
    this.chosen = {};
    this.search.value = "";
    this.load(true);
    this.dialog.showModal();
    this.search.focus();
  };

  Picker.prototype.build = function () {
    var self = this, d = el("dialog", "mp-dialog");
    d.setAttribute("aria-label", "Choose from Media");
    var head = el("div", "mp-head");
    this.search = el("input", "mp-search");
    this.search.type = "search"; this.search.placeholder = "Search title, tag or name";
    this.search.setAttribute("aria-label", "Search");
    this.kind = el("select", "mp-kind");
    this.kind.setAttribute("aria-label", "Type");
    var kinds = this.kinds.length ? this.kinds : ["", "image", "video", "audio", "pdf", "other"];
    kinds.forEach(function (k) { var o = el("option", "", k || "Any type"); o.value = k; self.kind.appendChild(o); });
    var up = el("label", "button mp-upload", "Upload…"), file = el("input", "media-hidden");
    file.type = "file"; file.multiple = true;
    up.appendChild(file);
    head.appendChild(this.search); head.appendChild(this.kind); head.appendChild(up);
    this.err = el("p", "form-error");
    this.err.setAttribute("role", "alert");
    this.uploads = el("ul", "media-uploads");
    this.grid = el("div", "mp-grid");
    this.moreBtn = el("button", "button mp-more", "More");
    this.moreBtn.type = "button";
    var foot = el("div", "mp-foot"), cancel = el("button", "button", "Cancel"), ok = el("button", "button primary mp-choose", "Select");
    cancel.type = "button"; ok.type = "button";
    foot.appendChild(cancel); foot.appendChild(ok);
    [head, this.err, this.uploads, this.grid, this.moreBtn, foot].forEach(function (n) { d.appendChild(n); });
    document.body.appendChild(d);
    this.dialog = d;
    var timer;
    this.search.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(function () { self.load(true); }, 200); });
    this.kind.addEventListener("change", function () { self.load(true); });
    this.moreBtn.addEventListener("click", function () { self.load(false); });
    cancel.addEventListener("click", function () { d.close(); });
    ok.addEventListener("click", function () { self.confirm(); });
    file.addEventListener("change", function () {
      var files = file.files;
      uploadAll(self.api, files, self.uploads, function (r) { self.chosen[r.asset.id] = r.asset; }).then(function () {
        file.value = "";
        self.load(true);
      });
    });
  };

  Picker.prototype.load = function (first) {
    var self = this;
    if (first) { this.next = ""; this.grid.textContent = ""; this.items = {}; }
    var q = "?limit=30&q=" + encodeURIComponent(this.search.value.trim());
    if (this.kind.value) q += "&kind=" + encodeURIComponent(this.kind.value);
    if (!first && this.next) q += "&after=" + encodeURIComponent(this.next);
    this.err.textContent = "";
    return request("GET", this.api + "/assets" + q).then(function (p) {
      p.items.forEach(function (a) { self.add(a); });
      self.next = p.next || "";
      self.moreBtn.hidden = !self.next;
      if (!self.grid.children.length) self.grid.appendChild(el("p", "muted", "Nothing here yet: upload a file."));
    }, function (err) { self.err.textContent = err.message; });
  };

  Picker.prototype.add = function (a) {
    var self = this;
    this.items[a.id] = a;
    var b = el("button", "mp-item");
    b.type = "button";
    b.setAttribute("data-id", a.id);
    b.setAttribute("aria-pressed", this.chosen[a.id] ? "true" : "false");
    if (a.sizes.length) {
      var img = el("img");
      img.src = a.sizes[0].url; img.alt = a.title; img.loading = "lazy";
      b.appendChild(img);
    } else {
      b.appendChild(el("span", "media-icon", a.thumbs === "pending" ? "⏳" : a.kind === "pdf" ? "📄" : a.kind === "video" ? "🎬" : a.kind === "image" ? "🖼️" : "📦"));
    }
    b.appendChild(el("span", "mp-title", a.title));
    b.addEventListener("click", function () {
      if (!self.multiple) {
        self.chosen = {};
        self.grid.querySelectorAll(".mp-item").forEach(function (x) { x.setAttribute("aria-pressed", "false"); });
      }
      if (self.chosen[a.id]) delete self.chosen[a.id]; else self.chosen[a.id] = a;
      b.setAttribute("aria-pressed", self.chosen[a.id] ? "true" : "false");
    });
    b.addEventListener("dblclick", function () { self.chosen = {}; self.chosen[a.id] = a; self.confirm(); });
    this.grid.appendChild(b);
  };

  Picker.prototype.confirm = function () {
    var self = this, root = this.root;
    var assets = Object.keys(this.chosen).map(function (k) { return self.items[k] || self.chosen[k]; });
    if (this.kinds.length) {
      var bad = assets.filter(function (a) { return self.kinds.indexOf(a.kind) < 0; });
      if (bad.length) { this.err.textContent = bad[0].title + " is not of an accepted type"; return; }
    }
    if (!assets.length) { this.err.textContent = "Choose an item first."; return; }
    root.querySelectorAll('input[type=hidden]').forEach(function (i) { i.remove(); });
    var ul = root.querySelector(".mp-chosen");
    ul.textContent = "";
    assets.forEach(function (a) {
      var i = el("input");
      i.type = "hidden"; i.name = self.name; i.value = a.id;
      root.appendChild(i);
      ul.appendChild(el("li", "", a.title));
    });
    this.dialog.close();
    if (this.insert) insertMarkdown(document.querySelector(this.insert), assets);
    root.dispatchEvent(new CustomEvent("media:pick", { bubbles: true, detail: { name: this.name, assets: assets } }));
  };

  // insertMarkdown puts each asset into a Markdown textarea at the cursor:
  // an image of its largest size, or a link to the original.
  function insertMarkdown(ta, assets) {
    if (!ta) return;
    var alt = function (s) { return s.replace(/[\[\]\\]/g, ""); };
    var text = assets.map(function (a) {
      if (a.sizes.length) return "![" + alt(a.title) + "](" + a.sizes[a.sizes.length - 1].urn + ")";
      return "[" + alt(a.title) + "](" + a.urn + ")";
    }).join("\n\n");
    var at = ta.selectionStart != null ? ta.selectionStart : ta.value.length;
    var before = ta.value.slice(0, at), after = ta.value.slice(ta.selectionEnd != null ? ta.selectionEnd : at);
    var sep = before && !/\n\n$/.test(before) ? "\n\n" : "";
    ta.value = before + sep + text + "\n\n" + after;
    ta.dispatchEvent(new Event("input", { bubbles: true }));
    ta.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function init(scope) {
    if (!scope || !scope.querySelectorAll) return;
    var roots = Array.prototype.slice.call(scope.querySelectorAll("[data-media]"));
    if (scope.matches && scope.matches("[data-media]")) roots.push(scope);
    roots.forEach(function (r) { if (!r._media) r._media = new Gallery(r); });
    scope.querySelectorAll("[data-media-picker]").forEach(function (r) { if (!r._media) r._media = new Picker(r); });
  }
  window.WebOSMedia = { init: init, upload: upload };
  document.addEventListener("htmx:load", function (e) { init(e.target); });
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { init(document); });
  else init(document);
})();
