// The reader's behaviour that HTMX cannot express: scrolling columns to the counterparts,
// keyboard navigation, clearing with Esc, sentence hover, and the reader's saved preferences.
(function () {
  "use strict";
  const reader = document.getElementById("reader");
  if (!reader) return;
  const story = reader.dataset.story;
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem("parallax:" + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set(key, value) { try { localStorage.setItem("parallax:" + key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
  };
  const columns = () => Array.from(document.querySelectorAll("#columns .column"));
  // The preference controls are a form only for their labels: never submit it (no inline
  // handler, the CSP forbids those).
  const controls = document.getElementById("controls");
  if (controls) controls.addEventListener("submit", (event) => event.preventDefault());

  // --- preferences: visible columns and their order, learner mode, sync scroll, font size ---
  function applyColumns() {
    const order = store.get("order:" + story, []);
    const hidden = store.get("hidden:" + story, []);
    const all = columns().map((c) => c.dataset.document);
    const ranked = order.filter((d) => all.includes(d)).concat(all.filter((d) => !order.includes(d)));
    columns().forEach((c) => {
      c.style.order = String(ranked.indexOf(c.dataset.document));
      c.hidden = hidden.includes(c.dataset.document);
    });
    document.querySelectorAll(".columns-toggle label").forEach((label) => {
      label.style.order = String(ranked.indexOf(label.dataset.document));
      label.querySelector("input").checked = !hidden.includes(label.dataset.document);
    });
    const firstVisible = ranked.find((d) => !hidden.includes(d));
    if (!reader.dataset.reading || hidden.includes(reader.dataset.reading)) setReading(firstVisible);
  }
  function setReading(doc) {
    reader.dataset.reading = doc || "";
    columns().forEach((c) => c.classList.toggle("reading", c.dataset.document === doc));
  }
  document.querySelectorAll(".columns-toggle input").forEach((box) => {
    box.addEventListener("change", () => {
      const hidden = store.get("hidden:" + story, []).filter((d) => d !== box.value);
      if (!box.checked) hidden.push(box.value);
      store.set("hidden:" + story, hidden);
      applyColumns();
    });
  });
  document.querySelectorAll(".columns-toggle .move").forEach((button) => {
    button.addEventListener("click", () => {
      const doc = button.closest("label").dataset.document;
      const order = columns().sort((a, b) => a.style.order - b.style.order).map((c) => c.dataset.document);
      const i = order.indexOf(doc), j = i + Number(button.dataset.dir);
      if (j < 0 || j >= order.length) return;
      [order[i], order[j]] = [order[j], order[i]];
      store.set("order:" + story, order);
      applyColumns();
    });
  });
  const learner = document.getElementById("learner-toggle");
  const sync = document.getElementById("sync-toggle");
  const font = document.getElementById("font-size");
  learner.checked = store.get("learner", false);
  sync.checked = store.get("sync", true);
  font.value = store.get("font", 17);
  function applyToggles() {
    document.body.classList.toggle("learner", learner.checked);
    document.documentElement.style.setProperty("--reader-font", font.value + "px");
  }
  learner.addEventListener("change", () => { store.set("learner", learner.checked); applyToggles(); });
  sync.addEventListener("change", () => store.set("sync", sync.checked));
  font.addEventListener("input", () => { store.set("font", Number(font.value)); applyToggles(); });
  applyColumns();
  applyToggles();

  // --- after HTMX swapped the highlight in: bring each column's first counterpart into view ---
  // Set while a scroll is ours, so that synchronized scrolling does not echo it.
  let syncing = false;
  function scrollToCounterparts() {
    columns().forEach((c) => {
      const body = c.querySelector(".column-body");
      const target = c.querySelector(".para.linked") || c.querySelector(".para.active");
      if (!target || !body) return;
      const top = target.offsetTop - body.offsetTop;
      if (top < body.scrollTop || top > body.scrollTop + body.clientHeight - 40) {
        syncing = true;
        body.scrollTop = Math.max(0, top - 24);
      }
    });
  }
  document.body.addEventListener("htmx:afterSettle", scrollToCounterparts);
  document.body.addEventListener("htmx:beforeRequest", (e) => {
    const para = e.detail.elt.closest && e.detail.elt.closest(".para");
    if (para) setReading(para.dataset.document);
  });
  if (document.querySelector(".para.active")) scrollToCounterparts();

  // --- synchronized scrolling (proportional), which the reader can switch off ---
  columns().forEach((c) => {
    const body = c.querySelector(".column-body");
    body.addEventListener("scroll", () => {
      if (syncing) { syncing = false; return; }
      if (!sync.checked || window.matchMedia("(max-width: 760px)").matches) return;
      const ratio = body.scrollTop / Math.max(1, body.scrollHeight - body.clientHeight);
      columns().forEach((other) => {
        const ob = other.querySelector(".column-body");
        if (ob === body) return;
        syncing = true;
        ob.scrollTop = ratio * (ob.scrollHeight - ob.clientHeight);
      });
    }, { passive: true });
  });

  // --- keyboard: j/k move, Enter links (native on a link), Esc clears, ? toggles help ---
  const help = document.getElementById("help");
  const helpButton = document.getElementById("help-button");
  function toggleHelp() {
    help.hidden = !help.hidden;
    helpButton.setAttribute("aria-expanded", String(!help.hidden));
  }
  helpButton.addEventListener("click", toggleHelp);
  function clearHighlight() {
    document.querySelectorAll(".para.active, .para.linked").forEach((p) => {
      p.classList.remove("active", "linked", "rel-translation", "rel-related");
      p.removeAttribute("title");
    });
    document.querySelectorAll(".under").forEach((u) => { u.textContent = ""; });
    document.querySelectorAll(".s.s-linked").forEach((s) => s.classList.remove("s-linked"));
    if (new URLSearchParams(location.search).has("p")) history.pushState({}, "", location.pathname);
  }
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "?") { toggleHelp(); e.preventDefault(); return; }
    if (e.key === "Escape") { clearHighlight(); if (!help.hidden) toggleHelp(); return; }
    if (e.key !== "j" && e.key !== "k") return;
    const current = document.activeElement.closest ? document.activeElement.closest(".para") : null;
    const column = (current && current.closest(".column")) || columns().find((c) => !c.hidden);
    const paras = Array.from(column.querySelectorAll(".para"));
    let i = current ? paras.indexOf(current) + (e.key === "j" ? 1 : -1) : 0;
    i = Math.max(0, Math.min(paras.length - 1, i));
    paras[i].focus();
    paras[i].scrollIntoView({ block: "nearest" });
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
      const active = document.querySelector(".para.active");
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
    document.querySelectorAll(".para.active .s, .para.linked .s").forEach((s) => {
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
})();
