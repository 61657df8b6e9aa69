// The telephonist panel. Every piece of caller data goes into the page as text (textContent),
// never as HTML. No libraries, no CDN.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { token: "", me: "", settings: null, call: null, timer: null };

function el(tag, text, cls) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = String(text);
  if (cls) node.className = cls;
  return node;
}

function say(text, isError) {
  $("status").textContent = text;
  $("status").className = isError ? "error" : "";
}

async function api(method, path, body) {
  const init = { method, headers: { Authorization: "Bearer " + state.token } };
  if (method !== "GET") {
    // the server takes writes only as JSON: a cross-site form or no-cors fetch cannot send that
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body === undefined ? {} : body);
  }
  const response = await fetch(path, init);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (data && (data.error && (data.error.message || data.error))) || response.statusText;
    throw new Error(response.status + ": " + message);
  }
  return data;
}

async function act(what, fn) {
  try {
    await fn();
    say(what);
    await refresh();
  } catch (error) {
    say(error.message, true);
  }
}

function local(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return d.toLocaleString([], { weekday: "short", hour: "2-digit", minute: "2-digit" });
}

// --- presence and the current call ----------------------------------------------------------

function renderMe(me) {
  const badge = $("presence");
  badge.textContent = me.presence.replace("_", " ");
  badge.className = "badge " + me.presence;
  const ringing = me.ringing;
  $("ringing").textContent = ringing
    ? "Ringing: " + ringing.caller_number + " " + ringing.caller_name + " (waiting " + Math.round(ringing.waiting_seconds) + " s)"
    : "";
  state.call = me.call;
  $("no-call").hidden = Boolean(me.call);
  $("call").hidden = !me.call;
  if (!me.call) return;
  const call = me.call;
  $("call-number").textContent = call.caller_number;
  $("call-name").textContent = call.caller_name;
  $("call-waited").textContent = call.waited_seconds === null ? "?" : call.waited_seconds.toFixed(1);
  $("call-entry").textContent = call.entry;
  $("call-dialled").textContent = call.dialled;
  $("call-state").textContent = call.in_progress ? "in progress" : (call.ended_at ? "ended " + local(call.ended_at) : "");
  const coded = new Set(call.reasons.map((r) => r.code));
  const codes = $("codes");
  codes.replaceChildren();
  for (const option of state.settings.reason_codes) {
    const button = el("button", option.label, coded.has(option.code) ? "on" : "");
    button.dataset.code = option.code;
    button.addEventListener("click", () => toggleCode(call.call_id, option.code, coded.has(option.code)));
    codes.append(button);
  }
  if (!$("msg-number").value) {
    $("msg-number").value = call.caller_number;
    $("msg-name").value = call.caller_name;
  }
}

function toggleCode(callId, code, on) {
  const path = "/api/panel/calls/" + encodeURIComponent(callId) + "/reasons";
  if (on) return act("code removed", () => api("DELETE", path + "/" + encodeURIComponent(code)));
  return act("call coded: " + code, () => api("POST", path, { code }));
}

function presence(action) {
  const body = { action };
  if (action === "pause") body.reason = $("pause-reason").value;
  return act(action.replace("_", " "), () =>
    api("POST", "/api/panel/telephonists/" + encodeURIComponent(state.me) + "/presence", body));
}

// --- messages and the worklist --------------------------------------------------------------

function saveMessage(event) {
  event.preventDefault();
  const minutes = $("msg-due").value;
  const body = {
    caller_number: $("msg-number").value,
    caller_name: $("msg-name").value,
    note: $("msg-note").value,
    telephonist: state.me,
  };
  if (state.call && state.call.caller_number === body.caller_number) body.call_id = state.call.call_id;
  if (minutes) body.callback_due = new Date(Date.now() + Number(minutes) * 60000).toISOString();
  return act(minutes ? "callback promised" : "message saved", async () => {
    await api("POST", "/api/panel/messages", body);
    $("message-form").reset();
  });
}

function renderMessages(data) {
  const body = $("messages");
  body.replaceChildren();
  for (const m of data.messages) {
    const caller = el("td", m.caller_number);
    if (m.caller_name) caller.append(el("div", m.caller_name, "muted"));
    const note = el("td", m.note);
    if (m.callback_due) note.append(el("div", "call back by " + local(m.callback_due), "muted"));
    const row = el("tr");
    body.append(row);
    row.append(el("td", local(m.created_at)), caller, note, el("td", m.created_by));
  }
}

function renderCallbacks(data) {
  const body = $("callbacks");
  body.replaceChildren();
  for (const entry of data.callbacks) {
    const row = el("tr", null, entry.closed_at ? "done" : (entry.overdue ? "overdue" : ""));
    row.dataset.id = entry.id;
    const why = entry.source === "abandoned" ? "gave up ×" + entry.missed_calls : "promised";
    row.append(el("td", entry.number), el("td", entry.name), el("td", why),
      el("td", local(entry.due_at) + (entry.overdue ? " (overdue)" : ""), "due"),
      el("td", entry.claimed_by || ""));
    const actions = el("td");
    if (entry.closed_at) {
      actions.textContent = entry.result.replaceAll("_", " ");
    } else {
      if (entry.claimed_by !== state.me) {
        const claim = el("button", "Claim", "claim");
        claim.addEventListener("click", () => act("claimed", () =>
          api("POST", "/api/panel/callbacks/" + entry.id + "/claim", { telephonist: state.me })));
        actions.append(claim);
      }
      const result = el("select", null, "result");
      for (const value of state.settings.callback_results) result.append(el("option", value.replaceAll("_", " ")));
      [...result.options].forEach((o, i) => { o.value = state.settings.callback_results[i]; });
      const close = el("button", "Close", "close");
      close.addEventListener("click", () => act("callback closed", () =>
        api("POST", "/api/panel/callbacks/" + entry.id + "/close", { telephonist: state.me, result: result.value })));
      actions.append(result, close);
    }
    row.append(actions);
    body.append(row);
  }
}

// --- directory and closures -----------------------------------------------------------------

async function searchDirectory() {
  const data = await api("GET", "/api/panel/directory?q=" + encodeURIComponent($("q").value));
  const body = $("directory");
  body.replaceChildren();
  for (const d of data.departments) {
    const row = el("tr");
    row.dataset.id = d.id;
    const name = el("td", d.name);
    if (d.tasks.length) name.append(el("div", d.tasks.join(", "), "muted"));
    for (const c of d.closures) name.append(el("div", "Closed " + local(c.start) + "–" + local(c.end) + " " + c.note, "muted"));
    const now = el("td");
    now.append(el("span", d.open_now ? "open" : "closed", "badge " + (d.open_now ? "open" : "closed")));
    row.append(name, el("td", d.function_number), now, el("td", d.today_hours), el("td", local(d.next_opening)));
    body.append(row);
  }
}

function renderClosures(data) {
  const body = $("closures");
  body.replaceChildren();
  for (const c of data.closures) {
    const row = el("tr");
    const cancel = el("button", "Cancel");
    cancel.addEventListener("click", () => act("closure cancelled", () => api("DELETE", "/api/panel/closures/" + c.id)));
    const cell = el("td");
    cell.append(cancel);
    row.append(el("td", c.scope), el("td", local(c.start)), el("td", local(c.end)), el("td", c.note), cell);
    body.append(row);
  }
}

function registerClosure(event) {
  event.preventDefault();
  const body = {
    scope: $("cl-scope").value,
    start: new Date($("cl-start").value).toISOString(),
    end: new Date($("cl-end").value).toISOString(),
    note: $("cl-note").value,
  };
  return act("closure registered", () => api("POST", "/api/panel/closures", body));
}

// --- start ----------------------------------------------------------------------------------

async function refresh() {
  if (!state.settings) return;
  const [me, callbacks, closures, messages] = await Promise.all([
    api("GET", "/api/panel/telephonists/" + encodeURIComponent(state.me)),
    api("GET", "/api/panel/callbacks"),
    api("GET", "/api/panel/closures"),
    api("GET", "/api/panel/messages"),
  ]);
  renderMe(me);
  renderMessages(messages);
  renderCallbacks(callbacks);
  renderClosures(closures);
}

async function start() {
  state.token = $("token").value;
  sessionStorage.setItem("panel-token", state.token);
  try {
    state.settings = await api("GET", "/api/panel/settings");
  } catch (error) {
    say(error.message, true);
    return;
  }
  const who = $("who");
  if (!who.options.length) {
    for (const t of state.settings.telephonists) who.append(el("option", t.name + " (" + t.id + ")"));
    [...who.options].forEach((o, i) => { o.value = state.settings.telephonists[i].id; });
    who.value = sessionStorage.getItem("panel-me") || who.value;
    const scope = $("cl-scope");
    scope.append(el("option", "the switchboard"));
    scope.options[0].value = "switchboard";
    for (const d of state.settings.departments) {
      const option = el("option", d.name);
      option.value = d.id;
      scope.append(option);
    }
  }
  state.me = who.value;
  sessionStorage.setItem("panel-me", state.me);
  say("ready");
  await Promise.all([refresh(), searchDirectory()]).catch((error) => say(error.message, true));
  clearInterval(state.timer);
  state.timer = setInterval(() => refresh().catch((error) => say(error.message, true)), 2000);
}

$("use").addEventListener("click", start);
$("who").addEventListener("change", start);
for (const action of ["log_in", "log_out", "pause", "resume"]) $(action).addEventListener("click", () => presence(action));
$("message-form").addEventListener("submit", saveMessage);
$("closure-form").addEventListener("submit", registerClosure);
$("q").addEventListener("input", () => searchDirectory().catch((error) => say(error.message, true)));
$("token").value = sessionStorage.getItem("panel-token") || "";
if ($("token").value) start();
