"use strict";
// Bidirectional controls from the data shown as \uXXXX, as the terminal and report.md show
// them: a right-to-left override in a label would make the page read other text than the
// data holds ("\u202emaps" reads "spam"). Every page script shows data text through it.
function shown(text) {
  return String(text).replace(/[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => "\\u" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}
(function () {
  const PAGE = 100, PREVIEW = 120;
  const data = JSON.parse(document.getElementById("issue-data").textContent);
  const col = {};
  data.columns.forEach((name, i) => { col[name] = i; });
  const issues = data.issues;
  // Long texts arrive once each, in data.texts; an issue holds their numbers in text_fields.
  const shared = data.text_fields.map((name) => col[name]);
  issues.forEach((r) => shared.forEach((c) => { if (r[c] !== null) r[c] = data.texts[r[c]]; }));
  // A row's name arrives only where it is not its number (a scan of a training and a test file).
  issues.forEach((r) => { if (r[col.row_name] === null) r[col.row_name] = r[col.row] === null ? "" : String(r[col.row]); });
  const state = { kind: "", cls: "", cluster: "", score: 0, text: "", rows: null, sortKey: "rank", sortDir: 1, page: 0 };
  const $ = (id) => document.getElementById(id);

  function fillSelect(select, values) {
    [...new Set(values.filter((v) => v !== null && v !== ""))].sort().forEach((value) => {
      const option = document.createElement("option");
      option.value = String(value);
      option.textContent = shown(value);
      select.appendChild(option);
    });
  }
  fillSelect($("f-kind"), issues.map((r) => r[col.kind]));
  fillSelect($("f-class"), issues.flatMap((r) => [r[col.given_label], r[col.suggested_label]]));
  fillSelect($("f-cluster"), issues.map((r) => r[col.cluster]));

  function matches(r) {
    if (state.rows && !state.rows.has(r[col.row])) return false;
    if (state.kind && r[col.kind] !== state.kind) return false;
    if (state.cls && String(r[col.given_label]) !== state.cls && String(r[col.suggested_label]) !== state.cls) return false;
    if (state.cluster && r[col.cluster] !== state.cluster) return false;
    if (r[col.score] < state.score) return false;
    if (state.text) {
      const hay = [r[col.content], r[col.id], r[col.detail], r[col.row_name]].join(" ").toLowerCase();
      if (!hay.includes(state.text)) return false;
    }
    return true;
  }

  // What the page's other scripts (loaded after this one) build on: the data, the column
  // positions, a row filter (a Set of row numbers, or null for every row) and hooks run on
  // each table row drawn.
  const page = {
    data, col, issues, rowHooks: [],
    setRowFilter(rows) { state.rows = rows; state.page = 0; draw(); },
    redraw() { draw(); },
  };
  window.databugsPage = page;

  function compare(a, b) {
    const x = a[col[state.sortKey]], y = b[col[state.sortKey]];
    if (x === y) return a[col.rank] - b[col.rank];
    if (x === null || x === undefined) return 1;
    if (y === null || y === undefined) return -1;
    return (typeof x === "number" && typeof y === "number" ? x - y : String(x).localeCompare(String(y))) * state.sortDir;
  }

  function cell(tr, text) {
    const td = document.createElement("td");
    td.textContent = text === null || text === undefined ? "" : shown(text);
    tr.appendChild(td);
    return td;
  }

  function contentCell(tr, r) {
    const td = document.createElement("td");
    td.className = "content";
    const text = shown(r[col.content] || "");
    if (text.length > PREVIEW) {
      const details = document.createElement("details");
      const summary = document.createElement("summary");
      summary.textContent = text.slice(0, PREVIEW) + " \u2026 (more)";
      const full = document.createElement("div");
      full.className = "full";
      full.textContent = text;
      details.append(summary, full);
      td.appendChild(details);
    } else {
      const div = document.createElement("div");
      div.textContent = text;
      td.appendChild(div);
    }
    const detail = document.createElement("div");
    detail.className = "dim";
    detail.textContent = shown(r[col.detail] || "");
    td.appendChild(detail);
    if (r[col.evidence]) {
      const evidence = document.createElement("div");
      evidence.className = "evidence";
      evidence.textContent = shown(r[col.evidence]);
      td.appendChild(evidence);
    }
    tr.appendChild(td);
  }

  function draw() {
    const chosen = issues.filter(matches).sort(compare);
    const pages = Math.max(1, Math.ceil(chosen.length / PAGE));
    state.page = Math.min(state.page, pages - 1);
    const body = document.querySelector("#issue-table tbody");
    body.replaceChildren();
    chosen.slice(state.page * PAGE, (state.page + 1) * PAGE).forEach((r) => {
      const tr = document.createElement("tr");
      tr.className = "issue-row";
      cell(tr, r[col.rank]); cell(tr, r[col.kind]); cell(tr, r[col.row_name]); cell(tr, r[col.id]);
      cell(tr, r[col.given_label]); cell(tr, r[col.suggested_label]);
      cell(tr, r[col.score] === null ? "" : r[col.score].toFixed(3));
      cell(tr, r[col.label_quality] === null ? "" : r[col.label_quality].toFixed(3));
      cell(tr, r[col.cluster]);
      contentCell(tr, r);
      body.appendChild(tr);
      page.rowHooks.forEach((hook) => hook(tr, r));
    });
    $("shown").textContent = chosen.length + " of " + issues.length + " issues";
    $("page").textContent = "page " + (state.page + 1) + " of " + pages;
    $("prev").disabled = state.page === 0;
    $("next").disabled = state.page >= pages - 1;
    document.querySelectorAll("th.sortable").forEach((th) => {
      th.classList.toggle("sorted-asc", th.dataset.key === state.sortKey && state.sortDir === 1);
      th.classList.toggle("sorted-desc", th.dataset.key === state.sortKey && state.sortDir === -1);
    });
  }

  function readControls() {
    state.kind = $("f-kind").value;
    state.cls = $("f-class").value;
    state.cluster = $("f-cluster").value;
    state.score = parseFloat($("f-score").value) || 0;
    state.text = $("f-text").value.trim().toLowerCase();
    state.page = 0;
    draw();
  }

  function readHash() {
    // #kind=label_issue&class=spam&cluster=c2&score=0.5&text=free : filters a link can carry
    const params = new URLSearchParams(location.hash.slice(1));
    const set = (id, key) => { if (params.has(key)) $(id).value = params.get(key); };
    set("f-kind", "kind"); set("f-class", "class"); set("f-cluster", "cluster");
    set("f-score", "score"); set("f-text", "text");
    readControls();
  }

  ["f-kind", "f-class", "f-cluster"].forEach((id) => $(id).addEventListener("change", readControls));
  ["f-score", "f-text"].forEach((id) => $(id).addEventListener("input", readControls));
  $("prev").addEventListener("click", () => { state.page -= 1; draw(); });
  $("next").addEventListener("click", () => { state.page += 1; draw(); });
  document.querySelectorAll("th.sortable").forEach((th) => th.addEventListener("click", () => {
    state.sortDir = state.sortKey === th.dataset.key ? -state.sortDir : 1;
    state.sortKey = th.dataset.key;
    draw();
  }));
  window.addEventListener("hashchange", readHash);
  readHash();
})();
