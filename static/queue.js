// Review queue keys: j/k move between rows, y does the row's action (confirm, or mark the
// paragraph), n rejects (or clears a mark), Enter opens the row in the reader, u undoes and
// U (or r) redoes this editor's last change, as in the reader's panel.
(function () {
  "use strict";
  const rows = () => Array.from(document.querySelectorAll("#queue tbody tr.queue-row"));
  const say = (row, text) => {
    const bar = document.getElementById("undo-bar");
    if (!bar) return;
    let note = bar.querySelector(".key-note");
    if (!note) {
      note = document.createElement("span");
      note.className = "key-note";
      note.setAttribute("role", "status");
      bar.prepend(note);
    }
    note.textContent = text;
  };
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const focused = document.activeElement;
    const current = focused && focused.closest ? focused.closest("#queue tbody tr.queue-row") : null;
    if (e.key === "j" || e.key === "k") {
      const all = rows();
      if (!all.length) return;
      let i = current ? all.indexOf(current) + (e.key === "j" ? 1 : -1) : 0;
      i = Math.max(0, Math.min(all.length - 1, i));
      all[i].focus();
      e.preventDefault();
    } else if ((e.key === "y" || e.key === "n") && current) {
      const button = current.querySelector(e.key === "y" ? "button.confirm" : "button.reject");
      if (button) button.click();
      else say(current, e.key === "y" ? "Nothing to confirm here: Enter opens it in the reader." : "Nothing to reject here.");
      e.preventDefault();
    } else if (e.key === "Enter" && current) {
      const link = current.querySelector("a.open") || current.querySelector("td.where a");
      if (link) window.location.href = link.href;
      e.preventDefault();
    } else if (e.key === "u" || e.key === "U" || e.key === "r") {
      const button = document.querySelector(e.key === "u" ? "#undo-bar button.undo" : "#undo-bar button.redo");
      if (button && !button.disabled) button.click();
      e.preventDefault();
    }
  });
  // After a decision the row is new: move on to the next row still open.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const row = e.detail.elt;
    if (row && row.matches && row.matches("#queue tbody tr.queue-row")) {
      let next = row.nextElementSibling;
      while (next && !next.classList.contains("state-open")) next = next.nextElementSibling;
      (next || row).focus();
    }
  });
  // Undo, redo and the batch redraw the table: rows stay where the editor's page has them.
  document.body.addEventListener("htmx:configRequest", (e) => {
    const target = e.detail.target;
    if (!target || target.id !== "queue") return;
    e.detail.parameters.order = rows().map((r) => r.id).join(",");
  });
})();
