// The CrossMargin dashboard: reads the node's API and follows /api/events. No framework, no build step, no CDN.
"use strict";

const state = { accounts: [], sortKey: "marginRatio", sortDescending: true, prices: null, fund: [], selected: null, shardCount: 0 };
const STALE_AFTER_MS = 10000;
const RATIO_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];

const $ = (selector) => document.querySelector(selector);
const money = (x) => x == null ? "–" : Number(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = (x) => x == null ? "–" : (Number(x) * 100).toFixed(2) + " %";

function element(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (key === "class") node.className = value; else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  return node;
}

async function getJson(path) {
  const response = await fetch(path, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(path + ": HTTP " + response.status);
  return response.json();
}

// Polls must not stack up or throw into the console: a failed poll just waits for the next one.
function every(ms, task) {
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try { await task(); } catch (e) { setState(false, "error: " + e.message); } finally { running = false; }
  };
  run();
  return setInterval(run, ms);
}

function setState(on, text) {
  const badge = $("#stream-state");
  badge.className = "state " + (on ? "on" : "off");
  badge.textContent = text;
}

// ---- prices ----
function renderPrices() {
  const board = state.prices;
  if (!board) return;
  const tiles = $("#price-tiles");
  for (const tile of board.tiles) {
    let node = document.getElementById("price-" + tile.name);
    if (!node) {
      node = element("div", { class: "tile", id: "price-" + tile.name, "data-name": tile.name },
        element("div", { class: "name" }, tile.name), element("div", { class: "index" }, ""), element("div", { class: "marks" }, ""),
        element("div", { class: "age" }, ""));
      tiles.append(node);
    }
    node.querySelector(".index").textContent = Number(tile.index).toLocaleString("en-US", { maximumFractionDigits: 4 });
    node.querySelector(".marks").textContent = Object.entries(tile.marks || {}).map(([s, p]) => s + " " + Number(p).toLocaleString("en-US")).join("  ");
    node.dataset.updatedAt = tile.updatedAt;
  }
  ageTiles();
}

function ageTiles() {
  for (const node of document.querySelectorAll(".tile")) {
    const age = Date.now() - Date.parse(node.dataset.updatedAt);
    node.querySelector(".age").textContent = isFinite(age) ? "updated " + Math.max(0, Math.round(age / 1000)) + " s ago" : "";
    // Stablecoins and the unit of account sit still by design; staleness matters where instruments are marked.
    node.classList.toggle("stale", age > STALE_AFTER_MS && node.querySelector(".marks").textContent !== "");
  }
}

// ---- accounts ----
function renderAccounts() {
  const accounts = state.accounts;
  $("#account-count").textContent = accounts.length;
  const counts = new Array(RATIO_BUCKETS.length + 1).fill(0);
  for (const a of accounts) {
    const ratio = a.marginRatio == null ? (a.status === "bankrupt" ? Infinity : 0) : Number(a.marginRatio);
    let i = RATIO_BUCKETS.findIndex((b) => ratio < b);
    if (i < 0) i = RATIO_BUCKETS.length;
    counts[i]++;
  }
  const max = Math.max(1, ...counts);
  const histogram = $("#histogram");
  histogram.replaceChildren(...counts.map((count, i) => {
    const label = i < RATIO_BUCKETS.length ? "<" + Math.round(RATIO_BUCKETS[i] * 100) + "%" : "≥100%";
    const bar = element("div", { class: "bar" + (i >= 8 ? " hot" : ""), "data-bucket": label },
      element("span", { class: "count" }, count), element("div", { class: "fill" }), element("span", { class: "label" }, label));
    bar.querySelector(".fill").style.height = (count / max * 100) + "%";
    return bar;
  }));

  const atRisk = accounts.filter((a) => a.status !== "healthy" || (a.marginRatio != null && Number(a.marginRatio) >= 0.5));
  const rows = (atRisk.length ? atRisk : [...accounts]).slice();
  const key = state.sortKey;
  rows.sort((x, y) => {
    const a = x[key], b = y[key];
    const order = typeof a === "string" ? String(a).localeCompare(String(b)) : (Number(a ?? Infinity) - Number(b ?? Infinity));
    return state.sortDescending ? -order : order;
  });
  $("#at-risk tbody").replaceChildren(...rows.slice(0, 50).map((a) => element("tr", { "data-account": a.accountId },
    element("td", {}, a.accountId), element("td", { class: "status-" + a.status }, a.status), element("td", { class: "num" }, percent(a.marginRatio)),
    element("td", { class: "num" }, money(a.equityUsd)), element("td", { class: "num" }, money(a.maintenanceMarginUsd)),
    element("td", { class: "num" }, money(a.initialMarginUsd)))));
  for (const th of document.querySelectorAll("#at-risk th")) th.classList.toggle("sorted", th.dataset.key === key);
}

for (const th of document.querySelectorAll("#at-risk th[data-key]")) {
  th.addEventListener("click", () => {
    state.sortDescending = state.sortKey === th.dataset.key ? !state.sortDescending : true;
    state.sortKey = th.dataset.key;
    renderAccounts();
  });
}

// ---- liquidations ----
function renderLiquidations(list) {
  const rows = list.liquidations.slice().sort((a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt));
  $("#liquidations tbody").replaceChildren(...rows.map((l) => {
    const row = element("tr", { class: "clickable", "data-liquidation": l.liquidationId },
      element("td", {}, l.liquidationId), element("td", {}, l.accountId), element("td", { class: "status-" + l.status }, l.status),
      element("td", {}, new Date(l.startedAt).toLocaleTimeString()), element("td", { class: "num" }, l.steps),
      element("td", {}, l.lastStep ? l.lastStep.kind : ""));
    row.addEventListener("click", () => { state.selected = l.liquidationId; showSteps(); });
    return row;
  }));
}

async function showSteps() {
  if (!state.selected) return;
  const detail = await getJson("/api/v1/liquidations/" + encodeURIComponent(state.selected));
  $("#liquidation-steps").textContent = detail.liquidationId + " (" + detail.accountId + ", " + detail.status + ")\n" +
    detail.steps.map((s, i) => (i + 1) + ". " + s.kind + " " + JSON.stringify(s.step)).join("\n");
}

function feed(text) {
  const list = $("#feed");
  list.prepend(element("li", {}, new Date().toLocaleTimeString() + " " + text));
  while (list.children.length > 100) list.lastChild.remove();
}

// ---- insurance fund ----
function renderFund(view) {
  $("#fund-value").textContent = money(view.valueUsd);
  state.fund.push({ t: Date.now(), v: Number(view.valueUsd) });
  if (state.fund.length > 300) state.fund.shift();
  const points = state.fund;
  const min = Math.min(...points.map((p) => p.v)), max = Math.max(...points.map((p) => p.v));
  const t0 = points[0].t, t1 = Math.max(points[points.length - 1].t, t0 + 1);
  $("#fund-line").setAttribute("points", points.map((p) =>
    ((p.t - t0) / (t1 - t0) * 300).toFixed(1) + "," + (max === min ? 40 : 75 - (p.v - min) / (max - min) * 70).toFixed(1)).join(" "));
}

// ---- cluster ----
function renderCluster(view) {
  $("#node-name").textContent = view.self + " (" + view.mode + ")";
  state.shardCount = view.shardCount;
  $("#cluster-members").replaceChildren(...view.members.map((m) => element("div", { class: "member", "data-member": m.name },
    m.name + " · " + m.status + " · " + m.roles.join(", ") + " · " + m.shards.length + " shards · v" + m.version)));
}

function renderShards(region) {
  const max = Math.max(1, ...region.shards.map((s) => s.entities));
  $("#shard-grid").replaceChildren(...region.shards.map((s) => {
    const cell = element("div", { class: "shard", title: "shard " + s.shardId + ": " + s.entities + " accounts on " + s.owner + " (epoch " + s.epoch + ")" });
    if (s.entities > 0) cell.style.background = "rgba(88,166,255," + (0.25 + 0.75 * s.entities / max).toFixed(2) + ")";
    return cell;
  }));
}

// ---- live stream ----
function connect() {
  const source = new EventSource("/api/events");
  source.onopen = () => setState(true, "live");
  source.onerror = () => setState(false, "reconnecting");
  source.addEventListener("prices", (e) => { state.prices = JSON.parse(e.data).data; renderPrices(); });
  source.addEventListener("member", (e) => renderCluster(JSON.parse(e.data).data));
  source.addEventListener("account", (e) => {
    const a = JSON.parse(e.data).data;
    feed("account " + a.accountId + ": " + a.from + " → " + a.to);
    refreshAccounts();
  });
  source.addEventListener("liquidation", (e) => {
    const l = JSON.parse(e.data).data;
    feed("liquidation " + l.liquidationId + " " + l.kind + ": " + l.accountId + " " + l.side + " " + l.quantity + " " + l.symbol);
    refreshLiquidations();
  });
}

async function refreshAccounts() { state.accounts = (await getJson("/api/v1/accounts")).accounts; renderAccounts(); }
async function refreshLiquidations() { renderLiquidations(await getJson("/api/v1/liquidations")); if (state.selected) await showSteps(); }

connect();
every(2000, refreshAccounts);
every(2000, refreshLiquidations);
every(3000, async () => renderFund(await getJson("/api/v1/insurance-fund")));
every(5000, async () => renderShards(await getJson("/api/v1/sharding/regions/account")));
every(10000, async () => renderCluster(await getJson("/api/v1/cluster")));
setInterval(ageTiles, 1000);
