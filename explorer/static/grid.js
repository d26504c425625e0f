// The explorer's data grid: keyboard navigation between cells, inline
// editing (Enter or F2 to edit, Enter to save, Esc to cancel, Tab to save
// and move on), row selection. Everything else is htmx.
(function () {
  "use strict";
  if (window.webosGrid) return;
  window.webosGrid = true;

  function cells(tr) { return Array.prototype.slice.call(tr.querySelectorAll("td[data-field]")); }
  function gridOf(el) { return el.closest("[data-grid]"); }

  function move(td, dr, dc) {
    var tr = td.parentElement, row = cells(tr), i = row.indexOf(td);
    var target = null;
    if (dc !== 0) {
      target = row[i + dc];
      if (!target) {
        var sib = dc > 0 ? tr.nextElementSibling : tr.previousElementSibling;
        if (sib) { var r = cells(sib); target = dc > 0 ? r[0] : r[r.length - 1]; }
      }
    } else {
      var other = dr > 0 ? tr.nextElementSibling : tr.previousElementSibling;
      if (other) target = cells(other)[i];
    }
    if (target) target.focus();
    return target;
  }

  function display(td, raw) {
    var type = td.dataset.type;
    if (type === "time" && raw) {
      var d = new Date(raw);
      if (!isNaN(d)) { var s = d.toISOString(); return s.slice(0, 10) + " " + s.slice(11, 16); }
    }
    if (type === "boolean") return raw === "true" ? "yes" : "no";
    return raw;
  }

  function startEdit(td) {
    if (!td.hasAttribute("data-editable") || td.classList.contains("editing")) return;
    var raw = td.dataset.value || "", type = td.dataset.type, input;
    if (td.dataset.values || type === "boolean") {
      input = document.createElement("select");
      var opts = type === "boolean" ? ["true", "false"] : td.dataset.values.split("\n");
      opts.forEach(function (v) {
        var o = document.createElement("option"); o.value = v; o.textContent = v;
        if (v === raw) o.selected = true; input.appendChild(o);
      });
    } else {
      input = document.createElement("input");
      if (type === "number") { input.type = "number"; input.step = "any"; input.value = raw; }
      else if (type === "time") { input.type = "datetime-local"; input.value = raw ? raw.slice(0, 16) : ""; }
      else { input.type = "text"; input.value = raw; }
    }
    input.setAttribute("aria-label", "Edit " + td.dataset.field);
    td.dataset.before = td.innerHTML;
    td.textContent = "";
    td.classList.add("editing");
    td.appendChild(input);
    input.focus();
    if (input.select) input.select();
  }

  function cancel(td) {
    if (!td.classList.contains("editing")) return;
    td.innerHTML = td.dataset.before || "";
    td.classList.remove("editing", "invalid");
    td.focus();
  }

  function setRow(tr, row) {
    if (row.updated_at) tr.dataset.version = row.updated_at;
    cells(tr).forEach(function (c) {
      if (!(c.dataset.field in row) || c.classList.contains("editing")) return;
      var v = row[c.dataset.field]; v = v === null || v === undefined ? "" : String(v);
      c.dataset.value = v; c.textContent = display(c, v);
    });
  }

  function message(grid, text) {
    var m = grid.querySelector(".xgrid-msg"); if (m) m.textContent = text;
  }

  function save(td, then) {
    var tr = td.parentElement, grid = gridOf(td), input = td.querySelector("input, select");
    var value = input.value;
    if (td.dataset.type === "time" && value && value.length === 16) value = value + ":00Z";
    var body = new URLSearchParams();
    body.set(td.dataset.field, value);
    body.set("version", tr.dataset.version);
    fetch(grid.dataset.grid + "/rows/" + encodeURIComponent(tr.dataset.id), {
      method: "PATCH", body: body, credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { status: res.status, data: data }; });
    }).then(function (r) {
      var old = td.querySelector(".xgrid-err"); if (old) old.remove();
      if (r.status === 200) {
        td.classList.remove("editing", "invalid");
        var v = r.data.row[td.dataset.field]; v = v === null || v === undefined ? "" : String(v);
        td.dataset.value = v; td.textContent = display(td, v);
        setRow(tr, r.data.row);
        message(grid, "Saved.");
        if (then) then(); else td.focus();
        return;
      }
      if (r.status === 409 && r.data.row) {
        td.classList.remove("editing", "invalid");
        td.innerHTML = td.dataset.before || "";
        setRow(tr, r.data.row);
        message(grid, "This row was changed by someone else: it now shows the current values. Edit again to change them.");
        td.focus();
        return;
      }
      var text = (r.data.fields && r.data.fields[td.dataset.field]) || r.data.error || "Not saved.";
      td.classList.add("invalid");
      var err = document.createElement("span");
      err.className = "xgrid-err"; err.setAttribute("role", "alert");
      err.textContent = text;
      td.appendChild(err);
      input.setAttribute("aria-invalid", "true");
      input.focus();
    }).catch(function () { message(grid, "The change could not be sent. Check the connection and try again."); });
  }

  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t.closest) return;
    var td = t.closest(".xgrid-table td[data-field]");
    if (!td) return;
    if (td.classList.contains("editing")) {
      if (e.key === "Escape") { e.preventDefault(); cancel(td); }
      else if (e.key === "Enter") { e.preventDefault(); save(td); }
      else if (e.key === "Tab") { e.preventDefault(); save(td, function () { move(td, 0, e.shiftKey ? -1 : 1); }); }
      return;
    }
    switch (e.key) {
      case "ArrowRight": e.preventDefault(); move(td, 0, 1); break;
      case "ArrowLeft": e.preventDefault(); move(td, 0, -1); break;
      case "ArrowDown": e.preventDefault(); move(td, 1, 0); break;
      case "ArrowUp": e.preventDefault(); move(td, -1, 0); break;
      case "Tab": if (move(td, 0, e.shiftKey ? -1 : 1)) e.preventDefault(); break;
      case "Enter": case "F2": e.preventDefault(); startEdit(td); break;
    }
  });

  document.addEventListener("dblclick", function (e) {
    var td = e.target.closest && e.target.closest(".xgrid-table td[data-editable]");
    if (td) startEdit(td);
  });

  document.addEventListener("click", function (e) {
    var td = e.target.closest && e.target.closest(".xgrid-table td[data-field]");
    if (td && !td.classList.contains("editing")) td.focus();
  });

  document.addEventListener("change", function (e) {
    var all = e.target.closest && e.target.closest("[data-select-all]");
    if (!all) return;
    var grid = gridOf(all);
    grid.querySelectorAll("input[name=ids]").forEach(function (c) { c.checked = all.checked; });
  });
})();
