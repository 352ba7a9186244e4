// My library's "Bring a collection": a folder's article files (or one zip) become one import
// (POST /api/imports), sent in parts that each stay under the request size limit, then
// followed on one progress line (GET /api/imports/{id}) until every file is stored or refused.
(function () {
  const form = document.getElementById("import-form");
  if (!form) return;
  const line = document.getElementById("import-progress");
  const limit = Number(form.dataset.partBytes) || 2000000;
  const ARTICLE = /\.(txt|text|md|markdown|html?|xhtml|epub|zip)$/i;

  function token() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function say(text, failed) {
    line.textContent = text;
    line.classList.toggle("error", Boolean(failed));
  }

  // Consecutive groups of files whose sizes add up to at most the limit (a larger file alone).
  function parts(files) {
    const out = [];
    let group = [], size = 0;
    for (const file of files) {
      if (group.length && size + file.size > limit) { out.push(group); group = []; size = 0; }
      group.push(file);
      size += file.size;
    }
    if (group.length) out.push(group);
    return out;
  }

  async function send(url, files) {
    const body = new FormData();
    for (const file of files) body.append("files", file, file.webkitRelativePath || file.name);
    if (form.visibility) body.append("visibility", form.visibility.value);
    const response = await fetch(url, {
      method: "POST", body: body, credentials: "same-origin", headers: {"x-csrftoken": token()},
    });
    const answer = await response.json().catch(function () { return {}; });
    if (!response.ok) throw new Error(answer.detail || "the server answered " + response.status);
    return answer;
  }

  async function follow(url) {
    const response = await fetch(url, {credentials: "same-origin"});
    if (!response.ok) { say("Lost track of the import (" + response.status + ")", true); return; }
    const p = await response.json();
    const stored = p.done + p.failed;
    say(stored + " of " + p.total + " files stored: " + p.added + " added, " + p.duplicates +
        " already there, " + p.failed + " refused" +
        (p.failures.length ? " (" + p.failures[0].source + ": " + p.failures[0].error + ")" : ""),
        p.failed > 0);
    if (p.status === "done") {
      if (window.htmx) htmx.ajax("GET", "/library", {target: "#library", swap: "outerHTML"});
      return;
    }
    setTimeout(function () { follow(url); }, 1000);
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const files = Array.from(form.folder.files).concat(Array.from(form.files.files))
      .filter(function (file) { return ARTICLE.test(file.name); });
    if (!files.length) { say("Choose a folder of articles or a zip first.", true); return; }
    let started = null, sent = 0;
    try {
      for (const group of parts(files)) {
        const answer = await send(started ? started.url + "/files" : "/api/imports", group);
        started = started || answer;
        sent += group.length;
        say("Sending: " + sent + " of " + files.length + " files", false);
      }
    } catch (err) {
      say((started ? "Part of the import was refused: " : "Import refused: ") + err.message, true);
      if (!started) return;
    }
    follow(started.url);
  });
})();
