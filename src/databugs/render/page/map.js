"use strict";
// The map: every row a dot in its given label's colour, flagged rows ringed in the suggested
// label's colour. Hover names a row (text only); a click or a lasso filters the issue table.
(function () {
  const page = window.databugsPage;
  const map = page && page.data.map;
  const section = document.getElementById("map-section");
  if (!map || !map.rows.length) { if (section) section.hidden = true; return; }
  // Okabe-Ito, then Paul Tol's "muted": colour-blind-safe; beyond 17 classes colours repeat.
  const PALETTE = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7", "#000000",
    "#CC6677", "#332288", "#DDCC77", "#117733", "#88CCEE", "#882255", "#44AA99", "#999933", "#AA4499"];
  const NONE = "#b0b0b0", PAD = 14, DOT = 3, RING = 5, HIT = 7, CELL = 16;
  const colour = (c) => (c < 0 ? NONE : PALETTE[c % PALETTE.length]);
  const n = map.rows.length;
  const base = document.getElementById("map-canvas"), over = document.getElementById("map-overlay");
  const tip = document.getElementById("map-tip"), status = document.getElementById("map-status");
  const px = new Float32Array(n), py = new Float32Array(n);
  const flagged = [], byColour = new Map(), ringsByColour = new Map();
  let width = 0, height = 0, grid = new Map(), chosen = null;
  const api = { points: n, flagged: 0, rings: 0, drawMs: 0, draws: 0 };
  window.databugsMap = api;

  for (let i = 0; i < n; i++) {
    const c = map.given[i];
    if (!byColour.has(c)) byColour.set(c, []);
    byColour.get(c).push(i);
    const s = map.suggested[i];
    if (s >= 0) {
      flagged.push(i);
      if (!ringsByColour.has(s)) ringsByColour.set(s, []);
      ringsByColour.get(s).push(i);
    }
  }
  api.flagged = flagged.length;

  function place() {
    const dpr = window.devicePixelRatio || 1;
    width = base.parentElement.clientWidth || 800;
    height = Math.round(Math.min(560, Math.max(320, width * 0.5)));
    [base, over].forEach((canvas) => {
      canvas.width = Math.round(width * dpr); canvas.height = Math.round(height * dpr);
      canvas.style.width = width + "px"; canvas.style.height = height + "px";
      canvas.getContext("2d").setTransform(dpr, 0, 0, dpr, 0, 0);
    });
    grid = new Map();
    for (let i = 0; i < n; i++) {
      px[i] = PAD + map.x[i] * (width - 2 * PAD);
      py[i] = PAD + (1 - map.y[i]) * (height - 2 * PAD);
      const key = Math.floor(px[i] / CELL) + "," + Math.floor(py[i] / CELL);
      if (!grid.has(key)) grid.set(key, []);
      grid.get(key).push(i);
    }
  }

  function draw() {
    const start = performance.now();
    const ctx = base.getContext("2d");
    ctx.clearRect(0, 0, width, height);
    byColour.forEach((members, c) => {
      ctx.fillStyle = colour(c);
      ctx.beginPath();
      members.forEach((i) => ctx.rect(px[i] - DOT / 2, py[i] - DOT / 2, DOT, DOT));
      ctx.fill();
    });
    let rings = 0;
    ringsByColour.forEach((members, c) => {
      ctx.beginPath();
      members.forEach((i) => { ctx.moveTo(px[i] + RING, py[i]); ctx.arc(px[i], py[i], RING, 0, 2 * Math.PI); });
      ctx.lineWidth = 3.5; ctx.strokeStyle = "#ffffff"; ctx.stroke();
      ctx.lineWidth = 1.6; ctx.strokeStyle = colour(c); ctx.stroke();
      rings += members.length;
    });
    api.rings = rings;
    api.drawMs = performance.now() - start;
    api.draws += 1;
    drawOverlay();
  }

  function drawOverlay(lasso) {
    const ctx = over.getContext("2d");
    ctx.clearRect(0, 0, width, height);
    if (chosen) {
      ctx.beginPath();
      chosen.forEach((i) => { ctx.moveTo(px[i] + RING + 2, py[i]); ctx.arc(px[i], py[i], RING + 2, 0, 2 * Math.PI); });
      ctx.lineWidth = 1.5; ctx.strokeStyle = "#1d1d1f"; ctx.stroke();
    }
    if (lasso && lasso.length > 1) {
      ctx.beginPath();
      ctx.moveTo(lasso[0][0], lasso[0][1]);
      lasso.forEach(([x, y]) => ctx.lineTo(x, y));
      ctx.closePath();
      ctx.fillStyle = "rgba(0, 114, 178, 0.12)"; ctx.fill();
      ctx.lineWidth = 1; ctx.strokeStyle = "#0072B2"; ctx.stroke();
    }
  }

  function nearest(x, y) {
    let best = -1, bestGap = HIT * HIT;
    const cx = Math.floor(x / CELL), cy = Math.floor(y / CELL);
    for (let gx = cx - 1; gx <= cx + 1; gx++) for (let gy = cy - 1; gy <= cy + 1; gy++) {
      (grid.get(gx + "," + gy) || []).forEach((i) => {
        const gap = (px[i] - x) ** 2 + (py[i] - y) ** 2;
        if (gap < bestGap) { bestGap = gap; best = i; }
      });
    }
    return best;
  }

  function inside(polygon, x, y) {
    let hit = false;
    for (let a = 0, b = polygon.length - 1; a < polygon.length; b = a++) {
      const [xa, ya] = polygon[a], [xb, yb] = polygon[b];
      if ((ya > y) !== (yb > y) && x < ((xb - xa) * (y - ya)) / (yb - ya) + xa) hit = !hit;
    }
    return hit;
  }

  function label(c) { return c < 0 ? "(none)" : String(map.classes[c]); }

  function showTip(i, x, y) {
    if (i < 0) { tip.hidden = true; return; }
    const head = "row " + map.rows[i] + " \u00b7 given " + label(map.given[i]) +
      (map.suggested[i] >= 0 ? " \u2192 suggested " + label(map.suggested[i]) : "");
    const first = document.createElement("div");
    first.className = "tip-head";
    first.textContent = shown(head);
    const second = document.createElement("div");
    second.textContent = shown(map.content[i] || "");
    tip.replaceChildren(first, second);
    tip.style.left = Math.min(x + 12, width - 260) + "px";
    tip.style.top = (y + 12) + "px";
    tip.hidden = false;
  }

  function choose(points) {
    chosen = points.length ? points : null;
    drawOverlay();
    if (!chosen) { page.setRowFilter(null); status.textContent = ""; return; }
    const rows = new Set(chosen.map((i) => map.rows[i]));
    page.setRowFilter(rows);
    const clear = document.createElement("button");
    clear.textContent = "show every issue";
    clear.addEventListener("click", () => choose([]));
    const issues = page.issues.filter((r) => rows.has(r[page.col.row])).length;
    status.replaceChildren(chosen.length + " point" + (chosen.length === 1 ? "" : "s") +
      " chosen on the map, " + issues + " issue" + (issues === 1 ? "" : "s") + " in the table below ", clear);
  }
  api.choose = (rows) => { const wanted = new Set(rows); choose([...Array(n).keys()].filter((i) => wanted.has(map.rows[i]))); };

  let lasso = null;
  const at = (event) => { const box = over.getBoundingClientRect(); return [event.clientX - box.left, event.clientY - box.top]; };
  over.addEventListener("pointerdown", (event) => { lasso = [at(event)]; over.setPointerCapture(event.pointerId); });
  over.addEventListener("pointermove", (event) => {
    const [x, y] = at(event);
    if (lasso) { lasso.push([x, y]); drawOverlay(lasso); tip.hidden = true; return; }
    showTip(nearest(x, y), x, y);
  });
  over.addEventListener("pointerup", (event) => {
    const path = lasso || [at(event)];
    lasso = null;
    const [x0, y0] = path[0];
    const far = path.some(([x, y]) => Math.abs(x - x0) + Math.abs(y - y0) > 6);
    if (far) {
      const points = [];
      for (let i = 0; i < n; i++) if (inside(path, px[i], py[i])) points.push(i);
      choose(points);
    } else {
      const i = nearest(x0, y0);
      choose(i < 0 ? [] : [i]);
    }
  });
  over.addEventListener("pointerleave", () => { tip.hidden = true; });

  function legend() {
    const list = document.getElementById("map-legend");
    const used = new Set(map.given.concat(map.suggested.filter((s) => s >= 0)));
    [...used].sort((a, b) => a - b).forEach((c) => {
      const item = document.createElement("li");
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.background = colour(c);
      item.append(swatch, document.createTextNode(shown(label(c))));
      list.appendChild(item);
    });
    document.getElementById("map-count").textContent = n + " rows drawn" +
      (map.total && map.total > n ? " of " + map.total + " (a sample, with every flagged row)" : "") +
      ", " + flagged.length + " flagged";
  }

  legend();
  place();
  draw();
  window.addEventListener("resize", () => { place(); draw(); });
})();
