// The reader's behaviour that HTMX cannot express: keeping the reader's place when a paragraph
// is clicked, bringing counterparts into view in their columns, synchronized scrolling that
// only follows the reader's own scrolling, keyboard navigation, the overview's arrow keys,
// learner mode and the reader's saved preferences.
(function () {
  "use strict";
  if (!document.getElementById("reader")) return;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem("parallax:" + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set(key, value) { try { localStorage.setItem("parallax:" + key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
  };
  const story = () => $("#reader").dataset.story;
  const columns = () => $$("#columns .column");
  const visibleColumns = () => columns().filter((c) => !c.hidden && c.offsetParent !== null);
  const narrow = () => window.matchMedia("(max-width: 760px)").matches;
  const bodyOf = (el) => el.closest(".column-body");
  // In the app layout each column body scrolls; on phones the window does.
  const scrolls = (body) => body && body.scrollHeight > body.clientHeight + 1 && getComputedStyle(body).overflowY !== "visible";

  // --- programmatic scrolling: remembered, so synchronized scrolling never echoes it ---
  const expected = new WeakMap();
  function scrollBodyTo(body, top) {
    const max = body.scrollHeight - body.clientHeight;
    const value = Math.round(Math.max(0, Math.min(max, top)));
    if (Math.abs(body.scrollTop - value) < 1) return;
    expected.set(body, value);
    body.scrollTop = value;
  }
  // Where `el` is, relative to the top of its column's visible area.
  function offsetIn(body, el) {
    return el.getBoundingClientRect().top - body.getBoundingClientRect().top;
  }

  // --- preferences: visible columns and their order, reading column, learner, sync, size ---
  const docLang = (doc) => { const c = $("#col-" + doc); return c ? c.lang : ""; };
  const editorView = () => $("#reader").dataset.editor === "1";
  // A story opens with the reader's language and one other, both remembered by language
  // across stories; the rest is one click away (#all-columns). Editors see every column.
  function pair(ranked) {
    const byLang = (lang, not) => ranked.find((d) => d !== not && lang && docLang(d) === lang);
    const stored = store.get("reading:" + story(), null);
    const reading = (ranked.includes(stored) && stored) || byLang(store.get("lang:reading", ""), null) || ranked[0];
    const other = byLang(store.get("lang:with", ""), reading)
      || ranked.find((d) => d !== reading && docLang(d) !== docLang(reading))
      || ranked.find((d) => d !== reading);
    return [reading, other];
  }
  function hiddenDocs(ranked) {
    const stored = store.get("hidden:" + story(), null);
    const shown = pair(ranked);
    let hidden = Array.isArray(stored) ? stored : editorView() ? [] : ranked.filter((d) => !shown.includes(d));
    // A link to a paragraph (?p=, a search result) shows that paragraph's column.
    const active = $(".para.active");
    const target = active && active.closest(".column");
    if (target) hidden = hidden.filter((d) => d !== target.dataset.document);
    return hidden;
  }
  // The reading column's language and, when one other column is shown, its language.
  function rememberLanguages() {
    const reading = $("#reader").dataset.reading;
    if (reading) store.set("lang:reading", docLang(reading));
    const others = visibleDocs().filter((d) => d !== reading);
    if (others.length === 1) store.set("lang:with", docLang(others[0]));
  }
  const visibleDocs = () => columns().filter((c) => !c.hidden).map((c) => c.dataset.document);
  function applyAllButton(hidden) {
    const button = $("#all-columns");
    if (!button) return;
    const count = columns().length;
    button.hidden = count <= 2 || (!hidden.length && editorView());
    button.textContent = hidden.length ? "All " + count + " columns" : "Two columns";
    button.setAttribute("aria-pressed", String(!hidden.length));
  }
  function applyColumns() {
    const order = store.get("order:" + story(), []);
    const all = columns().map((c) => c.dataset.document);
    const ranked = order.filter((d) => all.includes(d)).concat(all.filter((d) => !order.includes(d)));
    const hidden = hiddenDocs(ranked);
    applyAllButton(hidden);
    columns().forEach((c) => {
      c.style.order = String(ranked.indexOf(c.dataset.document));
      c.hidden = hidden.includes(c.dataset.document);
    });
    $$(".col-pref").forEach((row) => {
      row.style.order = String(ranked.indexOf(row.dataset.document));
      row.querySelector("input").checked = !hidden.includes(row.dataset.document);
    });
    const wanted = pair(ranked)[0];  // this story's reading column, or the remembered language's
    const firstVisible = ranked.find((d) => !hidden.includes(d));
    setReading(wanted && all.includes(wanted) && !hidden.includes(wanted) ? wanted : firstVisible, false);
  }
  function setReading(doc, save) {
    $("#reader").dataset.reading = doc || "";
    columns().forEach((c) => c.classList.toggle("reading", c.dataset.document === doc));
    const select = $("#reading-select");
    if (select && doc) select.value = doc;
    if (save) { store.set("reading:" + story(), doc); rememberLanguages(); }
    applyWith();
  }
  function applyWith() {
    const select = $("#with-select");
    const chosen = select ? select.value : "";
    $$(".under .copy, .under .here").forEach((c) => {
      c.classList.toggle("other", Boolean(chosen) && c.dataset.document !== chosen);
    });
  }
  function applyToggles() {
    document.body.classList.toggle("learner", $("#learner-toggle").checked);
    document.documentElement.style.setProperty("--reader-font", store.get("font", 17) + "px");
  }

  // A search result opens with the searched words marked in its paragraph (?q=).
  function markSearch() {
    const q = new URLSearchParams(location.search).get("q");
    const active = $(".para.active");
    if (!q || !active) return;
    const terms = q.split(/\s+/).filter(Boolean).slice(0, 8).sort((a, b) => b.length - a.length)
      .map((t) => t.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
    const pattern = new RegExp(terms.join("|"), "giu");
    const walker = document.createTreeWalker(active, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.parentElement.closest("[aria-hidden], mark") ? NodeFilter.FILTER_REJECT : NodeFilter.FILTER_ACCEPT),
    });
    const nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach((node) => {
      const text = node.nodeValue, parts = [];
      let last = 0;
      for (const m of text.matchAll(pattern)) {
        if (!m[0]) continue;
        parts.push(document.createTextNode(text.slice(last, m.index)));
        const mark = document.createElement("mark");
        mark.textContent = m[0];
        parts.push(mark);
        last = m.index + m[0].length;
      }
      if (!parts.length) return;
      parts.push(document.createTextNode(text.slice(last)));
      node.replaceWith(...parts);
    });
  }

  function init() {
    $("#learner-toggle").checked = store.get("learner", false);
    const sync = $("#sync-toggle");
    if (sync) sync.checked = store.get("sync", true);
    const withSelect = $("#with-select");
    if (withSelect) {  // on a phone, the other language under each paragraph
      const all = columns().map((c) => c.dataset.document);
      withSelect.value = store.get("with:" + story(), editorView() ? "" : pair(all)[1] || "");
    }
    applyColumns();
    applyToggles();
    markOverview();
    if ($(".para.active")) showHighlight(null);
    markSearch();
  }

  document.addEventListener("change", (e) => {
    const t = e.target;
    if (t.matches(".columns-toggle input[name=col]")) {
      const hidden = columns().filter((c) => c.hidden).map((c) => c.dataset.document).filter((d) => d !== t.value);
      if (!t.checked) hidden.push(t.value);
      store.set("hidden:" + story(), hidden);
      applyColumns();
      rememberLanguages();
    } else if (t.id === "learner-toggle") { store.set("learner", t.checked); applyToggles(); }
    else if (t.id === "sync-toggle") store.set("sync", t.checked);
    else if (t.id === "reading-select") {  // a hidden column chosen for reading is shown
      const hidden = store.get("hidden:" + story(), null);
      if (Array.isArray(hidden)) store.set("hidden:" + story(), hidden.filter((d) => d !== t.value));
      store.set("reading:" + story(), t.value);
      applyColumns();
      rememberLanguages();
    }
    else if (t.id === "with-select") {
      store.set("with:" + story(), t.value);
      if (t.value) store.set("lang:with", docLang(t.value));
      applyWith();
    }
  });
  document.addEventListener("click", (e) => {
    const t = e.target.closest ? e.target : null;
    if (!t) return;
    const move = t.closest(".move");
    if (move) {
      const doc = move.closest(".col-pref").dataset.document;
      const order = columns().sort((a, b) => a.style.order - b.style.order).map((c) => c.dataset.document);
      const i = order.indexOf(doc), j = i + Number(move.dataset.dir);
      if (j < 0 || j >= order.length) return;
      [order[i], order[j]] = [order[j], order[i]];
      store.set("order:" + story(), order);
      applyColumns();
      return;
    }
    if (t.closest("#all-columns")) {  // every column, or back to the two of the default
      store.set("hidden:" + story(), columns().some((c) => c.hidden) ? [] : null);
      applyColumns();
      return;
    }
    const size = t.closest("#font-up, #font-down");
    if (size) {
      const font = Math.max(13, Math.min(26, store.get("font", 17) + (size.id === "font-up" ? 1 : -1)));
      store.set("font", font);
      applyToggles();
      return;
    }
    if (t.closest("#help-button") || t.closest("#help-close")) { toggleHelp(); return; }
    const sentence = t.closest(".under .copy .s");
    if (sentence && document.body.classList.contains("learner")) { sentence.classList.add("shown"); return; }
    const bar = t.closest(".ov-jump");
    if (bar) { e.preventDefault(); jumpTo(bar.dataset.target); }
  });
  // A menu closes when the reader clicks elsewhere or presses Esc.
  document.addEventListener("click", (e) => {
    if (!e.isTrusted) return;  // our own download links are clicked by script
    $$("details.menu[open]").forEach((d) => { if (!d.contains(e.target)) d.open = false; });
    const bar = $(".toolbar");
    if (e.target.closest && e.target.closest("#tools-toggle")) setToolsOpen(!bar.classList.contains("open"));
    else if (bar.classList.contains("open") && !bar.contains(e.target)) setToolsOpen(false);
  });
  // The phone's toolbar menu (the tools after "Read").
  function setToolsOpen(open) {
    $(".toolbar").classList.toggle("open", open);
    const button = $("#tools-toggle");
    if (button) button.setAttribute("aria-expanded", String(open));
  }
  // An open menu that would cross the viewport's edge moves back inside it.
  function keepInView(body) {
    body.style.left = "";
    body.style.right = "";
    if (getComputedStyle(body).position !== "absolute") return;
    const rect = body.getBoundingClientRect();
    const width = document.documentElement.clientWidth, margin = 8;
    let shift = Math.min(0, width - margin - rect.right);
    if (rect.left + shift < margin) shift = margin - rect.left;
    if (!shift) return;
    body.style.left = body.offsetLeft + shift + "px";
    body.style.right = "auto";
  }
  document.addEventListener("toggle", (e) => {
    if (e.target.matches && e.target.matches("details.menu[open]")) keepInView($(".menu-body", e.target));
  }, true);
  window.addEventListener("resize", () => $$("details.menu[open] > .menu-body").forEach(keepInView));

  // --- the place kept: a click never moves the clicked paragraph; counterparts come to it ---
  let before = null;  // {id, top, scroller} of the clicked paragraph, taken before the request

  // The same walk as the server's highlight(): the translation chain one layer at a time,
  // each document entered once (its nearest counterparts) and never the clicked paragraph's
  // own document, then related links one hop from it, never further. Drawn at once; the
  // server's fragment then patches the paragraphs it names.
  let graph = null;
  function neighbours() {
    if (graph) return graph;
    graph = new Map();
    let links = [];
    try { links = JSON.parse($("#columns").dataset.links || "[]"); } catch (e) { links = []; }
    links.forEach(([sd, sp, td, tp, rel]) => {
      const ends = sp.map((i) => sd + "-" + i).concat(tp.map((j) => td + "-" + j));
      ends.forEach((a) => ends.forEach((b) => {
        if (a === b) return;
        if (!graph.has(a)) graph.set(a, []);
        graph.get(a).push([b, rel]);
      }));
    });
    return graph;
  }
  const docOf = (key) => key.split("-")[0];
  function walk(key) {
    const relation = new Map([[key, "active"]]);
    const entered = new Set([docOf(key)]);
    const chain = [key];
    let layer = [key];
    while (layer.length) {
      const found = [];
      layer.forEach((node) => (neighbours().get(node) || []).forEach(([other, rel]) => {
        if (rel === "translation" && !entered.has(docOf(other)) && !found.includes(other)) found.push(other);
      }));
      found.forEach((other) => { entered.add(docOf(other)); relation.set(other, "translation"); });
      chain.push(...found);
      layer = found;
    }
    chain.forEach((node) => (neighbours().get(node) || []).forEach(([other, rel]) => {
      if (rel !== "translation" && !relation.has(other) && docOf(other) !== docOf(key)) relation.set(other, "related");
    }));
    return relation;
  }
  function drawHighlight(key) {
    const relation = walk(key);
    $$(".para.active, .para.linked").forEach((p) => {
      p.classList.remove("active", "linked", "rel-translation", "rel-related");
      p.removeAttribute("aria-current");
    });
    relation.forEach((rel, k) => {
      const el = document.getElementById("p-" + k);
      if (!el) return;
      if (rel === "active") el.classList.add("active");
      else el.classList.add("linked", "rel-" + rel);
    });
    updateListen();
  }
  // --- the address names the highlighted paragraph from the moment it is drawn ---
  // `shown`: the address whose highlight the page shows; the server is told it (as
  // HX-Current-URL) to clear that highlight's notes. Paragraph clicks do not use htmx's
  // push (hx-push-url="false" on the columns), which would come with the answer, one step
  // late; Back and Forward redraw the clicks.
  let shown = location.href;
  let restoring = false;
  document.body.addEventListener("htmx:configRequest", (e) => {
    const elt = e.detail.elt;
    if (elt && elt.matches && elt.matches(".para") && e.detail.verb === "get") e.detail.headers["HX-Current-URL"] = shown;
  });
  function pushParagraph(para) {
    const url = new URL(para.getAttribute("href"), location.href).href;
    if (!restoring && url !== location.href) history.pushState({ parallax: para.id }, "", url);
    shown = url;
  }
  // A click's answer that arrives after the reader moved on (Esc, another click, Back) would
  // light what is no longer asked for: it is dropped, with its out-of-band parts.
  document.body.addEventListener("htmx:beforeSwap", (e) => {
    const config = e.detail.requestConfig;  // htmx 2 names the source only here, not in e.detail
    const para = config && config.elt && config.elt.closest && config.elt.closest(".para");
    if (!para || config.verb !== "get" || !config.path) return;
    if (new URL(config.path, location.href).href === shown) return;
    e.detail.shouldSwap = false;
    if (before && before.id === para.id) before = null;
  });
  window.addEventListener("popstate", (e) => {
    if (e.state && e.state.htmx) return;  // htmx restores its own entries
    const key = new URLSearchParams(location.search).get("p");
    const para = key && document.getElementById("p-" + key);
    if (!key) { clearHighlight(true); shown = location.href; return; }
    if (!para) { location.reload(); return; }
    restoring = true;
    try { htmx.ajax("GET", para.getAttribute("href"), { source: para, swap: "none" }); }
    finally { restoring = false; }
  });
  document.body.addEventListener("htmx:beforeRequest", (e) => {
    const para = e.detail.elt.closest && e.detail.elt.closest(".para");
    if (!para) return;
    performance.mark("parallax:click");
    setReading(para.dataset.document, false);
    before = { id: para.id, top: para.getBoundingClientRect().top, focused: document.activeElement === para,
               notes: $$(".column-body .under:not(.spent)").filter((u) => u.querySelector(".missing:not(.here)")) };
    if (e.detail.requestConfig && e.detail.requestConfig.verb === "get") {
      drawHighlight(para.dataset.document + "-" + para.dataset.index);
      pushParagraph(para);
    }
  });
  // The click fragment sends each paragraph as an empty element with its highlight state only
  // (classes, title, score, sentence groups in data-sls): the page already has the text, so
  // the fragment stays small whatever the paragraphs hold. Patch the cell in place.
  const HL_CLASSES = ["active", "linked", "rel-translation", "rel-related", "unlinked"];
  function patchPara(target, incoming) {
    const wanted = new Set((incoming.getAttribute("class") || "").split(/\s+/));
    HL_CLASSES.forEach((c) => target.classList.toggle(c, wanted.has(c)));
    ["title", "data-score", "aria-current"].forEach((name) => {
      if (incoming.hasAttribute(name)) target.setAttribute(name, incoming.getAttribute(name));
      else target.removeAttribute(name);
    });
    const score = incoming.getAttribute("data-score");
    let badge = target.querySelector(":scope > .score");
    if (score && !target.classList.contains("active")) {
      if (!badge) {
        badge = document.createElement("span");
        badge.className = "score";
        badge.setAttribute("aria-hidden", "true");
        target.appendChild(badge);
      }
      badge.textContent = score;
    } else if (badge) badge.remove();
    const lit = target.classList.contains("active") || target.classList.contains("linked");
    const groups = new Map((incoming.getAttribute("data-sls") || "").split(",").filter(Boolean)
      .map((part) => part.split(":")));
    target.querySelectorAll(".s").forEach((s) => {
      if (lit) s.setAttribute("data-sl", groups.get(s.dataset.s) || "");
      else s.removeAttribute("data-sl");
    });
  }
  document.body.addEventListener("htmx:oobBeforeSwap", (e) => {
    const target = e.detail.target;
    const incoming = e.detail.fragment && e.detail.fragment.firstElementChild;
    if (!target.classList || !target.classList.contains("para") || !incoming) return;
    if (!incoming.classList.contains("para") || incoming.firstChild) return;  // a full cell
    patchPara(target, incoming);
    e.detail.shouldSwap = false;
  });
  // A "no counterpart" note cleared above the clicked paragraph would pull it up; in the
  // clicked column the spent note keeps its room (invisible) until another swap replaces it.
  document.body.addEventListener("htmx:oobBeforeSwap", (e) => {
    const target = e.detail.target;
    if (!before || !target.classList || !target.classList.contains("under")) return;
    const clicked = document.getElementById(before.id);
    if (!clicked || target.closest(".column") !== clicked.closest(".column")) return;
    if (!target.querySelector(".missing:not(.here)")) return;
    // Only what this layout shows counts: on a desktop the copies and the clicked paragraph's
    // own "no counterpart" note are hidden, so a slot that receives only those would collapse
    // (and a column scrolled to its end would pull the clicked paragraph down).
    const shown = narrow() ? ".missing, .copy" : ".missing:not(.here)";
    const incoming = e.detail.fragment.querySelector ? e.detail.fragment.querySelector(shown) : null;
    if (incoming) return;
    e.detail.shouldSwap = false;
    target.classList.add("spent");
  });
  let settlePending = false;
  document.body.addEventListener("htmx:afterSettle", () => {
    if (settlePending) return;
    settlePending = true;
    queueMicrotask(() => {
      settlePending = false; clearStaleNotes(before); showHighlight(before); before = null;
      // Patched cells stay the same elements: a pointer already resting on a sentence gets
      // no new mouseover, so mark its counterparts now that their groups have arrived.
      const hovered = $(".para.active .s:hover, .para.linked .s:hover");
      if (hovered) markSentences(hovered, true);
    });
  });
  // The server clears the previous highlight's notes where it places them now, which depends
  // on the links it reads for this click: a note it did not replace is stale. In the clicked
  // column it keeps its room (invisible), as above; elsewhere it goes.
  function clearStaleNotes(kept) {
    if (!kept || !kept.notes) return;
    const clicked = document.getElementById(kept.id);
    const home = clicked && clicked.closest(".column");
    kept.notes.forEach((u) => {
      if (!u.isConnected || u.classList.contains("spent")) return;
      if (home && u.closest(".column") === home) u.classList.add("spent");
      else u.textContent = "";
    });
  }
  document.body.addEventListener("htmx:historyRestore", () => { init(); });

  // Bring the highlight into view. `kept`: the clicked paragraph's position before the swap,
  // which it keeps; without it (a ?p= link, a jump) the active paragraph is placed first.
  function showHighlight(kept) {
    const active = $(".para.active");
    applyWith();
    markOverview();
    announce(active);
    if (!active) return;
    if (kept && kept.focused && document.activeElement !== active) active.focus({ preventScroll: true });
    if (narrow()) { showOnPhone(active, kept); return; }
    const home = bodyOf(active);
    if (!scrolls(home)) return;
    if (kept) {
      scrollBodyTo(home, home.scrollTop + (active.getBoundingClientRect().top - kept.top));
    } else if (!fullyVisible(home, active)) {
      scrollBodyTo(home, home.scrollTop + offsetIn(home, active) - home.clientHeight / 4);
    }
    ensureVisible(home, [active].concat($$(".para.linked", home)), active);
    const anchor = offsetIn(home, active);
    visibleColumns().forEach((column) => {
      const body = $(".column-body", column);
      if (body === home || !scrolls(body)) return;
      const targets = $$(".para.linked, .under:not(.spent) > .missing:not(.here)", body);
      if (targets.length) bringIn(body, targets, anchor);
    });
  }
  function fullyVisible(body, el) {
    const top = offsetIn(body, el);
    return top >= -1 && top + el.offsetHeight <= body.clientHeight + 1;
  }
  // Scroll `body` as little as needed so that `els` are in view, never pushing `keep` out.
  function ensureVisible(body, els, keep) {
    const tops = els.map((el) => offsetIn(body, el));
    const first = Math.min(...tops);
    const last = Math.max(...els.map((el, i) => tops[i] + el.offsetHeight));
    const k = offsetIn(body, keep);
    if (last - first > body.clientHeight) {
      if (k < 0 || k + keep.offsetHeight > body.clientHeight) scrollBodyTo(body, body.scrollTop + k - 8);
      return;
    }
    if (first < -1) scrollBodyTo(body, body.scrollTop + first);
    else if (last > body.clientHeight + 1) scrollBodyTo(body, body.scrollTop + last - body.clientHeight);
  }
  // Put the group of `targets` level with the clicked paragraph (`anchor` px from the top),
  // as far as it stays wholly in view; a group taller than the column starts at its top.
  function bringIn(body, targets, anchor) {
    const tops = targets.map((el) => offsetIn(body, el) + body.scrollTop);
    const first = Math.min(...tops);
    const last = Math.max(...targets.map((el, i) => tops[i] + el.offsetHeight));
    const room = body.clientHeight;
    let top = first - Math.max(0, anchor);
    if (last - first + 16 <= room) {
      top = Math.max(top, last - room + 8);  // the end stays in view
      top = Math.min(top, first - 8);        // so does the start
    } else {
      top = first - 8;
    }
    scrollBodyTo(body, top);
  }
  function showOnPhone(active, kept) {
    if (kept) {
      window.scrollBy(0, active.getBoundingClientRect().top - kept.top);
      return;
    }
    const header = $(".column.reading .column-head");
    const offset = header ? header.offsetHeight : 0;
    window.scrollTo(0, window.scrollY + active.getBoundingClientRect().top - offset - 16);
  }
  // The overview and ?p= jumps: put the paragraph in view in its column, then click it.
  function jumpTo(id) {
    const para = document.getElementById(id);
    if (!para) return;
    const column = para.closest(".column");
    if (column.hidden) return;
    const body = bodyOf(para);
    if (narrow()) setReading(para.dataset.document, true);
    if (!narrow() && scrolls(body) && !fullyVisible(body, para)) {
      scrollBodyTo(body, body.scrollTop + offsetIn(body, para) - body.clientHeight / 4);
    } else if (narrow()) {
      para.scrollIntoView({ block: "center" });
    }
    para.focus({ preventScroll: true });
    para.click();
  }

  // --- what happened, for screen readers and the overview ---
  function announce(active) {
    const status = $("#reader-status");
    if (!status) return;
    if (!active) { status.textContent = ""; return; }
    const name = (el) => el.closest(".column").querySelector(".lang-name").textContent.trim();
    const parts = $$(".para.linked").map((p) => name(p) + " ¶" + (Number(p.dataset.index) + 1));
    const missing = $$(".column-body .under:not(.spent) > .missing:not(.here)").map((m) => m.textContent.trim());
    status.textContent = name(active) + " ¶" + (Number(active.dataset.index) + 1) + ": " +
      (parts.length ? "counterparts " + parts.join(", ") : "no counterpart") +
      (missing.length ? ". " + missing.join(". ") : "");
  }
  function markOverview() {
    const on = new Set($$(".para.active, .para.linked").map((p) => p.id));
    $$(".ov-jump").forEach((a) => {
      const rect = a.querySelector("rect");
      if (rect) rect.classList.toggle("ov-sel", on.has(a.dataset.target));
    });
  }

  // --- the overview: one Tab stop; arrows move between bars, Enter shows the paragraph ---
  let cursor = null;
  function ovRows() {
    const rows = new Map();
    $$(".ov-jump").forEach((a) => {
      const rect = a.querySelector("rect");
      const key = rect.getAttribute("y");
      if (!rows.has(key)) rows.set(key, []);
      rows.get(key).push(a);
    });
    return Array.from(rows.values());
  }
  function setCursor(a) {
    if (cursor) cursor.querySelector("rect").classList.remove("ov-cursor");
    cursor = a;
    if (!a) return;
    const rect = a.querySelector("rect");
    rect.classList.add("ov-cursor");
    const para = document.getElementById(a.dataset.target);
    const status = $("#ov-status");
    if (para && status) {
      const lang = para.closest(".column").querySelector(".lang-name").textContent.trim();
      const text = para.textContent.replace(/\s+/g, " ").trim().replace(/^\d+\s*/, "");
      status.textContent = lang + " ¶" + (Number(para.dataset.index) + 1) + (para.classList.contains("unlinked") ? " (no counterpart)" : "") + ": " + text.slice(0, 80);
    }
    const box = $(".ov-scroll");
    const r = rect.getBoundingClientRect(), b = box.getBoundingClientRect();
    if (r.left < b.left || r.right > b.right) box.scrollLeft += r.left - b.left - b.width / 2;
    if (r.top < b.top || r.bottom > b.bottom) box.scrollTop += r.top - b.top - b.height / 2;
  }
  document.addEventListener("keydown", (e) => {
    if (!e.target.matches || !e.target.matches(".ov-scroll")) return;
    const rows = ovRows();
    if (!rows.length) return;
    let r = 0, i = 0;
    if (cursor) { r = rows.findIndex((row) => row.includes(cursor)); i = rows[r].indexOf(cursor); }
    const keys = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0], Home: [0, -1e6], End: [0, 1e6] };
    if (e.key === "Enter" || e.key === " ") {
      if (cursor) { e.preventDefault(); jumpTo(cursor.dataset.target); }
      return;
    }
    if (!(e.key in keys)) return;
    e.preventDefault();
    e.stopPropagation();
    if (!cursor) { setCursor(rows[0][0]); return; }
    const [dr, di] = keys[e.key];
    r = Math.max(0, Math.min(rows.length - 1, r + dr));
    i = Math.max(0, Math.min(rows[r].length - 1, i + di));
    setCursor(rows[r][i]);
  }, true);
  document.addEventListener("focusin", (e) => {
    if (e.target.matches && e.target.matches(".ov-scroll") && !cursor) {
      const sel = $$(".ov-jump").find((a) => a.querySelector("rect.ov-sel"));
      setCursor(sel || ovRows()[0][0]);
    }
  });

  // --- synchronized scrolling: only the reader's own scrolling of a column is followed ---
  let intent = { body: null, until: 0 };
  const noteIntent = (e) => {
    const body = e.target.closest && e.target.closest(".column-body");
    if (body) intent = { body: body, until: performance.now() + 800 };
  };
  ["wheel", "touchstart", "touchmove", "keydown"].forEach((type) => document.addEventListener(type, noteIntent, { passive: true, capture: true }));
  document.addEventListener("pointerdown", (e) => { if (e.target.matches && e.target.matches(".column-body")) noteIntent(e); }, true);
  document.addEventListener("scroll", (e) => {
    const body = e.target;
    if (!body.classList || !body.classList.contains("column-body")) return;
    if (expected.has(body) && Math.abs(expected.get(body) - body.scrollTop) < 2) { expected.delete(body); return; }
    expected.delete(body);
    const sync = $("#sync-toggle");
    if (!sync || !sync.checked || narrow()) return;
    if (intent.body !== body || performance.now() > intent.until) return;
    const ratio = body.scrollTop / Math.max(1, body.scrollHeight - body.clientHeight);
    visibleColumns().forEach((other) => {
      const ob = $(".column-body", other);
      if (ob !== body) scrollBodyTo(ob, ratio * (ob.scrollHeight - ob.clientHeight));
    });
  }, { passive: true, capture: true });

  // --- keyboard: j/k move, Enter links (native on a link), Esc clears, ? toggles help ---
  function toggleHelp(show) {
    const help = $("#help");
    help.hidden = show === undefined ? !help.hidden : !show;
    $("#help-button").setAttribute("aria-expanded", String(!help.hidden));
    if (!help.hidden) { setToolsOpen(false); $("#help-close").focus(); }  // the phone's menu gives way
  }
  function clearHighlight(fromHistory) {
    $$(".para.active, .para.linked").forEach((p) => {
      p.classList.remove("active", "linked", "rel-translation", "rel-related");
      p.removeAttribute("title");
      p.removeAttribute("aria-current");
    });
    $$(".under").forEach((u) => { u.textContent = ""; u.classList.remove("spent"); });
    $$(".s.s-linked").forEach((s) => s.classList.remove("s-linked"));
    markOverview();
    announce(null);
    if (!fromHistory && new URLSearchParams(location.search).has("p")) history.pushState({}, "", location.pathname);
    shown = location.href;
  }
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (e.key === "Escape") {
      $$("details.menu[open]").forEach((d) => { d.open = false; });
      setToolsOpen(false);
      if (!$("#help").hidden) { toggleHelp(false); $("#help-button").focus(); return; }
      clearHighlight();
      return;
    }
    if (e.key !== "j" && e.key !== "k") return;
    const current = document.activeElement.closest ? document.activeElement.closest(".para") : null;
    const column = (current && current.closest(".column")) || $(".column.reading") || visibleColumns()[0];
    const paras = $$(".para", column);
    let i = current ? paras.indexOf(current) + (e.key === "j" ? 1 : -1) : 0;
    i = Math.max(0, Math.min(paras.length - 1, i));
    paras[i].focus({ preventScroll: true });
    const body = bodyOf(paras[i]);
    if (scrolls(body)) { if (!fullyVisible(body, paras[i])) ensureVisible(body, [paras[i]], paras[i]); }
    else paras[i].scrollIntoView({ block: "nearest" });
    e.preventDefault();
  });

  // --- editors: "link by hand" and "add a paragraph" take the next paragraph clicked ---
  let pending = null;
  function setPending(value) {
    pending = value;
    document.body.classList.toggle("linking", Boolean(value));
    const hint = document.getElementById("linking-hint");
    if (hint) hint.hidden = !value;
  }
  document.addEventListener("click", (e) => {
    const button = e.target.closest && e.target.closest(".link-by-hand, .extend");
    if (button) {
      const active = $(".para.active");
      const p = active ? active.dataset.document + "-" + active.dataset.index : button.dataset.from;
      setPending(button.dataset.extend
        ? { url: "/review/links/" + button.dataset.extend + "/extend", values: { version: button.dataset.version, p: p } }
        : { url: "/review/link", values: { from: button.dataset.from } });
      return;
    }
    const para = pending && e.target.closest && e.target.closest(".para");
    if (!para) return;
    // The click picks the paragraph to link instead of following the paragraph's own link.
    e.preventDefault();
    e.stopPropagation();
    const values = Object.assign({}, pending.values, { to: para.dataset.document + "-" + para.dataset.index });
    const url = pending.url;
    setPending(null);
    htmx.ajax("POST", url, { source: document.getElementById("review-panel"), swap: "none", values: values });
  }, true);
  document.addEventListener("keydown", (e) => { if (e.key === "Escape" && pending) setPending(null); }, true);

  // --- sentence level: hovering a sentence of a highlighted paragraph marks its counterparts ---
  function markSentences(span, on) {
    const ids = (span.dataset.sl || "").split(" ").filter(Boolean);
    if (!ids.length) return;
    $$(".para.active .s, .para.linked .s").forEach((s) => {
      const theirs = (s.dataset.sl || "").split(" ");
      if (ids.some((id) => theirs.includes(id))) s.classList.toggle("s-linked", on);
    });
  }
  document.addEventListener("mouseover", (e) => {
    const s = e.target.closest && e.target.closest(".para.active .s, .para.linked .s");
    if (s) markSentences(s, true);
  });
  document.addEventListener("mouseout", (e) => {
    const s = e.target.closest && e.target.closest(".s");
    if (s) markSentences(s, false);
  });

  // --- listening: the browser's own voices (Web Speech), in the paragraph's language ---
  const speech = window.speechSynthesis;
  const langOf = (el) => (el.closest("[lang]") || document.documentElement).getAttribute("lang");
  function voiceFor(lang) {
    if (!speech || !lang) return null;
    const base = lang.toLowerCase().split("-")[0];
    return speech.getVoices().find((v) => v.lang.toLowerCase().split(/[-_]/)[0] === base) || null;
  }
  function updateListen() {
    const button = $("#listen");
    if (!button) return;
    const target = $(".para.active") || $(".column.reading .para");
    button.hidden = !(target && voiceFor(langOf(target)));
  }
  function listen(el) {
    const voice = voiceFor(langOf(el));
    if (!voice) return;
    speech.cancel();
    const text = el.classList.contains("s") ? el.textContent : $$(".p-text, .p-list, .p-code, .p-table", el).map((n) => n.textContent).join(" ");
    const utterance = new SpeechSynthesisUtterance(text.trim());
    utterance.voice = voice;
    utterance.lang = voice.lang;
    speech.speak(utterance);
  }
  if (speech) speech.addEventListener("voiceschanged", updateListen);
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("#listen")) {
      const target = $(".para.active") || $(".column.reading .para");
      if (target) listen(target);
    }
  });
  document.addEventListener("keydown", (e) => {
    if (e.key !== "l" || e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const target = $(".para.active");
    if (target) listen(target);
  });
  document.body.addEventListener("htmx:afterSettle", updateListen);

  // --- where the reader stopped, per story: the first paragraph in view of the reading column ---
  let stopTimer = 0;
  document.addEventListener("scroll", () => {
    clearTimeout(stopTimer);
    stopTimer = setTimeout(() => {
      const column = $(".column.reading");
      if (!column) return;
      const body = $(".column-body", column);
      const top = scrolls(body) ? body.getBoundingClientRect().top : $(".column-head", column).getBoundingClientRect().bottom;
      const first = $$(".para", column).find((p) => p.getBoundingClientRect().bottom > top + 4);
      if (first) store.set("stop:" + story(), first.id);
    }, 250);
  }, { passive: true, capture: true });
  function resumeReading() {
    if ($(".para.active") || new URLSearchParams(location.search).has("p")) return;
    const id = store.get("stop:" + story(), null);
    const para = id && document.getElementById(id);
    if (!para || para.closest(".column").hidden) return;
    const body = bodyOf(para);
    if (narrow() || !scrolls(body)) {
      const head = $(".column.reading .column-head");
      window.scrollTo(0, window.scrollY + para.getBoundingClientRect().top - (head ? head.offsetHeight : 0) - 8);
    } else {
      scrollBodyTo(body, body.scrollTop + offsetIn(body, para) - 8);
      const ratio = body.scrollTop / Math.max(1, body.scrollHeight - body.clientHeight);
      visibleColumns().forEach((other) => {
        const ob = $(".column-body", other);
        if (ob !== body && scrolls(ob)) scrollBodyTo(ob, ratio * (ob.scrollHeight - ob.clientHeight));
      });
    }
    const status = $("#reader-status");
    if (status) status.textContent = "Back where you stopped reading";
  }

  // --- a selection of words inside a paragraph (a link) must not also click it ---
  function selectionInText() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed) return null;
    const text = sel.toString().replace(/\s+/g, " ").trim();
    const node = sel.anchorNode && (sel.anchorNode.nodeType === 1 ? sel.anchorNode : sel.anchorNode.parentElement);
    const para = node && node.closest(".para, .under .copy");
    if (!text || text.length > 120 || !para) return null;
    return { text: text, node: node, para: para, rect: sel.getRangeAt(0).getBoundingClientRect() };
  }
  // Selecting words inside a paragraph (a link) must not also click it.
  document.addEventListener("click", (e) => {
    const sel = window.getSelection();
    if (sel && !sel.isCollapsed && e.target.closest && e.target.closest(".para") && selectionInText()) {
      e.preventDefault();
      e.stopPropagation();
    }
  }, true);
  init();
  updateListen();
  resumeReading();
})();
