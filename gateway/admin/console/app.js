// The rbgate console: quarantine, a file with its faults marked, officers' actions, and the
// feeds' last 24 hours. Plain JavaScript against the admin API; every value from the server
// goes into the page as text, never as markup.
"use strict";

const state = { user: null, role: null, csrf: null, file: null, from: 1, findings: [] };
const PAGE = 100;
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("data-")) node.setAttribute(k, v);
    else node[k] = v;
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

async function api(path, { method = "GET", body } = {}) {
  const headers = {};
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    if (state.csrf) headers["X-CSRF-Token"] = state.csrf;
  }
  const res = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  let data = {};
  try { data = await res.json(); } catch (e) { /* not JSON */ }
  if (res.status === 401 && path !== "/api/login") {
    showLogin();
    throw new Error(data.error || "sign in first");
  }
  if (!res.ok) throw new Error(data.error || `${res.status} ${res.statusText}`);
  return data;
}

function notice(text, isError = false) {
  const n = $("notice");
  n.textContent = text;
  n.className = isError ? "error" : "";
  n.hidden = !text;
}

const TITLES = { "login-view": "Sign in", "quarantine-view": "Quarantine", "files-view": "Files",
  "approvals-view": "Approvals", "file-view": "File", "dashboard-view": "Feeds",
  "rules-view": "Rules", "rule-view": "Rule", "returns-view": "Returns", "voa-view": "VOA" };

function show(view) {
  document.title = `${TITLES[view]} - rbgate console`;
  for (const v of Object.keys(TITLES)) {
    $(v).hidden = v !== view;
  }
  $("nav").hidden = view === "login-view";
  $("who").hidden = view === "login-view";
}

function showLogin() {
  state.user = state.csrf = null;
  show("login-view");
  $("login-user").focus();
}

const canAct = () => state.role === "officer" || state.role === "approver";

// --- signing in and out --------------------------------------------------------------------
$("login-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  $("login-error").hidden = true;
  try {
    const me = await api("/api/login", {
      method: "POST",
      body: { user: $("login-user").value, password: $("login-password").value },
    });
    $("login-password").value = "";
    signedIn(me);
    route();
  } catch (err) {
    $("login-error").textContent = err.message;
    $("login-error").hidden = false;
  }
});

$("logout").addEventListener("click", async () => {
  try { await api("/api/logout", { method: "POST" }); } catch (e) { /* already ended */ }
  notice("");
  showLogin();
});

function signedIn(me) {
  state.user = me.user;
  state.role = me.role;
  state.csrf = me.csrf;
  $("who-name").textContent = me.user;
  $("who-role").textContent = me.role;
}

// --- the quarantine --------------------------------------------------------------------------
$("filters").addEventListener("submit", (e) => { e.preventDefault(); loadQuarantine(); });

async function loadQuarantine() {
  show("quarantine-view");
  const q = new URLSearchParams();
  for (const [key, id] of [["feed", "filter-feed"], ["day", "filter-day"], ["rule", "filter-rule"]]) {
    if ($(id).value) q.set(key, $(id).value.trim());
  }
  const data = await api("/api/quarantine?" + q);
  const body = $("quarantine-table").tBodies[0];
  body.replaceChildren();
  for (const { file, rules } of data.files) {
    const chips = el("td", {}, ...rules.map((r) =>
      el("a", { class: "chip", href: ruleHref(r.rule), title: `${r.severity}, ${r.count}` }, r.rule)));
    const row = el("tr", { "data-id": file.id },
      el("td", {}, file.received_at.replace("T", " ").slice(0, 19)),
      el("td", {}, el("a", { href: `#/file/${file.id}` }, file.name)),
      el("td", {}, file.feed || "-"), el("td", {}, file.errors), el("td", {}, file.warnings),
      chips, el("td", {}, file.reason));
    row.addEventListener("click", (e) => {
      if (!e.target.closest("a")) location.hash = `#/file/${file.id}`;  // a link goes its own way
    });
    body.append(row);
  }
  $("quarantine-empty").hidden = data.files.length > 0;
}

// --- files on record -------------------------------------------------------------------------
// The search's query parameters and the fields that hold them.
const FILES_FIELDS = [["q", "files-q"], ["day", "files-day"], ["feed", "files-feed"],
  ["state", "files-state"]];
$("files-search").addEventListener("submit", (e) => {
  e.preventDefault();
  const q = new URLSearchParams();
  for (const [key, id] of FILES_FIELDS) {
    if ($(id).value.trim()) q.set(key, $(id).value.trim());
  }
  location.hash = `#/files?${q}`;  // a search is a place: back and forward return to it
});

async function loadFiles(query) {
  show("files-view");
  const q = new URLSearchParams(query);
  for (const [key, id] of FILES_FIELDS) $(id).value = q.get(key) || "";
  const data = await api("/api/files?" + q);
  const body = $("files-table").tBodies[0];
  body.replaceChildren();
  for (const f of data.files) {
    body.append(el("tr", { "data-id": f.id },
      el("td", {}, f.received_at.replace("T", " ").slice(0, 19)),
      el("td", {}, el("a", { href: `#/file/${encodeURIComponent(f.id)}` }, f.name)),
      el("td", {}, f.feed || "-"), el("td", {}, f.state),
      el("td", { class: "num" }, Number(f.size).toLocaleString("en-GB")),
      el("td", {}, el("code", { title: f.sha256 }, f.sha256.slice(0, 16)))));
  }
  $("files-more").hidden = !data.more;
  $("files-empty").hidden = data.files.length > 0;
}

// --- approvals -------------------------------------------------------------------------------
async function loadApprovals() {
  show("approvals-view");
  const data = await api("/api/approvals");
  const body = $("approvals-table").tBodies[0];
  body.replaceChildren();
  for (const { file, released_by: releasedBy } of data.files) {
    const row = el("tr", { "data-id": file.id },
      el("td", {}, file.received_at.replace("T", " ").slice(0, 19)),
      el("td", {}, el("a", { href: `#/file/${file.id}` }, file.name)),
      el("td", {}, file.route), el("td", {}, file.feed || "-"), el("td", {}, file.records),
      el("td", {}, file.dropped_by || "-"), el("td", {}, releasedBy.join(", ") || "-"));
    row.addEventListener("click", (e) => {
      if (!e.target.closest("a")) location.hash = `#/file/${file.id}`;  // a link goes its own way
    });
    body.append(row);
  }
  $("approvals-empty").hidden = data.files.length > 0;
}

// --- one file --------------------------------------------------------------------------------
async function loadFile(id) {
  show("file-view");
  const data = await api(`/api/files/${encodeURIComponent(id)}`);
  state.file = data.file;
  $("file-name").textContent = data.file.name;
  const facts = $("file-facts");
  facts.replaceChildren();
  for (const [k, v] of [["Id", data.file.id], ["State", data.file.state], ["Feed", data.file.feed],
    ["Route", data.file.route], ["Received", data.file.received_at], ["Records", data.file.records],
    ["Why", data.file.reason], ["SHA-256", data.file.sha256]]) {
    facts.append(el("dt", {}, k), el("dd", {}, v));
  }
  // Several nodes on one ledger: the one that worked on it.
  if (data.file.node) facts.append(el("dt", {}, "Node"), el("dd", {}, data.file.node));
  if (data.file.schema_sha256) {
    // The schema version that gave the verdict, so a later edit never hides what judged it.
    const version = data.file.schema_version ? ` version ${data.file.schema_version}` : "";
    facts.append(el("dt", {}, "Judged by"),
      el("dd", {}, `schema ${data.file.feed}${version} (${data.file.schema_sha256.slice(0, 12)})`));
  }
  const quarantined = data.file.state === "quarantined";
  const awaiting = data.file.state === "awaiting-approval";
  $("actions").hidden = !((quarantined || awaiting) && canAct());
  $("act-release").hidden = !quarantined;
  $("act-reprocess").hidden = !quarantined;
  $("act-approve").hidden = !(awaiting && state.role === "approver");
  $("personal-toggle").hidden = !canAct();
  showHistory(data);
  $("download-row").hidden = !canAct();
  $("download").href = `/api/files/${encodeURIComponent(id)}/original`;
  state.findings = [];
  $("balance-box").hidden = true;
  if (quarantined) {
    const report = await api(`/api/files/${encodeURIComponent(id)}/findings`);
    state.findings = report.findings;
    // A VOA schedule that did not balance: what the list had, what each heading changed.
    if (report.balance) {
      $("balance").textContent = report.balance;
      $("balance-box").hidden = false;
    }
  }
  listFindings();
  const firstLine = state.findings.find((f) => f.line > 0);
  const start = firstLine ? Math.max(1, firstLine.line - 5) : 1;
  try {
    await loadLines(start);
  } catch (err) {  // its original is no longer kept (retention), or cannot be read
    $("lines").tBodies[0].replaceChildren();
    $("lines-range").textContent = `(${err.message})`;
    $("download-row").hidden = true;
  }
}

function showHistory(data) {
  const list = $("history");
  list.replaceChildren();
  for (const t of data.transitions) list.append(el("li", {}, `${t.at}  ${t.state}  ${t.detail}`));
  for (const a of data.actions) {
    list.append(el("li", { class: "action" }, `${a.at}  ${a.action} by ${a.user}: ${a.reason}`));
  }
}

function listFindings() {
  const list = $("finding-list");
  list.replaceChildren();
  for (const f of state.findings) {
    const where = f.line > 0 ? `line ${f.line}, column ${f.column}` : "the file";
    const item = el("li", {},
      el("span", { class: `sev-${f.severity}` }, f.severity), " ",
      el("a", { class: "rule", href: ruleHref(f.rule), title: `What ${f.rule} checks and how to fix it` },
        f.rule), ` at ${where}${f.field ? ` (${f.field})` : ""}: `,
      f.message, f.hint ? el("div", { class: "muted" }, "Hint: " + f.hint) : "");
    if (f.line > 0) {
      item.append(" ", el("a", { href: "#", onclick: (e) => {
        e.preventDefault();
        loadLines(Math.max(1, f.line - 5));
      } }, "show"));
    }
    list.append(item);
  }
  if (!state.findings.length) list.append(el("li", {}, "No findings are kept for this file."));
}

async function loadLines(from) {
  const personal = $("show-personal").checked ? "&personal=1" : "";
  const id = encodeURIComponent(state.file.id);
  const data = await api(`/api/files/${id}/lines?from=${from}&count=${PAGE}${personal}`);
  state.from = data.from;
  const body = $("lines").tBodies[0];
  body.replaceChildren();
  for (const line of data.lines) {
    const here = state.findings.filter((f) => f.line === line.n);
    const text = el("td", { class: "text" });
    markFaults(text, line.text, here);
    const note = el("td", { class: "note" },
      ...here.map((f) => el("div", { class: `sev-${f.severity}` }, `${f.rule}: ${f.message}`)));
    body.append(el("tr", { class: here.length ? "has-fault" : "", "data-line": line.n },
      el("td", { class: "n" }, line.n), text, note));
  }
  const last = data.lines.length ? data.lines[data.lines.length - 1].n : from;
  $("lines-range").textContent = `(lines ${from} to ${last}${data.personal ? ", personal data shown" : ""})`;
  $("lines-prev").disabled = from <= 1;
  $("lines-next").disabled = !data.more;
}

// The line's text with each finding's bytes [column, column + width) marked.
function markFaults(cell, text, findings) {
  const spans = findings.filter((f) => f.column > 0)
    .map((f) => ({ start: f.column - 1, end: f.column - 1 + Math.max(1, f.width || 1), f }))
    .sort((a, b) => a.start - b.start);
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue;  // overlapping: the first one wins
    cell.append(text.slice(at, s.start));
    cell.append(el("mark", {
      class: `fault ${s.f.severity}`, title: `${s.f.rule}: ${s.f.message}`, "data-rule": s.f.rule,
      "data-field": s.f.field || "",
    }, text.slice(s.start, s.end)));
    at = s.end;
  }
  cell.append(text.slice(at));
}

$("lines-prev").addEventListener("click", () => loadLines(Math.max(1, state.from - PAGE)));
$("lines-go").addEventListener("submit", (e) => {
  e.preventDefault();
  const at = Number($("lines-at").value);
  if (at >= 1) loadLines(at);
});
$("lines-next").addEventListener("click", () => loadLines(state.from + PAGE));
$("show-personal").addEventListener("change", () => loadLines(state.from));

// --- actions, each with a reason ---------------------------------------------------------------
const ACTIONS = {
  release: ["Release this file", "It is archived and delivered as if it had passed its checks."],
  reject: ["Reject this file", "Final: it is never delivered (it stays in quarantine or the archive)."],
  reprocess: ["Reprocess this file", "It is checked again, with today's schemas and tables."],
  approve: ["Approve this file", "The second pair of eyes: it leaves for its destinations."],
};
let pending = null;

for (const action of Object.keys(ACTIONS)) {
  $(`act-${action}`).addEventListener("click", () => {
    pending = action;
    $("reason-title").textContent = ACTIONS[action][0];
    $("reason-help").textContent = ACTIONS[action][1];
    $("reason-text").value = "";
    $("reason-force").checked = false;
    $("force-row").hidden = action !== "release";
    $("reason-error").hidden = true;
    $("reason-dialog").showModal();
  });
}
$("reason-cancel").addEventListener("click", () => $("reason-dialog").close());
$("reason-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const reason = $("reason-text").value.trim();
  if (!reason) return;
  try {
    const body = { reason };
    if (pending === "release") body.force_duplicate = $("reason-force").checked;
    const done = await api(`/api/files/${encodeURIComponent(state.file.id)}/${pending}`,
      { method: "POST", body });
    $("reason-dialog").close();
    notice(`${state.file.name}: ${pending} recorded; it is now ${done.file.state}.`);
    await loadFile(state.file.id);
  } catch (err) {
    $("reason-error").textContent = err.message;
    $("reason-error").hidden = false;
  }
});

// --- the feeds' dashboard ----------------------------------------------------------------------
async function loadDashboard() {
  show("dashboard-view");
  const data = await api("/api/dashboard");
  const expected = $("expected");
  expected.replaceChildren();
  for (const e of data.expected) {
    const when = e.last_arrival ? new Date(e.last_arrival * 1000).toLocaleString("en-GB") : "never";
    expected.append(el("li", { class: e.late ? "late" : "on-time", "data-route": e.route },
      e.late ? `LATE: route ${e.route} expected a file by ${e.expected_by} (${e.on}); last file ${when}`
        : `route ${e.route}: on time (due by ${e.expected_by}, ${e.on}; last file ${when})`));
  }
  const body = $("dashboard-table").tBodies[0];
  body.replaceChildren();
  for (const feed of data.feeds) {
    const files = feed.hours.reduce((n, h) => n + h.files, 0);
    const bad = feed.hours.reduce((n, h) => n + h.quarantined, 0);
    const peak = Math.max(1, ...feed.hours.map((h) => h.files));
    const bars = el("div", { class: "bars" });
    for (const h of feed.hours) {
      const bar = el("div", { class: h.quarantined ? "bar bad" : "bar",
        title: `${h.hour}:00  ${h.files} files, ${h.quarantined} quarantined` });
      bar.style.height = `${Math.round((100 * h.files) / peak)}%`;
      bars.append(bar);
    }
    body.append(el("tr", {}, el("td", {}, feed.feed), el("td", {}, files), el("td", {}, bad),
      el("td", {}, files ? `${((100 * bad) / files).toFixed(1)}%` : "-"), el("td", {}, bars)));
  }
  $("dashboard-empty").hidden = data.feeds.length > 0;
}

// --- returns reconciled (rbgate reconcile) ------------------------------------------------------------
const pounds = (pence) => `£${(pence / 100).toLocaleString("en-GB", { minimumFractionDigits: 2 })}`;
const today = () => new Date().toISOString().slice(0, 10);

function returnsQuery() {
  const q = new URLSearchParams();
  for (const [key, id] of [["from", "returns-from"], ["to", "returns-to"], ["sun", "returns-sun"],
    ["reason", "returns-reason"], ["status", "returns-status"]]) {
    if ($(id).value.trim()) q.set(key, $(id).value.trim());
  }
  if ($("returns-personal").checked) q.set("personal", "1");
  return q;
}

async function loadReturns(first) {
  show("returns-view");
  if (first && !$("returns-from").value && !$("returns-to").value) {
    $("returns-from").value = $("returns-to").value = today();  // the day's returns
  }
  $("returns-personal-toggle").hidden = !canAct();
  const q = returnsQuery();
  const data = await api("/api/reports/reconcile?" + q);
  const s = data.summary;
  $("returns-summary").textContent = `${s.unmatched} unmatched (${pounds(s.unmatched_pence)}), ` +
    `${s.returned_twice} returned twice (${pounds(s.returned_twice_pence)}), ` +
    `${s.matched} matched (${pounds(s.matched_pence)})`;
  q.set("format", "csv");
  $("returns-csv").href = "/api/reports/reconcile?" + q;
  const body = $("returns-table").tBodies[0];
  body.replaceChildren();
  for (const i of data.items) {
    const fileLink = (id, name, line) => el("a", { href: `#/file/${encodeURIComponent(id)}` },
      `${name} line ${line}`);
    body.append(el("tr", { class: `return-${i.status}`, "data-status": i.status },
      el("td", {}, el("span", { class: i.status === "matched" ? "" : "sev-error" }, i.status)),
      el("td", {}, i.feed, " ", fileLink(i.report_id, i.report_file, i.line), el("br"),
        el("span", { class: "muted" }, `${i.report_day}${i.sun ? `, SUN ${i.sun}` : ""}`)),
      el("td", {}, i.reference), el("td", { class: "num" }, pounds(i.amount_pence)),
      el("td", {}, i.original_day), el("td", {}, `${i.return_code} ${i.return_reason}`),
      el("td", {}, i.sent_id ? fileLink(i.sent_id, i.sent_file, i.sent_line) : "-"),
      el("td", {}, i.note || (i.first_returned_by ? `first returned by ${i.first_returned_by}` : ""))));
  }
  $("returns-empty").hidden = data.items.length > 0;
}
$("returns-filters").addEventListener("submit", (e) => { e.preventDefault(); loadReturns(false); });
$("returns-personal").addEventListener("change", () => loadReturns(false));

// --- the VOA's lists (rbgate voa lists) -----------------------------------------------------------
async function loadVoa() {
  show("voa-view");
  const [data, ndr, ct] = await Promise.all([api("/api/reports/voa-lists"),
    api("/api/quarantine?feed=ndr-schedule"), api("/api/quarantine?feed=ct-schedule")]);
  const body = $("voa-table").tBodies[0];
  body.replaceChildren();
  const count = (n) => Number(n).toLocaleString("en-GB");
  for (const l of data.lists) {
    const figures = l.tax === "ndr" ? `RV £${count(l.rateable_value)}`
      : l.bands.map((n, b) => `${String.fromCharCode(65 + b)} ${count(n)}`).join(", ");
    const after = l.from === "list" ? el("span", {}, "the list file ",
      el("a", { href: `#/file/${encodeURIComponent(l.file)}` }, l.file))
      : el("span", {}, `schedule ${l.schedule} of ${l.schedule_date} `,
        el("a", { href: `#/file/${encodeURIComponent(l.file)}` }, l.file));
    body.append(el("tr", { "data-ba": l.billing_authority, "data-tax": l.tax },
      el("td", {}, l.tax === "ndr" ? "business rates" : "council tax"),
      el("td", {}, l.billing_authority), el("td", { class: "num" }, count(l.entries)),
      el("td", {}, figures), el("td", {}, after),
      el("td", {}, l.recorded_at.replace("T", " ").slice(0, 19))));
  }
  $("voa-empty").hidden = data.lists.length > 0;
  const waiting = $("voa-waiting");
  waiting.replaceChildren();
  for (const { file, rules } of [...ndr.files, ...ct.files]) {
    waiting.append(el("li", {}, el("a", { href: `#/file/${file.id}` }, file.name), ` (${file.feed}): `,
      ...rules.map((r) => el("a", { class: "chip", href: ruleHref(r.rule) }, r.rule))));
  }
  if (!waiting.children.length) waiting.append(el("li", {}, "None."));
}

// --- the rules' pages (rbgate explain) --------------------------------------------------------------
const ruleHref = (rule) => `#/rules/${encodeURIComponent(rule)}`;
let allRules = null;

async function loadRules() {
  show("rules-view");
  if (!allRules) allRules = (await api("/api/rules")).rules;
  listRules();
}

function listRules() {
  const find = $("rules-find").value.trim().toLowerCase();
  const body = $("rules-table").tBodies[0];
  body.replaceChildren();
  for (const r of allRules) {
    if (find && !`${r.rule} ${r.summary}`.toLowerCase().includes(find)) continue;
    body.append(el("tr", {}, el("td", {}, el("a", { href: ruleHref(r.rule) }, r.rule)),
      el("td", {}, el("span", { class: `sev-${r.severity}` }, r.severity)), el("td", {}, r.summary)));
  }
}
$("rules-filter").addEventListener("submit", (e) => e.preventDefault());
$("rules-find").addEventListener("input", listRules);

// A page's text: paragraphs split by line breaks, `code` in backquotes.
function paragraphs(text) {
  return text.split("\n").map((para) => el("p", {},
    ...para.split("`").map((part, i) => (i % 2 ? el("code", {}, part) : part))));
}

async function loadRule(id) {
  show("rule-view");
  const page = await api(`/api/rules/${encodeURIComponent(id)}`);
  $("rule-id").textContent = page.rule;
  $("rule-severity").className = `sev-${page.severity}`;
  $("rule-severity").textContent = page.severity;
  $("rule-summary").textContent = page.summary;
  const names = { Checks: "What it checks", Matters: "Why it matters", Example: "Example",
    Fix: "How to fix the file", From: "Where it comes from" };
  const sections = $("rule-sections");
  sections.replaceChildren();
  for (const s of page.sections) {
    sections.append(el("h3", {}, names[s.name] || s.name), ...paragraphs(s.text));
  }
  document.title = `${page.rule} - rbgate console`;
}
$("rule-back").addEventListener("click", (e) => {
  if (history.length > 1) { e.preventDefault(); history.back(); }
});

// --- routing -----------------------------------------------------------------------------------
async function route() {
  const hash = location.hash || "#/quarantine";
  try {
    if (hash.startsWith("#/file/")) await loadFile(decodeURIComponent(hash.slice(7)));
    else if (hash === "#/dashboard") await loadDashboard();
    else if (hash === "#/approvals") await loadApprovals();
    else if (hash === "#/files" || hash.startsWith("#/files?")) await loadFiles(hash.slice(8));
    else if (hash === "#/returns") await loadReturns(true);
    else if (hash === "#/voa") await loadVoa();
    else if (hash.startsWith("#/rules/")) await loadRule(decodeURIComponent(hash.slice(8)));
    else if (hash === "#/rules") await loadRules();
    else await loadQuarantine();
  } catch (err) {
    if (state.user) notice(err.message, true);
  }
}
window.addEventListener("hashchange", () => { notice(""); route(); });

(async () => {
  try {
    signedIn(await api("/api/me"));
    route();
  } catch (e) { /* showLogin already ran */ }
})();
