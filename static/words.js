// The learner's word layer in the reader: a word picked by double-click, drag, long-press,
// a tap in the highlighted paragraph or the keyboard ("w", arrows, Enter) opens a card with
// its lemma, how common it is and its counterpart word(s), lit in the other columns. Saved
// words go to the account (or this browser's list before logging in), practised at /practice.
(function () {
  "use strict";
  const reader = document.getElementById("reader");
  if (!reader) return;
  const $ = (sel, root) => (root || document).querySelector(sel);
  const $$ = (sel, root) => Array.from((root || document).querySelectorAll(sel));
  const store = {
    get(key, fallback) {
      try { const v = localStorage.getItem("parallax:" + key); return v === null ? fallback : JSON.parse(v); }
      catch (e) { return fallback; }
    },
    set(key, value) { try { localStorage.setItem("parallax:" + key, JSON.stringify(value)); } catch (e) { /* private mode */ } },
  };
  const card = $("#word-card");
  const menu = $("#vocab-menu");
  const account = Boolean(menu && menu.dataset.account);
  const story = reader.dataset.story;
  const status = (text) => { const s = $("#reader-status"); if (s) s.textContent = text; };
  const langOf = (el) => (el.closest("[lang]") || document.documentElement).getAttribute("lang") || "";
  const TEXT = ".para .p-text, .para .p-list, .para .p-table";
  const narrow = () => window.matchMedia("(max-width: 760px)").matches;

  function csrf() {
    const token = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    const headers = { "Content-Type": "application/json" };
    if (token) headers["x-csrftoken"] = decodeURIComponent(token[1]);
    return headers;
  }
  const api = (method, url, body) => fetch(url, { method: method, headers: csrf(), body: body === undefined ? undefined : JSON.stringify(body), credentials: "same-origin" })
    .then((r) => (r.ok ? (r.status === 204 ? null : r.json()) : Promise.reject(r.status)));

  // --- where a word is: its paragraph, sentence and offsets ---
  function segmenter(lang) {
    try { return new Intl.Segmenter(lang || undefined, { granularity: "word" }); } catch (e) { return null; }
  }
  // The word around `offset` of text node `node`, as a Range (null off a word).
  function wordRange(node, offset) {
    const text = node.textContent;
    const seg = segmenter(langOf(node.parentElement));
    if (!seg) return null;
    for (const part of seg.segment(text)) {
      if (offset >= part.index && offset <= part.index + part.segment.length && part.isWordLike) {
        const range = document.createRange();
        range.setStart(node, part.index);
        range.setEnd(node, part.index + part.segment.length);
        return range;
      }
    }
    return null;
  }
  function pointRange(x, y) {
    if (document.caretPositionFromPoint) {
      const pos = document.caretPositionFromPoint(x, y);
      return pos && pos.offsetNode.nodeType === 3 ? wordRange(pos.offsetNode, pos.offset) : null;
    }
    const r = document.caretRangeFromPoint && document.caretRangeFromPoint(x, y);
    return r && r.startContainer.nodeType === 3 ? wordRange(r.startContainer, r.startOffset) : null;
  }
  // What a range picks: text, sentence, paragraph key ("doc-index") and language.
  function picked(range) {
    const text = range.toString().replace(/\s+/g, " ").trim();
    const start = range.startContainer.nodeType === 1 ? range.startContainer : range.startContainer.parentElement;
    const host = start && start.closest(TEXT);
    if (!text || text.length > 120 || !host) return null;
    const para = host.closest(".para");
    const sentence = start.closest(".s");
    return { text: text, lang: langOf(start), p: para.dataset.document + "-" + para.dataset.index, s: sentence ? sentence.dataset.s : "",
             sentenceText: sentence ? sentence.textContent : host.textContent, range: range };
  }

  // --- lit words: the picked word and its counterparts, wrapped in <mark> ---
  function clearMarks() {
    $$("mark.w-lit, mark.w-src").forEach((m) => {
      const parent = m.parentNode;
      parent.replaceChild(document.createTextNode(m.textContent), m);
      parent.normalize();
    });
  }
  function wrap(el, start, end, cls) {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let at = 0, node;
    while ((node = walker.nextNode())) {
      const len = node.textContent.length;
      if (start >= at && end <= at + len) {
        const range = document.createRange();
        range.setStart(node, start - at);
        range.setEnd(node, end - at);
        const mark = document.createElement("mark");
        mark.className = cls;
        range.surroundContents(mark);
        return mark;
      }
      at += len;
    }
    return null;
  }
  function visibleColumns() {
    return $$("#columns .column").filter((c) => !c.hidden).sort((a, b) => Number(a.style.order || 0) - Number(b.style.order || 0));
  }
  function lightUp(data) {
    // The marks replace the selection (wrapping would otherwise shift it onto other words).
    window.getSelection().removeAllRanges();
    clearMarks();
    const lit = [];
    data.counterparts.forEach((c) => c.words.forEach((w) => {
      // the counterpart's column, and on phones its copy under the paragraph
      const where = "#p-" + c.document + "-" + w.paragraph + ", .under .copy[data-document='" + c.document + "'][data-index='" + w.paragraph + "']";
      $$(where).forEach((host) => {
        const s = $(".s[data-s='" + w.sentence + "']", host);
        const mark = s && wrap(s, w.start, w.end, "w-lit");
        if (mark) lit.push(mark);
      });
    }));
    if (data.sentence !== null && data.start !== null) {
      const s = $("#p-" + data.document + "-" + data.paragraph + " .s[data-s='" + data.sentence + "']");
      if (s) wrap(s, data.start, data.start + data.word.length, "w-src");
    }
    scrollToLit(lit);
  }
  // On a phone the other column is hidden and its counterpart paragraphs are shown as copies
  // under the tapped one, which come (or are replaced) with htmx's answer to the tap. A card
  // whose lookup answered first lit only the hidden column: light the copies once they are in.
  function lightCopies(data) {
    const todo = [];
    data.counterparts.forEach((c) => c.words.forEach((w) => {
      $$(".under .copy[data-document='" + c.document + "'][data-index='" + w.paragraph + "'] .s[data-s='" + w.sentence + "']")
        .forEach((s) => todo.push([s, w]));
    }));
    const bare = new Set(todo.map(([s]) => s).filter((s) => !s.querySelector("mark.w-lit")));
    todo.forEach(([s, w]) => { if (bare.has(s)) wrap(s, w.start, w.end, "w-lit"); });
  }
  document.body.addEventListener("htmx:afterSettle", () => {
    if (current && !card.hidden) lightCopies(current.data);
  });
  function scrollToLit(lit) {
    lit.forEach((m) => {
      const body = m.closest(".column-body");
      if (!body || narrow() || body.scrollHeight <= body.clientHeight) return;
      const top = m.getBoundingClientRect().top - body.getBoundingClientRect().top;
      if (top < 0 || top > body.clientHeight - 24) body.scrollTop += top - body.clientHeight / 3;
    });
  }

  // --- the card ---
  let current = null;  // {pick, data}
  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function columnName(doc) {
    const col = $("#col-" + doc + " .lang-name");
    return col ? col.textContent.trim() : "";
  }
  // The counterparts in the order of the visible columns; the reader's "with" language first.
  function ordered(data) {
    const order = visibleColumns().map((c) => Number(c.dataset.document));
    const withDoc = Number(($("#with-select") || {}).value || 0);
    const rank = (d) => (d === withDoc ? -1 : order.indexOf(d) < 0 ? 1e3 + d : order.indexOf(d));
    return data.counterparts.filter((c) => order.includes(c.document) || c.document === withDoc)
      .sort((a, b) => rank(a.document) - rank(b.document));
  }
  // The dictionary's senses of the word in one language, or why there are none.
  function meaningsOf(data, lang, langName) {
    const senses = (data.meanings || []).filter((m) => m.lang === lang);
    if (senses.length) {
      const ol = el("ol", "wc-meanings");
      ol.lang = lang;
      ol.setAttribute("aria-label", "Dictionary meanings in " + langName);
      senses.forEach((m) => ol.append(el("li", "", m.text)));
      return ol;
    }
    const from = columnName(data.document) || data.lang;
    const why = (data.dictionaries || []).includes(lang)
      ? "not in the " + from + "–" + langName + " dictionary"
      : "no " + from + "–" + langName + " dictionary";
    return el("span", "wc-nodict", why);
  }
  function render(pick, data) {
    card.textContent = "";
    const head = el("div", "wc-head");
    const word = el("strong", "wc-word", data.word);
    word.id = "wc-word";
    word.lang = data.lang;
    const close = el("button", "btn-icon wc-close", "✕");
    close.type = "button";
    close.setAttribute("aria-label", "Close the word card");
    head.append(word, close);
    const facts = el("p", "wc-facts");
    if (data.lemma && data.lemma.toLowerCase() !== data.word.toLowerCase()) {
      const lemma = el("span", "wc-lemma", data.lemma);
      lemma.lang = data.lang;
      facts.append("from ", lemma, " · ");
    }
    facts.append(el("span", "wc-band band-" + data.frequency.band.replace(/\s+/g, "-"), data.frequency.band));
    card.append(head, facts);
    const list = el("ul", "wc-counterparts");
    const sides = ordered(data);
    const defined = new Set();
    sides.forEach((c) => {
      const li = el("li");
      li.append(el("span", "wc-lang", columnName(c.document) || c.lang), " ");
      const words = el("strong", "wc-cw", c.words.length ? c.words.map((w) => w.text).join(" … ") : "—");
      words.lang = c.lang;
      li.append(words);
      if (!c.words.length) li.append(el("span", "wc-none", " no sure counterpart word"));
      if (!defined.has(c.lang)) { defined.add(c.lang); li.append(meaningsOf(data, c.lang, columnName(c.document) || c.lang)); }
      list.append(li);
    });
    if (!sides.length) list.append(el("li", "wc-none", "No aligned sentence in the columns shown"));
    card.append(list);
    const actions = el("div", "wc-actions");
    const save = el("button", "btn primary wc-save", "Save");
    save.type = "button";
    const known = el("button", "btn wc-known", "I know it");
    known.type = "button";
    actions.append(save, known);
    card.append(actions);
    current = { pick: pick, data: data, side: sides[0] || null };
  }
  function place(rect) {
    card.hidden = false;
    if (narrow()) {  // a sheet at the bottom; the word stays above it
      card.classList.add("sheet"); card.style.left = ""; card.style.top = "";
      const room = window.innerHeight - card.offsetHeight - 16;
      if (rect.bottom > room) window.scrollBy(0, rect.bottom - room + rect.height);
      return;
    }
    card.classList.remove("sheet");
    const w = card.offsetWidth, h = card.offsetHeight;
    let top = rect.bottom + 8;
    if (top + h > window.innerHeight - 8) top = Math.max(8, rect.top - h - 8);
    card.style.left = Math.max(8, Math.min(window.innerWidth - w - 8, rect.left)) + "px";
    card.style.top = top + "px";
  }
  let seq = 0;
  let opened = null;  // the pick whose card is open or on its way
  function isOpen(pick) {
    return opened !== null && opened.text === pick.text && opened.p === pick.p;
  }
  // The documents whose counterparts the card shows (see `ordered`): the visible columns and
  // the "with" language; on a phone, the "with" language's copy (all when none is chosen).
  // The server aligns the word with each document asked for, so it is asked for these only.
  function shownDocuments(pick) {
    const own = pick.p.split("-")[0];
    const withDoc = ($("#with-select") || {}).value || "";
    const docs = narrow() ? [withDoc] : visibleColumns().map((c) => c.dataset.document).concat([withDoc]);
    return Array.from(new Set(docs.filter((d) => d && d !== own)));
  }
  function lookup(pick) {
    const q = new URLSearchParams({ lang: pick.lang, word: pick.text, story: story, p: pick.p });
    if (pick.s !== "") q.set("s", pick.s);
    shownDocuments(pick).forEach((d) => q.append("to", d));
    return api("GET", "/api/lookup?" + q);
  }
  const lookupKey = (pick) => [pick.lang, pick.text, pick.p, pick.s].join("|");
  // A double-click on a paragraph not yet active also activates it: htmx's request for its
  // counterparts leaves with the first click, and a lookup sent on "dblclick" queued behind
  // it on the server and behind the click's work in the page (bench/wordcard.py: 156 ms to
  // the filled card). So the first press on a word there looks the word up at once, before
  // the click; the double-click on that word takes this answer, anything else drops it (one
  // lookup more for such a press, about 15 ms of server time).
  let early = null;  // {key, answer, at}
  let pointer = "";  // a tap's compatibility mousedown comes after a touch pointerdown
  document.addEventListener("pointerdown", (e) => { pointer = e.pointerType; }, true);
  document.addEventListener("mousedown", (e) => {
    if (e.detail > 1) return;  // the double-click's second press: keep the first's lookup
    early = null;
    if (pointer !== "mouse" || e.button !== 0 || !e.target.closest || card.contains(e.target)) return;
    const para = e.target.closest(".para");
    if (!para || para.classList.contains("active") || document.body.classList.contains("linking")) return;
    const range = pointRange(e.clientX, e.clientY);
    const pick = range && picked(range);
    if (!pick) return;
    const answer = lookup(pick);
    answer.catch(() => {});  // a press that was no double-click: nobody waits for it
    early = { key: lookupKey(pick), answer: answer, at: performance.now() };
  }, true);
  function answerFor(pick) {
    const kept = early && early.key === lookupKey(pick) && performance.now() - early.at < 2000 ? early.answer : null;
    early = null;
    return kept || lookup(pick);
  }
  function open(pick) {
    const n = ++seq;
    opened = pick;
    performance.mark("parallax:word");
    const rect = pick.range.getBoundingClientRect();
    card.textContent = "";
    const loading = el("strong", "wc-word", pick.text);
    loading.id = "wc-word";
    card.append(loading, el("p", "wc-facts", "…"));
    place(rect);
    answerFor(pick).then((data) => {
      if (n !== seq) return;
      render(pick, data);
      place(rect);
      lightUp(data);
      performance.mark("parallax:card");
      status(data.word + ": " + $$(".wc-counterparts > li", card).map((li) => li.textContent).join("; "));
    }).catch((code) => { if (n === seq) { card.textContent = ""; card.append(el("p", "wc-none", "This word could not be looked up (" + code + ").")); } });
  }
  function closeCard() {
    if (card.hidden) return;
    card.hidden = true;
    current = null;
    opened = null;
    clearMarks();
  }

  // --- picking: selection (double-click, drag, long-press), a tap in a lit paragraph, keys ---
  function fromSelection() {
    const sel = window.getSelection();
    if (!sel || sel.isCollapsed || !sel.rangeCount) return null;
    return picked(sel.getRangeAt(0));
  }
  let selTimer = 0;
  // While a mouse drag is still selecting, the card waits for the button's release: drawn
  // mid-drag, its marks would replace the selection and the release would click the paragraph.
  let dragging = false;
  function selectionSettled() {
    clearTimeout(selTimer);
    selTimer = setTimeout(() => {
      if (dragging) return;
      const pick = fromSelection();
      if (pick && !isOpen(pick)) open(pick);
    }, 60);
  }
  document.addEventListener("selectionchange", selectionSettled);
  // A double-click's word is selected once it fires: the card need not wait for the
  // selection to settle (60 ms of the ~150 ms a reader would wait; bench/wordcard.py).
  document.addEventListener("dblclick", (e) => {
    if (!e.target.closest || !e.target.closest(".para") || card.contains(e.target)) return;
    dragging = false;
    clearTimeout(selTimer);
    const pick = fromSelection();
    if (pick && !isOpen(pick)) open(pick);
  }, true);
  document.addEventListener("pointerdown", (e) => { if (e.pointerType === "mouse" && e.button === 0) dragging = true; }, true);
  document.addEventListener("pointerup", () => { if (dragging) { dragging = false; selectionSettled(); } }, true);
  // A click with a selection made, or on a word of the paragraph already clicked, is the
  // word's, not the paragraph's: it neither follows the paragraph's link nor reaches htmx.
  document.addEventListener("click", (e) => {
    if (!e.isTrusted || !e.target.closest) return;
    if (card.contains(e.target)) return;
    const para = e.target.closest(".para");
    const sel = window.getSelection();
    if (para && sel && !sel.isCollapsed && sel.toString().trim()) {
      e.preventDefault(); e.stopImmediatePropagation();
      return;
    }
    if (para && para.classList.contains("active") && !document.body.classList.contains("linking") && e.detail === 1) {
      const range = pointRange(e.clientX, e.clientY);
      const pick = range && picked(range);
      if (pick) { e.preventDefault(); e.stopImmediatePropagation(); open(pick); return; }
    }
    if (!card.hidden && !e.target.closest(".word-card")) closeCard();
  }, true);
  card.addEventListener("click", (e) => {
    if (e.target.closest(".wc-close")) closeCard();
    else if (e.target.closest(".wc-save")) saveCurrent("learning");
    else if (e.target.closest(".wc-known")) saveCurrent("known");
  });

  // Keyboard: on a focused paragraph, "w" walks its words (←/→), Enter opens the card.
  let walk = null;  // {para, words: [Range], i}
  function showWalk() {
    clearMarks();
    walk.words = wordsOf(walk.para);
    walk.i = Math.max(0, Math.min(walk.words.length - 1, walk.i));
    const mark = document.createElement("mark");
    mark.className = "w-src";
    walk.words[walk.i].surroundContents(mark);
    status(mark.textContent);
  }
  function wordsOf(para) {
    const out = [];
    $$(".s, .p-text", para).filter((n) => !n.querySelector(".s")).forEach((s) => {
      const seg = segmenter(langOf(s));
      const walker = document.createTreeWalker(s, NodeFilter.SHOW_TEXT);
      let node;
      while ((node = walker.nextNode())) {
        for (const part of seg ? seg.segment(node.textContent) : []) {
          if (!part.isWordLike) continue;
          const r = document.createRange();
          r.setStart(node, part.index); r.setEnd(node, part.index + part.segment.length);
          out.push(r);
        }
      }
    });
    return out;
  }
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Escape" && (!card.hidden || walk)) { closeCard(); walk = null; clearMarks(); return; }
    const para = document.activeElement && document.activeElement.closest && document.activeElement.closest(".para");
    if (e.key === "w" && para) {
      walk = { para: para, words: [], i: 0 };
      if (wordsOf(para).length) showWalk(); else walk = null;
      e.preventDefault(); e.stopImmediatePropagation();
      return;
    }
    if (!walk || !para || para !== walk.para) { walk = null; return; }
    if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      walk.i += e.key === "ArrowRight" ? 1 : -1;
      showWalk();
      e.preventDefault();
    } else if (e.key === "Enter") {
      const lit = $("mark.w-src", para);
      if (!lit) return;
      const r = document.createRange();
      r.selectNodeContents(lit);
      const pick = picked(r);
      e.preventDefault(); e.stopImmediatePropagation();
      if (pick) open(pick);
    }
  }, true);

  // --- saving: to the account, or this browser's list before logging in ---
  function entry(status) {
    const { pick, data, side } = current;
    return {
      word: data.word || pick.text, lang: data.lang, lemma: data.lemma,
      sentence: data.sentence_text || pick.sentenceText,
      counterpart: side ? side.text : "", counterpart_lang: side ? side.lang : "",
      counterpart_words: side ? side.words.map((w) => w.text).join(" ") : "",
      story: Number(story), paragraph: pick.p, status: status,
    };
  }
  function saveCurrent(state) {
    if (!current) return;
    const item = entry(state);
    const done = () => { status((state === "known" ? "Marked known: " : "Saved ") + item.word); closeCard(); window.getSelection().removeAllRanges(); refresh(); };
    if (account) {
      api("POST", "/api/vocabulary", item).then(done).catch(() => status("The word could not be saved"));
      return;
    }
    const local = store.get("vocab", []);
    local.push({ text: item.word, lemma: item.lemma, sentence: item.sentence, counterpart: item.counterpart,
                 counterpart_lang: item.counterpart_lang, counterpart_words: item.counterpart_words, lang: item.lang,
                 story: story, paragraph: "p-" + item.paragraph, status: state, saved: new Date().toISOString() });
    store.set("vocab", local);
    done();
  }

  // --- the Words menu: the list, removal, import, CSV and Anki ---
  let items = [];
  const localItems = () => store.get("vocab", []).map((i, n) => ({
    id: "local-" + n, word: i.text, lemma: i.lemma || "", lang: i.lang, sentence: i.sentence || "",
    counterpart: i.counterpart || "", counterpart_lang: i.counterpart_lang || "", status: i.status || "new",
    paragraph: i.paragraph || "", saved: i.saved || "",
  }));
  function refresh() {
    const got = account ? api("GET", "/api/vocabulary") : Promise.resolve(localItems());
    return got.then((list) => { items = list; renderList(); markWords(); }).catch(() => { items = []; renderList(); });
  }
  function renderList() {
    $("#words-count").textContent = String(items.length);
    const list = $("#words-list");
    list.textContent = "";
    items.forEach((item) => {
      const li = el("li");
      li.lang = item.lang;
      const del = el("button", "del", "Remove");
      del.type = "button";
      del.dataset.id = String(item.id);
      del.setAttribute("aria-label", "Remove " + item.word);
      const ctx = el("span", "ctx", item.sentence + (item.counterpart ? " — " + item.counterpart : ""));
      li.append(el("strong", "", item.word), " ", el("small", "st st-" + item.status, item.status), del, ctx);
      list.append(li);
    });
    const local = store.get("vocab", []);
    const row = $("#words-import-row");
    if (row) row.hidden = !(account && local.length);
    const n = $("#words-local-count");
    if (n) n.textContent = String(local.length);
  }
  function importLocal() {
    const local = store.get("vocab", []);
    const body = local.map((i) => ({
      word: i.text, lang: i.lang, lemma: i.lemma || "", sentence: (i.sentence || "").slice(0, 2000),
      counterpart: (i.counterpart || "").slice(0, 2000),
      counterpart_lang: /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(i.counterpart_lang || "") ? i.counterpart_lang : "",
      counterpart_words: i.counterpart_words || "", story: Number(i.story) || null,
      paragraph: String(i.paragraph || "").replace(/^p-/, "").match(/^\d+-\d+$/) ? String(i.paragraph).replace(/^p-/, "") : "",
      status: ["new", "learning", "known"].includes(i.status) ? i.status : "new", saved: i.saved || null,
    })).filter((i) => i.word && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(i.lang || ""));
    api("POST", "/api/vocabulary/import", body).then((r) => {
      store.set("vocab", []);
      status("Added " + r.added + " words to your account" + (r.updated ? ", updated " + r.updated : ""));
      refresh();
    }).catch(() => status("The words could not be added; they are still kept in this browser"));
  }
  function download(blob, name) {
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = name;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  }
  document.addEventListener("click", (e) => {
    if (!e.target.closest || !menu || !menu.contains(e.target)) return;
    const del = e.target.closest("#words-list .del");
    if (del) {
      const id = del.dataset.id;
      if (id.startsWith("local-")) {
        const local = store.get("vocab", []);
        local.splice(Number(id.slice(6)), 1);
        store.set("vocab", local);
        refresh();
      } else api("DELETE", "/api/vocabulary/" + id).then(refresh);
    } else if (e.target.closest("#words-import")) importLocal();
    else if (e.target.closest("#words-anki")) {
      const deck = account ? fetch("/api/vocabulary/anki", { credentials: "same-origin" })
        : fetch("/api/vocabulary/anki", { method: "POST", headers: csrf(), body: JSON.stringify(items.map((i) => ({ text: i.word, sentence: i.sentence, counterpart: i.counterpart, lang: i.lang }))) });
      deck.then((r) => (r.ok ? r.blob() : Promise.reject(r.status)))
        .then((blob) => download(blob, "parallax-words.apkg"))
        .catch(() => status("The Anki deck could not be made"));
    } else if (e.target.closest("#words-csv")) {
      const cell = (v) => '"' + String(v || "").replace(/"/g, '""') + '"';
      const rows = [["word", "sentence", "counterpart", "language", "lemma", "status", "paragraph"]]
        .concat(items.map((i) => [i.word, i.sentence, i.counterpart, i.lang, i.lemma, i.status, i.paragraph]));
      download(new Blob([rows.map((r) => r.map(cell).join(",")).join("\r\n") + "\r\n"], { type: "text/csv" }), "parallax-words.csv");
    }
  });

  // --- known and learning words marked in the reading column (can be switched off) ---
  function markWords() {
    $$(".para.w-marked").forEach((p) => p.classList.remove("w-marked"));
    $$("mark.w-new, mark.w-learning").forEach((m) => { const p = m.parentNode; p.replaceChild(document.createTextNode(m.textContent), m); p.normalize(); });
    const on = $("#words-marking") && $("#words-marking").checked;
    document.body.classList.toggle("words-marking", Boolean(on));
    if (!on) return;
    const state = new Map();
    items.forEach((i) => { if (i.status !== "known") state.set(i.lang + ":" + i.word.toLowerCase(), i.status === "new" ? "w-new" : "w-learning"); });
    if (!state.size) return;
    const column = $(".column.reading");
    if (!column) return;
    $$(".para .s", column).forEach((s) => {
      const lang = langOf(s);
      const hits = wordsOf(s).filter((r) => state.has(lang + ":" + r.toString().toLowerCase()));
      hits.reverse().forEach((r) => {
        const m = document.createElement("mark");
        m.className = state.get(lang + ":" + r.toString().toLowerCase());
        r.surroundContents(m);
      });
    });
  }
  document.addEventListener("change", (e) => {
    if (e.target.id === "words-marking") { store.set("marking", e.target.checked); markWords(); }
    else if (e.target.id === "reading-select") markWords();
    else if (e.target.id === "gaps-toggle") { store.set("gaps", e.target.checked); showGaps(); }
  });

  // --- reading comfort: gaps on demand, why "Listen" is missing ---
  function showGaps() {
    document.body.classList.toggle("show-gaps", $("#gaps-toggle").checked);
  }
  function listenWhy() {
    const listen = $("#listen"), why = $("#listen-why");
    if (!listen || !why) return;
    const target = $(".para.active") || $(".column.reading .para");
    const name = target ? ((target.closest(".column") || {}).querySelector ? target.closest(".column").querySelector(".lang-name").textContent.trim() : "") : "";
    const reason = !window.speechSynthesis ? "This browser cannot read aloud."
      : "This browser has no voice for " + (name || "this language") + ". Add one in your system's speech settings.";
    why.hidden = !listen.hidden;
    why.title = reason;
    $("#listen-why-text").textContent = reason;
  }
  document.addEventListener("click", (e) => { if (e.target.closest && e.target.closest("#listen-why")) status($("#listen-why-text").textContent); });

  const gaps = $("#gaps-toggle");
  if (gaps) { gaps.checked = store.get("gaps", gaps.dataset.default === "1"); showGaps(); }
  const marking = $("#words-marking");
  if (marking) marking.checked = store.get("marking", false);
  const listen = $("#listen");
  if (listen) new MutationObserver(listenWhy).observe(listen, { attributes: true, attributeFilter: ["hidden"] });
  listenWhy();
  refresh();
  // the server loads this story's lemma and frequency tables while the reader reads
  fetch("/api/lookup/warm?story=" + encodeURIComponent(story), { credentials: "same-origin" }).catch(() => {});
})();
