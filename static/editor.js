// Editing from the keyboard in the reader, for editors only (the review panel loads it).
// Keys act on the active paragraph's first link that is not rejected: ] and [ move its far
// boundary by one paragraph, m merges it with the next link, t switches its relation, y
// confirms it; e edits the paragraph's text; u undoes, U redoes. Every key clicks a button
// the panel shows, so the server decides and records each change as if it were clicked.
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
  async function editText(button) {
    const para = document.getElementById(button.dataset.paragraph);
    const current = para ? para.textContent.trim() : "";
    const text = window.prompt("Edit the paragraph's text (recorded; undo takes it back):", current);
    if (text === null || text.trim() === current) return;
    const response = await fetch(button.dataset.edit, {
      method: "PUT",
      headers: { "content-type": "application/json", "x-csrftoken": csrf() },
      body: JSON.stringify({ text: text }),
    });
    if (response.ok) { window.location.reload(); return; }
    const body = await response.json().catch(() => ({}));
    window.alert(body.detail || "The text could not be changed.");
  }
  document.addEventListener("click", (e) => {
    const button = e.target.closest ? e.target.closest("#review-panel button.edit-text") : null;
    if (button) { e.preventDefault(); editText(button); }
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
