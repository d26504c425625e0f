package navaudit

// The JavaScript the audit evaluates in each page. Each expression
// returns a JSON value that the Go side decodes.

// jsDescribe names an element for a report: its tag, id and classes.
const jsDescribe = `function desc(e) {
  if (!e || !e.tagName) return String(e);
  let s = e.tagName.toLowerCase();
  if (e.id) s += "#" + e.id;
  if (typeof e.className === "string" && e.className.trim()) s += "." + e.className.trim().split(/\s+/).join(".");
  const t = (e.getAttribute("aria-label") || e.textContent || "").trim().replace(/\s+/g, " ").slice(0, 30);
  return t ? s + " (" + t + ")" : s;
}`

// pageFacts is what jsFacts returns.
type pageFacts struct {
	Path    string   `json:"path"`
	Title   string   `json:"title"`
	Doctype bool     `json:"doctype"`
	Brand   string   `json:"brand"`
	Frame   frame    `json:"frame"`
	Active  []string `json:"active"`
	Menu    []string `json:"menu"`
	Links   []link   `json:"links"`
}

type frame struct {
	Shell   bool `json:"shell"` // body.shell and not .bare
	Header  bool `json:"header"`
	Nav     bool `json:"nav"`
	Main    bool `json:"main"`
	Palette bool `json:"palette"`
}

// link is a same-origin URL the page refers to, by the element that does.
type link struct {
	Tag string `json:"tag"`
	URL string `json:"url"` // path and query, without the fragment
}

// jsFacts collects the page's title, frame, menu and same-origin links.
const jsFacts = `(() => {
  const b = document.body;
  const q = s => document.querySelector(s) !== null;
  const links = new Map();
  for (const el of document.querySelectorAll("[href], [src], img[srcset], source[srcset]")) {
    const vals = [];
    for (const at of ["href", "src"]) { const v = el.getAttribute(at); if (v) vals.push(v); }
    const ss = el.getAttribute("srcset");
    if (ss) for (const part of ss.split(",")) { const u = part.trim().split(/\s+/)[0]; if (u) vals.push(u); }
    for (const v of vals) {
      let u;
      try { u = new URL(v, document.baseURI); } catch (e) { continue; }
      if (u.origin !== location.origin || (u.protocol !== "http:" && u.protocol !== "https:")) continue;
      const key = u.pathname + u.search;
      if (!links.has(key)) links.set(key, el.tagName.toLowerCase());
    }
  }
  return {
    path: location.pathname + location.search,
    title: document.title,
    doctype: document.doctype !== null && document.doctype.name === "html",
    brand: (document.querySelector("header.shell-header .brand") || {}).textContent || "",
    frame: {
      shell: b.classList.contains("shell") && !b.classList.contains("bare"),
      header: q("body > header.shell-header"),
      nav: q("aside#sidebar nav#nav"),
      main: q("main#main"),
      palette: q("dialog#palette"),
    },
    active: [...document.querySelectorAll('#nav a[aria-current="page"]')].map(a => a.getAttribute("href")),
    menu: [...document.querySelectorAll("#nav a[href]")].map(a => a.getAttribute("href")),
    links: [...links].map(([url, tag]) => ({tag, url})),
  };
})()`

// focusState is what jsFocus returns about the focused element.
type focusState struct {
	None    bool   `json:"none"`
	El      string `json:"el"`
	Visible bool   `json:"visible"`
	Why     string `json:"why"`
}

// jsFocus tells whether the focused element shows it: an outline or a box
// shadow that is not transparent, on a box that is on the screen.
const jsFocus = `(() => {
  ` + jsDescribe + `
  const e = document.activeElement;
  if (!e || e === document.body || e === document.documentElement) return {none: true};
  const s = getComputedStyle(e);
  const clear = c => /^transparent$|rgba\(.*,\s*0\)$/.test(c);
  const outline = s.outlineStyle !== "none" && (parseFloat(s.outlineWidth) || 0) > 0 && !clear(s.outlineColor);
  const shadow = s.boxShadow !== "" && s.boxShadow !== "none";
  const r = e.getBoundingClientRect();
  const shown = r.width >= 1 && r.height >= 1 && s.visibility === "visible" && parseFloat(s.opacity) > 0 &&
    r.bottom > 0 && r.right > 0 && r.top < innerHeight && r.left < innerWidth;
  let why = "";
  if (!outline && !shadow) why = "no outline or box-shadow (outline " + s.outlineStyle + " " + s.outlineWidth + " " + s.outlineColor + ")";
  else if (!shown) why = "not on the screen (" + Math.round(r.left) + "," + Math.round(r.top) + " " + Math.round(r.width) + "x" + Math.round(r.height) + ")";
  return {none: false, el: desc(e), visible: why === "", why};
})()`

// jsFocusMain moves focus to the start of <main> (focusable with
// tabindex=-1), so that the next Tab reaches the page's own controls.
const jsFocusMain = `(() => { const m = document.querySelector("main"); if (m) { m.focus({preventScroll: true}); return true; } return false; })()`

// narrowState is what jsNarrow returns.
type narrowState struct {
	ScrollWidth int      `json:"scrollWidth"`
	ClientWidth int      `json:"clientWidth"`
	Over        bool     `json:"over"`
	Offenders   []string `json:"offenders"`
}

// jsNarrow checks, once the layout settled (the transitions the new
// width and scheme started have ended, within a second), that nothing
// makes the page wider than the viewport, and names the outermost
// elements that stick out.
const jsNarrow = `Promise.race([
  Promise.all(document.getAnimations().filter(a => a.effect && a.effect.getTiming().iterations !== Infinity).map(a => a.finished.catch(() => null))),
  new Promise(res => setTimeout(res, 1000)),
]).then(() => new Promise(res => requestAnimationFrame(() => requestAnimationFrame(() => {
  ` + jsDescribe + `
  const d = document.documentElement, w = d.clientWidth;
  const over = d.scrollWidth > w + 1 || document.body.scrollWidth > w + 1;
  const offenders = [];
  if (over) {
    for (const e of document.body.querySelectorAll("*")) {
      const r = e.getBoundingClientRect();
      if (r.width === 0 || r.right <= w + 1) continue;
      let clipped = false;
      for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
        if (getComputedStyle(p).overflowX !== "visible") { clipped = true; break; }
      }
      if (clipped || offenders.some(o => o.node.contains(e))) continue;
      offenders.push({node: e, d: desc(e) + " to x=" + Math.round(r.right)});
      if (offenders.length >= 4) break;
    }
  }
  res({scrollWidth: d.scrollWidth, clientWidth: w, over, offenders: offenders.map(o => o.d)});
}))))`

// contrastState is what jsContrast returns.
type contrastState struct {
	Dark    bool       `json:"dark"`
	Checked int        `json:"checked"`
	Min     float64    `json:"min"`
	Fails   []lowText  `json:"fails"`
	NFails  int        `json:"nfails"`
	Skipped int        `json:"skipped"`
	Main    mainColour `json:"main"`
}

type mainColour struct {
	FG    string  `json:"fg"`
	BG    string  `json:"bg"`
	Ratio float64 `json:"ratio"`
}

type lowText struct {
	El    string  `json:"el"`
	Text  string  `json:"text"`
	FG    string  `json:"fg"`
	BG    string  `json:"bg"`
	Ratio float64 `json:"ratio"`
	Need  float64 `json:"need"`
}

// jsContrast computes, from the computed colours, the contrast ratio
// (WCAG 2) of every visible piece of text in <main> (the body on a page
// without one) against the background it is drawn on: the backgrounds of
// its ancestors composed over the canvas, its colour with the opacity of
// its ancestors. Normal text needs 4.5:1, large text (24px, or 18.66px
// bold) 3:1. Text over a background image cannot be computed and is
// counted as skipped. Colours are read through a canvas, so every CSS
// colour syntax works.
const jsContrast = `(() => {
  ` + jsDescribe + `
  const cv = document.createElement("canvas"); cv.width = cv.height = 1;
  const cx = cv.getContext("2d", {willReadFrequently: true});
  const rgba = c => { cx.clearRect(0, 0, 1, 1); cx.fillStyle = "#000"; cx.fillStyle = c; cx.fillRect(0, 0, 1, 1);
    const d = cx.getImageData(0, 0, 1, 1).data; return [d[0], d[1], d[2], d[3] / 255]; };
  const over = (top, bot) => { const a = top[3] + bot[3] * (1 - top[3]); if (a === 0) return [0, 0, 0, 0];
    return [0, 1, 2].map(i => (top[i] * top[3] + bot[i] * bot[3] * (1 - top[3])) / a).concat([a]); };
  const css = c => "rgb(" + c.slice(0, 3).map(Math.round).join(" ") + ")";
  const lum = c => { const f = v => { v /= 255; return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const root = document.documentElement;
  const dark = matchMedia("(prefers-color-scheme: dark)").matches && root.getAttribute("data-theme") !== "light" || root.getAttribute("data-theme") === "dark";
  // The canvas: the root's background, else the body's (which the
  // canvas takes when the root has none), else the scheme's default.
  let canvas = rgba(getComputedStyle(root).backgroundColor);
  if (canvas[3] === 0) canvas = rgba(getComputedStyle(document.body).backgroundColor);
  if (canvas[3] < 1) canvas = over(canvas, getComputedStyle(root).colorScheme.includes("dark") && dark ? [18, 18, 18, 1] : [255, 255, 255, 1]);
  const background = el => {
    const layers = [];
    for (let e = el; e && e !== root; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage !== "none" && !s.backgroundImage.startsWith("linear-gradient(rgb")) return null;
      const c = rgba(s.backgroundColor);
      if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
    }
    let b = canvas;
    for (let i = layers.length - 1; i >= 0; i--) b = over(layers[i], b);
    return b;
  };
  const scope = document.querySelector("main") || document.body;
  const ms = getComputedStyle(scope), mb = background(scope) || canvas, mf = over(rgba(ms.color), mb);
  const out = {dark, checked: 0, min: 99, fails: [], nfails: 0, skipped: 0,
    main: {fg: css(mf), bg: css(mb), ratio: Math.round(ratio(mf, mb) * 100) / 100}};
  const seen = new Set();
  const walk = document.createTreeWalker(scope, NodeFilter.SHOW_TEXT);
  while (walk.nextNode() && out.checked < 600) {
    const t = walk.currentNode, el = t.parentElement;
    if (!el || seen.has(el) || !t.nodeValue.trim()) continue;
    seen.add(el);
    if (el.closest("[hidden], [disabled], [aria-disabled=true], [inert], dialog:not([open]), option, script, style, noscript, template")) continue;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) continue;
    const s = getComputedStyle(el);
    if (s.visibility !== "visible") continue;
    let op = 1;
    for (let e = el; e && e !== root; e = e.parentElement) op *= parseFloat(getComputedStyle(e).opacity);
    if (op === 0) continue;
    const b = background(el);
    if (b === null) { out.skipped++; continue; }
    const fg = rgba(s.color); fg[3] *= op;
    const f = over(fg, b), cr = ratio(f, b);
    out.checked++;
    out.min = Math.min(out.min, cr);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (cr < need) {
      out.nfails++;
      if (out.fails.length < 6) out.fails.push({el: desc(el), text: t.nodeValue.trim().slice(0, 40), fg: css(f), bg: css(b), ratio: Math.round(cr * 100) / 100, need});
    }
  }
  out.min = Math.round(out.min * 100) / 100;
  return out;
})()`
