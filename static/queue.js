// Review queue keys: j/k move between rows, y confirms, n rejects the focused row's link.
(function () {
  "use strict";
  const rows = () => Array.from(document.querySelectorAll("#queue tbody tr"));
  document.addEventListener("keydown", (e) => {
    if (e.target.matches("input, textarea, select") || e.ctrlKey || e.metaKey || e.altKey) return;
    const current = document.activeElement.closest ? document.activeElement.closest("#queue tbody tr") : null;
    if (e.key === "j" || e.key === "k") {
      const all = rows();
      let i = current ? all.indexOf(current) + (e.key === "j" ? 1 : -1) : 0;
      i = Math.max(0, Math.min(all.length - 1, i));
      all[i].focus();
      e.preventDefault();
    } else if ((e.key === "y" || e.key === "n") && current) {
      const button = current.querySelector(e.key === "y" ? "button.confirm" : "button.reject");
      if (button) button.click();
      e.preventDefault();
    }
  });
  // After a swap the row is new: keep the keyboard where it was, then move on.
  document.body.addEventListener("htmx:afterSwap", (e) => {
    const row = e.detail.elt.closest ? e.detail.elt : null;
    if (row && row.matches && row.matches("#queue tbody tr")) {
      const next = row.nextElementSibling || row;
      next.focus();
    }
  });
})();
