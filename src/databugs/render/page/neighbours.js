"use strict";
// The rows most like a flagged row, opened under it in the issue table: a sentence, then a
// small table of their rows, labels and content (text only).
(function () {
  const page = window.databugsPage;
  const near = (page && page.data.neighbours) || {};
  if (!page) return;

  function table(entry) {
    const grid = document.createElement("table");
    grid.className = "neighbours";
    const head = document.createElement("tr");
    ["row", "label", "content"].forEach((name) => {
      const th = document.createElement("th");
      th.textContent = name;
      head.appendChild(th);
    });
    grid.appendChild(head);
    entry.rows.forEach((row, i) => {
      const tr = document.createElement("tr");
      [row, entry.labels[i], entry.content[i]].forEach((value) => {
        const td = document.createElement("td");
        td.textContent = value === null || value === undefined ? "" : shown(value);
        tr.appendChild(td);
      });
      grid.appendChild(tr);
    });
    return grid;
  }

  function toggle(tr, entry, button) {
    const next = tr.nextElementSibling;
    if (next && next.classList.contains("neighbour-row")) {
      next.remove();
      button.setAttribute("aria-expanded", "false");
      return;
    }
    const row = document.createElement("tr");
    row.className = "neighbour-row";
    const td = document.createElement("td");
    td.colSpan = tr.children.length;
    const sentence = document.createElement("p");
    sentence.className = "neighbour-sentence";
    sentence.textContent = shown(entry.sentence);
    td.append(sentence, table(entry));
    row.appendChild(td);
    tr.after(row);
    button.setAttribute("aria-expanded", "true");
  }

  page.rowHooks.push((tr, r) => {
    const entry = near[r[page.col.row]];
    if (!entry || r[page.col.suggested_label] === null) return;
    const button = document.createElement("button");
    button.className = "neighbours-button";
    button.textContent = entry.rows.length + " most similar rows";
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", () => toggle(tr, entry, button));
    tr.lastElementChild.appendChild(button);
  });
  page.redraw();
})();
