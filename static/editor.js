// Editing from the keyboard in the reader, for editors only (the review panel loads it).
// Keys act on the active paragraph's first link that is not rejected: ] and [ move its far
// boundary by one paragraph, m merges it with the next link, t switches its relation, y
// confirms it; e edits the paragraph's text in place (Ctrl+Enter saves, Esc cancels, Alt+Enter
// splits at the cursor); u undoes, U redoes. Every key clicks a button the panel shows, so
// the server decides and records each change as if it were clicked.
(function () {
  "use strict";
  if (window.parallaxEditor) return;
  window.parallaxEditor = true;
  const panel = () => document.getElementById("review-panel");
  const firstLink = () => {
    const p = panel();
    return p ? p.querySelector("li.review-link:not(.status-rejected)") : null;
  };
  const click = (scope, selector) => {
    const button = scope ? scope.querySelector(selector) : null;
    if (button && !button.disabled) { button.click(); return true; }
    return false;
  };
  const csrf = () => {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };
  const pause = (ms) => new Promise((done) => setTimeout(done, ms));

  // A write the database was too busy for is tried again (as Retry-After says), then reported.
  async function send(method, url, body, say) {
    for (let attempt = 1; ; attempt++) {
      const response = await fetch(url, {
        method: method,
        headers: { "content-type": "application/json", "x-csrftoken": csrf() },
        body: JSON.stringify(body || {}),
      });
      if (response.status !== 503 || attempt >= 3) return response;
      const wait = Number(response.headers.get("Retry-After") || "2");
      say("The database is busy; trying again (" + (attempt + 1) + " of 3)…");
      await pause(wait * 1000);
    }
  }

  function reopen(key) {
    const url = new URL(window.location.href);
    url.searchParams.set("p", key);
    window.location.assign(url.toString());
  }

  function button(label, cls, keyHint) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = cls;
    b.textContent = label + " ";
    if (keyHint) { const k = document.createElement("kbd"); k.textContent = keyHint; b.append(k); }
    return b;
  }

  // The paragraph's cell becomes a text box with the text only (never its ¶ number).
  function editText(source) {
    const key = source.dataset.key;
    const para = document.getElementById("p-" + key);
    if (!para || document.querySelector("form.inline-edit")) return;
    const form = document.createElement("form");
    form.className = "inline-edit";
    const area = document.createElement("textarea");
    area.value = source.dataset.text;
    area.rows = Math.min(16, Math.max(3, Math.ceil(area.value.length / 70)));
    area.setAttribute("aria-label", "Text of " + source.dataset.label);
    area.lang = para.closest("[lang]") ? para.closest("[lang]").lang : "";
    area.dir = "auto";
    const bar = document.createElement("div");
    bar.className = "inline-edit-actions";
    const save = button("Save", "save", "Ctrl+Enter");
    save.type = "submit";
    const split = button("Split at the cursor", "split", "Alt+Enter");
    const merge = button("Merge with the next paragraph", "merge", "");
    const cancel = button("Cancel", "cancel", "Esc");
    const status = document.createElement("p");
    status.className = "inline-edit-status";
    status.setAttribute("role", "status");
    bar.append(save, split, merge, cancel);
    form.append(area, bar, status);
    para.hidden = true;
    para.before(form);
    area.focus();
    const say = (text, bad) => { status.textContent = text; status.classList.toggle("error", !!bad); };
    const close = () => { form.remove(); para.hidden = false; para.focus(); };
    async function run(method, url, body, doneKey) {
      form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
      say("Saving…");
      try {
        const response = await send(method, url, body, say);
        if (response.ok) { reopen(doneKey); return; }
        const answer = await response.json().catch(() => ({}));
        say((answer.detail || "The change could not be made.") + " Your text is kept here.", true);
      } catch (err) {
        say("The server could not be reached; your text is kept here.", true);
      }
      form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    }
    const doSave = () => {
      if (area.value.trim() === source.dataset.text.trim()) { close(); return; }
      run("PUT", source.dataset.edit, { text: area.value }, key);
    };
    // The server counts characters as code points; the text box counts UTF-16 units.
    const doSplit = () => {
      const at = Array.from(area.value.slice(0, area.selectionStart)).length;
      if (area.value !== source.dataset.text) {
        say("Save the text first, then split it.", true);
        return;
      }
      run("POST", source.dataset.split, { at: at }, key);
    };
    const doMerge = () => run("POST", source.dataset.merge, {}, key);
    form.addEventListener("submit", (e) => { e.preventDefault(); doSave(); });
    split.addEventListener("click", doSplit);
    merge.addEventListener("click", doMerge);
    cancel.addEventListener("click", close);
    area.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); close(); }
      else if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); doSave(); }
      else if (e.key === "Enter" && e.altKey) { e.preventDefault(); doSplit(); }
    });
  }
  document.addEventListener("click", (e) => {
    const b = e.target.closest ? e.target.closest("#review-panel button.edit-text") : null;
    if (b) { e.preventDefault(); editText(b); }
  });
  // A panel action the server could not answer (database busy, server down) is said in the
  // panel instead of nothing happening.
  document.body.addEventListener("htmx:responseError", (e) => {
    const p = panel();
    const status = p ? p.querySelector(".panel-status") : null;
    if (!status || !p.contains(e.detail.elt)) return;
    if (e.detail.xhr.status < 500) return;  // 4xx answers are the panel itself, swapped in
    let detail = "";
    try { detail = JSON.parse(e.detail.xhr.responseText).detail || ""; } catch (err) { detail = ""; }
    const note = document.createElement("p");
    note.className = "error";
    note.setAttribute("role", "alert");
    note.textContent = (detail || "The server could not make the change") + " — nothing was changed; try again.";
    status.replaceChildren(note);
  });
  const keys = {
    "]": () => click(firstLink(), "button.boundary-down"),
    "[": () => click(firstLink(), "button.boundary-up"),
    "m": () => click(firstLink(), "button.merge-next"),
    "t": () => click(firstLink(), "button.relation"),
    "y": () => click(firstLink(), "button.confirm"),
    "u": () => click(panel(), "button.undo"),
    "U": () => click(panel(), "button.redo"),
    "e": () => { const b = panel() && panel().querySelector("button.edit-text"); if (b) editText(b); return !!b; },
  };
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const act = keys[e.key];
    if (act && panel() && panel().dataset.active && act()) e.preventDefault();
  });
})();
