"use strict";
// The wallboard: reads /api/wallboard/events (server-sent events) with the token typed once and
// kept in this tab's sessionStorage. Caller data is always inserted as text, never as HTML.

const $ = (id) => document.getElementById(id);
const state = { token: "", board: null, offsetMs: 0, controller: null };

function cell(row, text, cls) {
  const td = document.createElement("td");
  td.textContent = text;
  if (cls) td.className = cls;
  row.appendChild(td);
  return td;
}

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
  const mm = String(m).padStart(h ? 2 : 1, "0"), ss = String(r).padStart(2, "0");
  return h ? `${h}:${mm}:${ss}` : `${mm}:${ss}`;
}

function percent(x) { return x === null ? "–" : `${Math.round(x * 1000) / 10} %`; }

function elapsedSince(iso) {
  return (Date.now() + state.offsetMs - Date.parse(iso)) / 1000;
}

function render() {
  const b = state.board;
  if (!b) return;
  $("clock").textContent = new Date(Date.now() + state.offsetMs)
    .toLocaleTimeString("en-GB", { timeZone: b.timezone });
  const alerts = $("alerts");
  alerts.replaceChildren(...b.alerts.map((text) => {
    const li = document.createElement("li");
    li.textContent = text;
    return li;
  }));
  $("open-now").textContent = b.switchboard_open ? "open" : "closed";
  $("open-now").className = b.switchboard_open ? "green" : "red";
  $("waiting-count").textContent = String(b.waiting.length);
  const cadence = b.ring_cadence_seconds || 5;
  $("waiting").replaceChildren(...(b.waiting.length ? b.waiting.map((w) => {
    const tr = document.createElement("tr");
    tr.dataset.callId = w.call_id;
    const wait = Math.max(w.wait_seconds, elapsedSince(w.arrived_at));
    cell(tr, w.caller_number, "caller");
    cell(tr, w.caller_name, "name");
    cell(tr, duration(wait), "num wait");
    cell(tr, String(Math.max(w.rings_heard, Math.ceil(wait / cadence - 1e-9))), "num rings");
    cell(tr, w.ringing || "", "ringing");
    return tr;
  }) : [emptyRow(5, "nobody waiting")]));
  $("telephonists").replaceChildren(...b.telephonists.map((t) => {
    const tr = document.createElement("tr");
    tr.dataset.id = t.id;
    cell(tr, t.name);
    cell(tr, t.state.replace("_", " "), `state state-${t.state}`);
    cell(tr, duration(elapsedSince(t.since)), "num");
    return tr;
  }));
  $("kpis").replaceChildren(...b.kpis.map((k) => {
    const tr = document.createElement("tr");
    tr.dataset.metric = k.metric;
    tr.dataset.scope = k.scope;
    cell(tr, k.label);
    cell(tr, percent(k.figure), `num figure ${k.status}`);
    cell(tr, `${k.bound === "at_least" ? "≥" : "≤"} ${percent(k.target)}`, "num");
    return tr;
  }));
  const c = b.today;
  $("counts").textContent =
    `${c.offered} offered · ${c.answered} answered · ${c.abandoned} abandoned · ${c.overflowed} overflowed`;
  $("departments").replaceChildren(...b.departments.filter((d) => d.open).map((d) => {
    const li = document.createElement("li");
    li.textContent = d.name;
    return li;
  }));
}

function emptyRow(span, text) {
  const tr = document.createElement("tr");
  const td = cell(tr, text, "empty");
  td.colSpan = span;
  return tr;
}

function show(board) {
  state.board = board;
  state.offsetMs = Date.parse(board.now) - Date.now();
  render();
}

async function stream() {
  state.controller = new AbortController();
  const response = await fetch("/api/wallboard/events", {
    headers: { Authorization: "Bearer " + state.token, Accept: "text/event-stream" },
    signal: state.controller.signal,
  });
  if (response.status === 401 || response.status === 403) {
    const body = await response.json();
    throw Object.assign(new Error(body.error), { fatal: true });
  }
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  $("link").textContent = "live";
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const message = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const data = message.split("\n").filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6)).join("\n");
      if (data) show(JSON.parse(data));
    }
  }
}

async function run() {
  $("login").hidden = true;
  $("board").hidden = false;
  for (;;) {
    try {
      await stream();
    } catch (error) {
      if (error.fatal) {
        sessionStorage.removeItem("wallboard-token");
        $("board").hidden = true;
        $("login").hidden = false;
        $("login-error").textContent = error.message;
        return;
      }
    }
    $("link").textContent = "reconnecting…";
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

$("login").addEventListener("submit", (event) => {
  event.preventDefault();
  state.token = $("token").value;
  sessionStorage.setItem("wallboard-token", state.token);
  run();
});

setInterval(render, 1000);
async function begin() {
  state.token = sessionStorage.getItem("wallboard-token") || "";
  if (!state.token) {
    const open = await fetch("/api/whoami").then((r) => r.ok, () => false);
    if (!open) { $("login").hidden = false; return; }  // tokens are configured: ask for one
  }
  run();
}

begin();
