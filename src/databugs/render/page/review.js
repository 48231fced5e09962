
// Review in the page: accept, reject or relabel each flagged row (and each cluster), with a
// comment; kept in this browser under the report's digest; downloaded as decisions-<name>.csv
// for `databugs fix --decisions`. Everything from the data is shown with textContent only.
(function () {
  "use strict";
  const page = window.databugsPage;
  if (!page || !page.data.review) return;
  const review = page.data.review;
  const KEY = "databugs-review:" + review.digest, WHO = "databugs-reviewer";
  const COLUMNS = ["time", "file", "decision", "row", "id", "old_label", "new_label", "comment",
    "reviewer", "data_sha256", "new_class"];
  // Each flagged row: [row, id, given, suggested, cluster, its file, its row in that file].
  const flagged = new Map(review.flagged.map(([row, id, given, suggested, cluster, file, own]) =>
    [row, { row, id, given, suggested, cluster, file, fileRow: own }]));
  const text = (value) => (value === null || value === undefined ? "" : String(value));
  let decisions = load();
  let selected = null;

  function load() {
    try {
      const kept = JSON.parse(localStorage.getItem(KEY) || "{}");
      return kept && typeof kept === "object" ? kept : {};
    } catch (error) { return {}; }
  }
  function save() {
    try { localStorage.setItem(KEY, JSON.stringify(decisions)); } catch (error) {
      say("this browser did not keep the decisions: download them before closing the page");
    }
  }
  function el(tag, className, content) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (content !== undefined) node.textContent = shown(content);
    return node;
  }
  function button(label, title, action) {
    const node = el("button", "rv-button", label);
    node.type = "button";
    node.title = title;
    node.addEventListener("click", (event) => { event.stopPropagation(); action(); });
    return node;
  }

  // The decisions
  function decide(row, decision, label, isNew) {
    const item = flagged.get(row);
    if (!item) return;
    const chosen = decision === "accepted" ? item.suggested : decision === "rejected" ? item.given : label;
    const comment = decisions[row] ? decisions[row].comment : "";
    decisions[row] = { decision, label: text(chosen), isNew: !!isNew, comment,
      time: new Date().toISOString().replace(/\.\d+Z$/, "+00:00") };
    save();
    refresh();
  }
  function clear(row) { delete decisions[row]; save(); refresh(); }
  function comment(row, value) {
    if (!decisions[row]) return say("decide the row first, then comment");
    decisions[row].comment = value;
    save();
    refresh();
  }
  function described(row) {
    const d = decisions[row];
    if (!d) return "undecided";
    const what = d.decision === "accepted" ? "accepted \u2192 " + d.label
      : d.decision === "rejected" ? "rejected (keeps " + d.label + ")"
        : "relabelled \u2192 " + d.label + (d.isNew ? " (new label)" : "");
    return what + (d.comment ? " \u2014 " + d.comment : "");
  }

  // The rows of the issue table
  const head = document.querySelector("#issue-table thead tr");
  if (head) head.appendChild(el("th", "rv-head", "your decision"));
  page.rowHooks.push((tr, r) => {
    const row = r[page.col.row];
    const td = el("td", "rv-cell");
    tr.appendChild(td);
    if (!flagged.has(row)) return;
    tr.dataset.row = String(row);
    const status = el("div", "rv-status");
    const tools = el("div", "rv-tools");
    tools.append(
      button("accept", "take the suggested label (a)", () => decide(row, "accepted")),
      button("reject", "keep the given label (r)", () => decide(row, "rejected")),
      button("other label", "choose another label (e)", () => editLabel(tr, row)),
      button("comment", "add a comment (c)", () => editComment(tr, row)),
      button("undo", "forget this decision (u)", () => clear(row)));
    td.append(status, tools);
    tr.addEventListener("click", () => select(tr));
    paint(tr);
    if (selected === row && !current()) tr.dataset.selected = "yes";
  });
  function paint(tr) {
    const row = Number(tr.dataset.row), d = decisions[row];
    tr.dataset.decision = d ? d.decision : "";
    tr.querySelector(".rv-status").textContent = shown(described(row));
  }

  function editor(tr, field, done) {
    const cell = tr.querySelector(".rv-cell");
    const old = cell.querySelector(".rv-editor");
    if (old) old.remove();
    const box = el("div", "rv-editor");
    const ok = button("ok", "save (Enter)", () => { if (done(field) !== false) finish(); });
    const cancel = button("cancel", "Escape", () => finish());
    function finish() { box.remove(); tr.focus(); }
    box.addEventListener("click", (event) => event.stopPropagation());
    box.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Enter") { event.preventDefault(); ok.click(); }
      if (event.key === "Escape") { event.preventDefault(); finish(); }
    });
    box.append(field, ok, cancel);
    cell.appendChild(box);
    field.focus();
    return box;
  }
  function editLabel(tr, row) {
    if (review.typed) return typeLabel(tr, row);
    const item = flagged.get(row);
    const picker = el("select", "rv-picker");
    review.classes.forEach((name) => {
      const option = el("option", "", name);
      option.value = "=" + name;
      if (name === text(item.suggested)) option.selected = true;
      picker.appendChild(option);
    });
    const fresh = el("option", "", "a new label\u2026");
    fresh.value = "+";
    picker.appendChild(fresh);
    const typed = el("input", "rv-new");
    typed.placeholder = "the new label";
    typed.hidden = true;
    picker.addEventListener("change", () => { typed.hidden = picker.value !== "+"; if (!typed.hidden) typed.focus(); });
    const box = editor(tr, picker, () => {
      if (picker.value !== "+") return decide(row, "edited", picker.value.slice(1), false);
      if (!typed.value.trim()) { typed.focus(); return false; }
      decide(row, "edited", typed.value.trim(), !review.classes.includes(typed.value.trim()));
    });
    box.insertBefore(typed, picker.nextSibling);
  }
  // A numeric target's value, or a row's tags joined by the column's separator, typed in full
  // (databugs fix writes either as the column writes its values).
  function typeLabel(tr, row) {
    const item = flagged.get(row), joiner = review.typed.joined_by;
    const field = el("input", "rv-new");
    field.value = text(item.suggested === null ? item.given : item.suggested);
    field.placeholder = joiner ? "tags joined by " + joiner : "a number";
    const box = editor(tr, field, () => {
      const value = field.value.trim();
      if (!joiner) {
        if (!value || !NUMBER.test(value)) { say("type a number"); field.focus(); return false; }
        return decide(row, "edited", value, false);
      }
      const tags = value.split(joiner).map((tag) => tag.trim());
      if (tags.includes("")) { say("an empty tag: tags are joined by " + joiner); field.focus(); return false; }
      decide(row, "edited", tags.join(joiner), tags.some((tag) => !review.classes.includes(tag)));
    });
    if (joiner) box.appendChild(el("div", "rv-hint", "tags, joined by " + joiner + ": " + review.classes.join(", ")));
  }
  function editComment(tr, row) {
    const field = el("input", "rv-comment");
    field.placeholder = "comment";
    field.value = decisions[row] ? decisions[row].comment : "";
    editor(tr, field, () => comment(row, field.value));
  }

  // Selection and keys
  function rows() { return [...document.querySelectorAll("#issue-table tr[data-row]")]; }
  function select(tr) {
    document.querySelectorAll("#issue-table tr[data-selected]").forEach((t) => { delete t.dataset.selected; });
    if (!tr) { selected = null; return; }
    tr.dataset.selected = "yes";
    tr.tabIndex = -1;
    selected = Number(tr.dataset.row);
    tr.scrollIntoView({ block: "nearest" });
  }
  function current() { return document.querySelector("#issue-table tr[data-selected]"); }
  function move(step) {
    const all = rows(), at = all.indexOf(current());
    const next = at === -1 ? (step > 0 ? 0 : all.length - 1) : at + step;
    if (next >= 0 && next < all.length) return select(all[next]);
    const turn = document.getElementById(step > 0 ? "next" : "prev");
    if (turn && !turn.disabled) {
      turn.click();
      const fresh = rows();
      select(step > 0 ? fresh[0] : fresh[fresh.length - 1]);
    }
  }
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target.closest && event.target.closest("input, select, textarea")) return;
    const tr = current(), row = tr ? Number(tr.dataset.row) : null;
    const keys = {
      j: () => move(1), k: () => move(-1),
      a: () => { decide(row, "accepted"); move(1); },
      r: () => { decide(row, "rejected"); move(1); },
      e: () => editLabel(tr, row), c: () => editComment(tr, row), u: () => clear(row),
    };
    const action = keys[event.key];
    if (!action || (event.key !== "j" && event.key !== "k" && tr === null)) return;
    event.preventDefault();
    action();
  });

  // Clusters: decide the undecided rows of one at once
  document.querySelectorAll("[data-cluster]").forEach((node) => {
    if (node.closest("#issue-table")) return;
    const id = node.dataset.cluster;
    const members = [...flagged.values()].filter((item) => item.cluster === id).map((item) => item.row);
    const box = el(node.tagName === "TR" ? "td" : "div", "rv-cluster");
    const status = el("div", "rv-status");
    const bulk = (decision) => () => {
      members.filter((row) => !decisions[row]).forEach((row) => decide(row, decision));
    };
    box.append(status,
      button("accept the undecided", "take the suggestion for every undecided row", bulk("accepted")),
      button("reject the undecided", "keep the label of every undecided row", bulk("rejected")));
    node.appendChild(box);
    node.rvRefresh = () => {
      const done = members.filter((row) => decisions[row]).length;
      status.textContent = done + " of " + members.length + " decided";
    };
  });
  const clusterHead = document.querySelector("#clusters thead tr");
  if (clusterHead && document.querySelector("#clusters tr[data-cluster]")) clusterHead.appendChild(el("th", "", "your decision"));

  // The panel: progress, reviewer, download
  const bar = el("div", "rv-bar");
  bar.id = "review-bar";
  const progress = el("span", "rv-progress");
  progress.id = "review-progress";
  const who = el("span", "rv-who");
  const message = el("span", "rv-message");
  const keysHelp = el("span", "rv-keys", "j / k move \u00b7 a accept \u00b7 r reject \u00b7 e other label \u00b7 c comment \u00b7 u undo");
  const download = button("Download decisions", "decisions-<your name>.csv, for databugs fix --decisions", () => downloadDecisions());
  download.id = "download-decisions";
  bar.append(progress, download, who, button("change name", "who the file names as reviewer", () => askName(true)), keysHelp, message);
  document.body.appendChild(bar);
  document.body.classList.add("rv-page");
  function say(words) { message.textContent = words; }

  function refresh() {
    const done = [...flagged.keys()].filter((row) => decisions[row]).length;
    progress.textContent = done + " of " + flagged.size + " decided";
    who.textContent = localStorage.getItem(WHO) ? "reviewer: " + localStorage.getItem(WHO) : "";
    rows().forEach(paint);
    document.querySelectorAll("[data-cluster]").forEach((node) => { if (node.rvRefresh) node.rvRefresh(); });
  }

  function askName(again) {
    let name = localStorage.getItem(WHO) || "";
    if (!name || again) {
      name = (window.prompt("Your name, as the decisions file will record it:", name) || "").trim();
      if (name) localStorage.setItem(WHO, name);
    }
    refresh();
    return name || localStorage.getItem(WHO) || "";
  }

  // The same defusing as the CSV files databugs writes: a ' before formula-like text (and
  // before text that starts with '); real numbers such as -1 stay as they are.
  const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
  function defused(value) {
    const cell = text(value);
    const formula = /^[=+\-@\t\r]/.test(cell) && !NUMBER.test(cell);
    return cell.startsWith("'") || formula ? "'" + cell : cell;
  }
  function csvCell(value) {
    const cell = defused(value);
    return /[",\r\n]/.test(cell) ? '"' + cell.replace(/"/g, '""') + '"' : cell;
  }
  function decisionsCsv(reviewer) {
    const lines = [COLUMNS.join(",")];
    [...flagged.keys()].filter((row) => decisions[row]).sort((a, b) => a - b).forEach((row) => {
      const item = flagged.get(row), d = decisions[row];
      lines.push([d.time, item.file, d.decision, item.fileRow, item.id, item.given, d.label,
        d.comment, reviewer, review.data_sha256, d.isNew ? "yes" : ""].map(csvCell).join(","));
    });
    return lines.join("\n") + "\n";
  }
  function downloadDecisions() {
    const reviewer = askName(false);
    if (!reviewer) return say("give your name to download the decisions");
    const link = el("a");
    link.href = URL.createObjectURL(new Blob([decisionsCsv(reviewer)], { type: "text/csv" }));
    link.download = "decisions-" + reviewer.replace(/[^\w.-]+/g, "_") + ".csv";
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
    say("downloaded " + link.download + ": apply it with databugs fix --decisions " + link.download);
  }

  page.review = { decisions: () => decisions, csv: decisionsCsv };
  page.redraw();
  refresh();
})();
