// The CrossMargin dashboard: reads the node's API and follows /api/events. No framework, no build step, no CDN.
"use strict";

const state = {
  accounts: [], sortKey: "marginRatio", sortDescending: true, prices: null, fund: [], selected: null, shardCount: 0, members: [],
  token: sessionStorage.getItem("cm-token") || "", authorised: false, stream: null, timers: [], unavailable: new Set(),
};
const STALE_AFTER_MS = 10000;
const RATIO_BUCKETS = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0];
const OWNER_COLOURS = ["#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#39c5cf", "#ff7b72", "#e3b341", "#8b949e"];

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

// A refusal (401/403) stops everything and asks for a token; other failures are left to the next poll.
class Refused extends Error {}

function headers(accept) {
  const h = { Accept: accept };
  if (state.token) h.Authorization = "Bearer " + state.token;
  return h;
}

async function problemOf(response) {
  try { const p = await response.json(); return p.detail || p.reason || p.title || ""; } catch { return ""; }
}

async function getJson(path) {
  const response = await fetch(path, { headers: headers("application/json") });
  if (response.status === 401 || response.status === 403) {
    const detail = await problemOf(response);
    askForToken(response.status === 401 ? "This node needs a token for reads. " + detail : "The token was refused (403). " + detail);
    throw new Refused(path + ": HTTP " + response.status);
  }
  if (!response.ok) {
    const error = new Error(path + ": HTTP " + response.status + " " + await problemOf(response));
    error.status = response.status;
    throw error;
  }
  return response.json();
}

// Polls must not stack up or throw into the console: a failed poll just waits for the next one. A 501 (a feature that
// does not run on this kind of node) marks its panel and ends that poll.
function every(ms, task, panel) {
  let running = false;
  let timer = 0;
  const run = async () => {
    if (running || !state.authorised) return;
    running = true;
    try {
      await task();
    } catch (e) {
      if (e.status === 501 && panel) {
        clearInterval(timer);
        state.unavailable.add(panel);
        $(panel).classList.add("unavailable");
        $(panel).querySelector(".unavailable-note").textContent = "Not on this node: " + e.message.replace(/^[^ ]+ HTTP 501 /, "");
      } else if (!(e instanceof Refused)) {
        setState(false, "error: " + e.message);
      }
    } finally { running = false; }
  };
  run();
  timer = setInterval(run, ms);
  state.timers.push(timer);
}

function setState(on, text) {
  const badge = $("#stream-state");
  badge.className = "state " + (on ? "on" : "off");
  badge.textContent = text;
}

// ---- access ----
function askForToken(message) {
  state.authorised = false;
  stop();
  $("#token-form").hidden = false;
  $("#auth-message").textContent = message;
  setState(false, "token needed");
  $("#token-input").focus();
}

$("#token-form").addEventListener("submit", (e) => {
  e.preventDefault();
  state.token = $("#token-input").value.trim();
  sessionStorage.setItem("cm-token", state.token);
  $("#token-input").value = "";
  start();
});

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
// Rows are kept per liquidation and their cells rewritten in place: during a crash the list re-renders many times a
// second, and a row taken out of the table between a click's press and release loses the click (it goes to the table
// body), even when it is put back. So the order is total (equal start times, common in a crash, by id) and only rows
// out of place are moved: a new row is inserted, the rows already there stay.
function renderLiquidations(list) {
  const body = $("#liquidations tbody");
  const kept = new Map([...body.children].map((tr) => [tr.dataset.liquidation, tr]));
  const byStart = (a, b) => Date.parse(b.startedAt) - Date.parse(a.startedAt) || (a.liquidationId < b.liquidationId ? -1 : a.liquidationId > b.liquidationId ? 1 : 0);
  const rows = list.liquidations.slice().sort(byStart).map((l) => {
    const row = kept.get(l.liquidationId) ?? liquidationRow(l.liquidationId);
    const [id, account, status, started, steps, last] = row.children;
    id.textContent = l.liquidationId;
    account.textContent = l.accountId;
    status.textContent = l.status;
    status.className = "status-" + l.status;
    started.textContent = new Date(l.startedAt).toLocaleTimeString();
    steps.textContent = l.steps;
    last.textContent = l.lastStep ? l.lastStep.kind : "";
    return row;
  });
  const wanted = new Set(rows);
  for (const row of [...body.children]) if (!wanted.has(row)) row.remove();
  rows.forEach((row, i) => { if (body.children[i] !== row) body.insertBefore(row, body.children[i] ?? null); });
}

function liquidationRow(liquidationId) {
  const row = element("tr", { class: "clickable", "data-liquidation": liquidationId },
    element("td", {}), element("td", {}), element("td", {}), element("td", {}), element("td", { class: "num" }), element("td", {}));
  row.addEventListener("click", () => { state.selected = liquidationId; showSteps(); });
  return row;
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
// The same view in both modes: embedded, this node alone holds every shard at epoch 0; in cluster mode every member
// from the membership rows (status up, leaving, unreachable, left, down) with the shard leases it holds and their epochs.
function ownerColour(name) {
  const i = state.members.findIndex((m) => m.name === name);
  return i < 0 ? "#263040" : OWNER_COLOURS[i % OWNER_COLOURS.length];
}

function renderCluster(view) {
  $("#node-name").textContent = view.self + " (" + view.mode + ")";
  state.shardCount = view.shardCount;
  state.members = view.members.slice().sort((a, b) => a.name.localeCompare(b.name));
  const leased = view.members.reduce((n, m) => n + m.shards.length, 0);
  $("#cluster-summary").textContent = view.mode + " · " + view.members.length + " member" + (view.members.length === 1 ? "" : "s") +
    " · " + leased + " of " + view.shardCount + " shards held";
  $("#cluster-members").replaceChildren(...state.members.map((m) => {
    const epochs = [...new Set(m.shards.map((s) => s.epoch))].sort((a, b) => a - b);
    return element("div", { class: "member status-" + m.status, "data-member": m.name, "data-status": m.status, "data-shards": m.shards.length },
      element("span", { class: "swatch" }), element("b", {}, m.name), " · ", element("span", { class: "member-status" }, m.status),
      " · " + (m.roles || []).join(", ") + " · ",
      element("span", { class: "member-shards" }, m.shards.length + " shards" + (m.shards.length ? " (" + ranges(m.shards.map((s) => s.shardId)) + ")" : "")),
      " · epoch " + (epochs.length ? epochs.join("/") : "–") + " · v" + m.version + (m.httpAddress ? " · " + m.httpAddress : ""));
  }));
  for (const node of document.querySelectorAll("#cluster-members .member")) node.querySelector(".swatch").style.background = ownerColour(node.dataset.member);
}

function ranges(ids) {
  const sorted = ids.slice().sort((a, b) => a - b);
  const out = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    out.push(i === j ? String(sorted[i]) : sorted[i] + "-" + sorted[j]);
    i = j;
  }
  return out.join(", ");
}

// Cells are coloured by owner; their text is the shard's live accounts, counted by its owner (the node asks the others).
function renderShards(region) {
  $("#shard-grid").replaceChildren(...region.shards.map((s) => {
    const cell = element("div", {
      class: "shard" + (s.owner === "unassigned" ? " unassigned" : ""), "data-shard": s.shardId, "data-owner": s.owner, "data-epoch": s.epoch,
      title: "shard " + s.shardId + ": " + s.owner + ", epoch " + s.epoch + ", " + s.entities + " live accounts" + (region.partial ? " (some owners did not answer)" : ""),
    }, s.entities > 0 ? s.entities : "");
    cell.style.background = ownerColour(s.owner);
    return cell;
  }));
}

// ---- live stream ----
// fetch, not EventSource: EventSource cannot send the bearer token a node without anonymous reads requires.
async function follow(signal) {
  while (!signal.aborted) {
    try {
      const response = await fetch("/api/events", { headers: headers("text/event-stream"), signal });
      if (response.status === 401 || response.status === 403) {
        askForToken((response.status === 401 ? "This node needs a token for reads. " : "The token was refused (403). ") + await problemOf(response));
        return;
      }
      if (!response.ok) throw new Error("HTTP " + response.status);
      setState(true, "live");
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n/g, "\n");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          dispatch(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
      }
    } catch (e) {
      if (signal.aborted) return;
    }
    setState(false, "reconnecting");
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

function dispatch(frame) {
  let type = "message";
  const data = [];
  for (const line of frame.split("\n")) {
    if (line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "event") type = value; else if (field === "data") data.push(value);
  }
  if (!data.length) return;
  const payload = JSON.parse(data.join("\n")).data;
  if (type === "prices") { state.prices = payload; renderPrices(); }
  else if (type === "member") renderCluster(payload);
  else if (type === "account") { feed("account " + payload.accountId + ": " + payload.from + " → " + payload.to); refreshAccounts().catch(() => {}); }
  else if (type === "liquidation") {
    feed("liquidation " + payload.liquidationId + " " + payload.kind + ": " + payload.accountId + " " + payload.side + " " + payload.quantity + " " + payload.symbol);
    if (!state.unavailable.has("#liquidations-section")) refreshLiquidations().catch(() => {});
  }
}

async function refreshAccounts() { state.accounts = (await getJson("/api/v1/accounts")).accounts; renderAccounts(); }
async function refreshLiquidations() { renderLiquidations(await getJson("/api/v1/liquidations")); if (state.selected) await showSteps(); }

function stop() {
  for (const timer of state.timers) clearInterval(timer);
  state.timers = [];
  if (state.stream) state.stream.abort();
  state.stream = null;
}

// Asks first whether reads need a token (and whether the stored one is good), so no call is refused for want of one.
async function start() {
  stop();
  const response = await fetch("/api/v1/access", { headers: headers("application/json") });
  if (response.status === 403) { askForToken("The token was refused (403). " + await problemOf(response)); return; }
  const access = await response.json();
  if (!access.canRead) { askForToken("This node needs a token for reads (Security:AllowAnonymousReads is off)."); return; }
  state.authorised = true;
  $("#token-form").hidden = true;
  $("#auth-message").textContent = "";
  $("#caller").textContent = access.caller === "anonymous" ? "" : "as " + access.caller;
  state.stream = new AbortController();
  follow(state.stream.signal);
  every(2000, refreshAccounts);
  every(2000, refreshLiquidations, "#liquidations-section");
  every(3000, async () => renderFund(await getJson("/api/v1/insurance-fund")), "#fund");
  every(5000, async () => renderCluster(await getJson("/api/v1/cluster")));
  every(5000, async () => renderShards(await getJson("/api/v1/sharding/regions/account")));
}

start().catch((e) => setState(false, "error: " + e.message));
setInterval(ageTiles, 1000);
