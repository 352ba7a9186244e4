// /practice: the account's due words as cloze cards. Type the missing word (or just reveal
// it), then rate how well you knew it: 1-4 or the buttons; h shows the counterpart hint.
(function () {
  "use strict";
  const root = document.getElementById("practice");
  if (!root || !root.dataset.account) return;
  const $ = (id) => document.getElementById(id);
  let cards = [];
  let card = null;
  function headers() {
    const token = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    const h = { "Content-Type": "application/json" };
    if (token) h["x-csrftoken"] = decodeURIComponent(token[1]);
    return h;
  }
  const norm = (s) => s.normalize("NFC").trim().toLowerCase().replace(/’/g, "'");
  function cloze(answer) {
    const p = $("pcard-cloze");
    p.textContent = "";
    p.lang = card.lang;
    const gap = document.createElement("span");
    gap.className = answer ? "answer" : "gap-slot";
    gap.textContent = answer ? card.word : "\u00a0";
    if (!answer) { const say = document.createElement("span"); say.className = "sr-only"; say.textContent = "(missing word)"; gap.append(say); }
    p.append(card.before || "", gap, card.after || "");
    if (!card.before && !card.after) p.append(" (" + card.word.length + " letters)");
  }
  function show() {
    card = cards.shift() || null;
    $("practice-count").textContent = (card ? cards.length + 1 : 0) + " due now.";
    $("pcard").hidden = !card;
    $("practice-done").hidden = Boolean(card);
    if (!card) return;
    $("pcard-lang").textContent = card.lang;
    $("pcard-status").textContent = card.status;
    cloze(false);
    $("pcard-hint").open = false;
    $("pcard-hint").hidden = !card.hint;
    const hint = $("pcard-hint-text");
    hint.textContent = card.hint;
    hint.lang = card.hint_lang || "";
    $("pcard-result").hidden = true;
    $("pcard-form").hidden = false;
    $("pcard-answer").value = "";
    $("pcard-answer").lang = card.lang;
    $("pcard-answer").focus();
  }
  function reveal() {
    const typed = $("pcard-answer").value;
    const right = typed && norm(typed) === norm(card.word);
    cloze(true);
    $("pcard-verdict").textContent = !typed ? "The word:" : right ? "Right." : "Not quite: you wrote “" + typed + "”.";
    $("pcard-word").textContent = card.word;
    $("pcard-lemma").textContent = card.lemma && card.lemma !== card.word ? "(" + card.lemma + ")" : "";
    $("pcard-form").hidden = true;
    $("pcard-result").hidden = false;
    const suggested = document.querySelector(".rate [data-rating='" + (!typed ? "hard" : right ? "good" : "again") + "']");
    suggested.focus();
  }
  function rate(rating) {
    fetch("/api/practice/" + card.id, { method: "POST", headers: headers(), body: JSON.stringify({ rating: rating }), credentials: "same-origin" })
      .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
      .then((r) => {
        $("pcard-verdict").textContent = "";
        if (rating === "again") cards.push(card);  // once more in this session
        $("practice-count").setAttribute("data-last", card.word + " again in " + r.days + " days");
        show();
      })
      .catch(() => { $("pcard-verdict").textContent = "Your answer could not be saved; try again."; });
  }
  $("pcard-form").addEventListener("submit", (e) => { e.preventDefault(); reveal(); });
  root.addEventListener("click", (e) => {
    const b = e.target.closest("[data-rating]");
    if (b && card) rate(b.dataset.rating);
  });
  document.addEventListener("keydown", (e) => {
    if (!card || e.ctrlKey || e.metaKey || e.altKey) return;
    const typing = e.target.matches("input");
    if (e.key === "h" && !typing) { $("pcard-hint").open = !$("pcard-hint").open; e.preventDefault(); return; }
    if (!$("pcard-result").hidden && ["1", "2", "3", "4"].includes(e.key)) {
      rate(["again", "hard", "good", "easy"][Number(e.key) - 1]);
      e.preventDefault();
    }
  });
  fetch("/api/practice", { credentials: "same-origin" })
    .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
    .then((list) => { cards = list; show(); })
    .catch(() => { $("practice-done").hidden = false; $("practice-done").textContent = "Your words could not be loaded."; });
})();
