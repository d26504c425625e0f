// The vault's page behaviour that HTML cannot express: hiding revealed
// secrets again, copying to the clipboard (and clearing it), and the live
// one-time code. Bound to data- attributes; no secret is ever kept in a
// variable longer than it is needed.
(function () {
  "use strict";

  function status(btn, text) {
    var s = btn.nextElementSibling;
    if (!s || !s.classList.contains("vault-copied")) {
      s = document.createElement("span");
      s.className = "vault-copied";
      s.setAttribute("role", "status");
      btn.insertAdjacentElement("afterend", s);
    }
    s.textContent = text;
  }

  function writeClipboard(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve, reject) {
      var ta = document.createElement("textarea");
      ta.value = text;
      ta.setAttribute("readonly", "");
      ta.className = "vault-offscreen";
      document.body.appendChild(ta);
      ta.select();
      var ok = false;
      try { ok = document.execCommand("copy"); } catch (e) { ok = false; }
      ta.value = "";
      ta.remove();
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  // clearLater empties the clipboard after secs seconds if it still holds
  // what was copied (or if the browser does not let the page read it).
  function clearLater(value, secs, btn) {
    setTimeout(function () {
      var clear = function () { writeClipboard("").then(function () { status(btn, "Clipboard cleared."); }, function () {}); };
      if (navigator.clipboard && navigator.clipboard.readText) {
        navigator.clipboard.readText().then(function (cur) { if (cur === value) clear(); value = null; }, function () { value = null; clear(); });
      } else {
        value = null;
        clear();
      }
    }, secs * 1000);
  }

  function copyValue(btn, value) {
    var secs = parseInt(btn.getAttribute("data-clear-after"), 10) || 0;
    writeClipboard(value).then(function () {
      status(btn, secs ? "Copied; cleared in " + secs + " s." : "Copied.");
      btn.setAttribute("data-copied", "true");
      if (secs) clearLater(value, secs, btn);
    }, function () { status(btn, "The browser refused to copy."); });
  }

  document.addEventListener("click", function (e) {
    var btn = e.target.closest ? e.target.closest("[data-copy-url],[data-copy-text]") : null;
    if (!btn) return;
    e.preventDefault();
    if (btn.hasAttribute("data-copy-text")) { copyValue(btn, btn.getAttribute("data-copy-text")); return; }
    var url = btn.getAttribute("data-copy-url");
    if (!url) {
      var code = btn.closest("[data-totp-url]");
      var c = code && code.querySelector("[data-totp-code]");
      if (c) copyValue(btn, c.textContent);
      return;
    }
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (body) { copyValue(btn, body.value); body.value = null; })
      .catch(function () { status(btn, "Could not copy."); });
  });

  // A revealed secret goes back to its mask after data-autohide seconds.
  function autohide(scope) {
    var els = scope.querySelectorAll ? scope.querySelectorAll("[data-autohide]") : [];
    if (scope.matches && scope.matches("[data-autohide]")) els = [scope];
    Array.prototype.forEach.call(els, function (el) {
      var secs = parseInt(el.getAttribute("data-autohide"), 10) || 20;
      var holder = el.closest("[data-hidden]");
      setTimeout(function () {
        if (!el.isConnected) return;
        if (holder) { holder.textContent = holder.getAttribute("data-hidden"); } else { el.textContent = ""; }
      }, secs * 1000);
    });
  }

  // The live one-time code: fetched when a period begins, counted down
  // locally in between.
  function totp(scope) {
    var els = scope.querySelectorAll ? scope.querySelectorAll("[data-totp-url]") : [];
    Array.prototype.forEach.call(els, function (el) {
      if (el.getAttribute("data-totp-live")) return;
      el.setAttribute("data-totp-live", "true");
      var code = el.querySelector("[data-totp-code]"), bar = el.querySelector("[data-totp-bar]"), left = el.querySelector("[data-totp-left]");
      var remaining = 0, timer = null;
      function tick() {
        if (!el.isConnected) { clearInterval(timer); return; }
        remaining--;
        if (remaining <= 0) { load(); return; }
        if (bar) bar.value = remaining;
        if (left) left.textContent = remaining + " s";
      }
      function load() {
        fetch(el.getAttribute("data-totp-url"), { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
          .then(function (r) { if (!r.ok) throw new Error(r.status === 403 ? "locked" : "unavailable"); return r.json(); })
          .then(function (b) {
            code.textContent = b.code;
            remaining = b.remaining;
            if (bar) { bar.max = b.period; bar.value = remaining; }
            if (left) left.textContent = remaining + " s";
            el.setAttribute("data-totp-ready", "true");
          })
          .catch(function (e) { code.textContent = e.message === "locked" ? "locked" : "unavailable"; remaining = 10; });
      }
      load();
      timer = setInterval(tick, 1000);
    });
  }

  function bind(scope) { autohide(scope); totp(scope); }
  document.addEventListener("htmx:load", function (e) { bind(e.target); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { bind(document); });
  } else {
    bind(document);
  }
})();
