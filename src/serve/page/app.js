// The workspace page: plain JavaScript over the JSON API (no framework, no network).
"use strict";

const state = { proposal: null, previous: null, decisions: [], rules: { needs_note: ["reject", "assign", "never"] }, solving: false };
const $ = (id) => document.getElementById(id);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    // Through the CSSOM: the page's Content-Security-Policy refuses style attributes.
    else if (k === "style") node.style.cssText = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else if (v !== null && v !== undefined) node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

// Under `serve --config`, a change carries the session's CSRF token (from its cookie).
const csrf = (document.cookie.match(/(?:^|;\s*)caseload_csrf=([^;]+)/) || [])[1];

async function api(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (csrf && method !== "GET") init.headers["X-CSRF-Token"] = csrf;
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  const text = await response.text();
  const data = text ? JSON.parse(text) : null;
  if (!response.ok) {
    const error = new Error((data && data.error) || response.statusText);
    error.field = data && data.field; // the field at fault, e.g. "note"
    error.status = response.status;
    error.data = data;
    throw error;
  }
  return data;
}

function say(text, isError = false) {
  const s = $("status");
  s.textContent = text;
  s.className = isError ? "error" : "";
}

const fmt = (x) => (Math.round(x * 100) / 100).toString();

// A decision in a few words: "reject for C1", "assign W2 for C1", "leaving W1", "capacity 12 for W1".
function describe(d) {
  if (d.kind === "capacity") return `capacity ${fmt(d.capacity)} for ${d.worker_id}`;
  if (d.kind === "leaving" || d.kind === "leave") return `${d.kind === "leave" ? "on leave" : "leaving"}: ${d.worker_id}`;
  return `${d.kind}${d.worker_id ? " " + d.worker_id : ""} for ${d.case_id}`;
}

// ` — "why"` of a decision with a note.
const noted = (d) => (d.note ? ` — “${d.note}”` : "");

// A reason field for a decision, shown inline where the manager decides: the text box and,
// beside it, what is wrong (said by the page before sending, or by the server's 400).
function reasonField(label) {
  const input = el("input", { type: "text", class: "reason", maxlength: "500", "aria-label": label,
    placeholder: "why? (needed to reject, reassign, never)" });
  const error = el("span", { class: "field-error", role: "alert" });
  input.addEventListener("input", () => { error.textContent = ""; input.removeAttribute("aria-invalid"); });
  const box = el("span", { class: "reason-field" }, input, error);
  return { box, input, error };
}

const verbs = { reject: "reject", assign: "reassign", never: "rule out a worker" };

function renderSummary() {
  const s = state.proposal.summary;
  const c = s.cases;
  const o = s.objective;
  const box = $("summary");
  box.replaceChildren(
    el("h2", {}, `Proposal — run ${state.proposal.run}`),
    el("div", { class: "counts" },
      ...[["kept", c.kept], ["moved", c.moved], ["forced", c.forced], ["new", c.new], ["unallocated", c.unallocated]]
        .map(([k, n]) => el("span", {}, el("b", {}, n), ` ${k}`))),
    el("div", {}, `${c.total} children, ${s.workers} workers · status ${s.status}, gap ${(100 * s.gap).toFixed(2)}% · ` +
      `objective ${fmt(o.total)} = unallocated ${fmt(o.unallocated)} + bands ${fmt(o.bands)} + moves ${fmt(o.moves)} + preferences ${fmt(o.preferences)}`),
  );
  const d = s.decisions;
  if (d && (d.applied.length || d.not_applied.length)) {
    box.append(el("div", {}, `Decisions: ${d.applied.length} applied, ${d.not_applied.length} not applied.`));
    for (const n of d.not_applied) {
      box.append(el("div", { class: "no" }, `Decision ${n.id} (${describe(n)}${noted(n)}) not applied: ${n.why}`));
    }
  }
}

function renderLoads() {
  const loads = state.proposal.loads;
  const teams = new Map();
  for (const l of loads) {
    const t = l.team || "no team";
    if (!teams.has(t)) teams.set(t, []);
    teams.get(t).push(l);
  }
  const max = Math.max(1, ...loads.map((l) => Math.max(l.load_before, l.load_after, l.capacity)));
  const box = $("loads");
  box.replaceChildren();
  const select = $("f-team");
  const chosen = select.value;
  select.replaceChildren(el("option", { value: "" }, "all"));
  for (const [team, rows] of teams) {
    select.append(el("option", { value: team }, team));
    const section = el("div", { class: "team" }, el("h3", {}, team));
    for (const l of rows) {
      const pct = (x) => `${(100 * x) / max}%`;
      const bar = el("div", { class: "bar", role: "img",
        "aria-label": `${l.worker_id} load ${fmt(l.load_before)} to ${fmt(l.load_after)} of ${fmt(l.capacity)}` },
        el("div", { class: `after ${l.band_after}`, style: `width:${pct(l.load_after)}` }),
        el("div", { class: "before", style: `width:${pct(l.load_before)}` }),
        el("div", { class: "cap", style: `left:${pct(l.capacity)}` }));
      const who = el("div", { class: "who", title: l.name }, el("span", { class: "name" }, `${l.worker_id} ${l.name}`));
      if (!l.available) who.append(" ", el("span", { class: "tag unavailable" }, "unavailable"));
      for (const d of state.decisions.filter((x) => x.case_id === "" && x.worker_id === l.worker_id)) {
        who.append(" ", el("span", { class: "tag decided" }, `#${d.id} ${d.kind === "capacity" ? "capacity " + fmt(d.capacity) : d.kind === "leave" ? "on leave" : d.kind}`));
      }
      who.append(" ", el("button", { type: "button", class: "small", "aria-label": `change ${l.worker_id}`,
        onclick: (ev) => workerMenu(l, ev.target.closest(".worker")) }, "Change…"));
      const util = l.capacity > 0 ? `${Math.round((100 * l.load_after) / l.capacity)}%` : "—";
      section.append(el("div", { class: "worker" }, who, bar,
        el("div", { class: "num" }, `${fmt(l.load_before)} → ${fmt(l.load_after)} / ${fmt(l.capacity)} · ${util}`)));
    }
    box.append(section);
  }
  select.value = chosen;
}

// Leaving, on leave, or a new capacity: decisions on a worker, applied at the next re-solve.
function workerMenu(l, row) {
  for (const open of document.querySelectorAll(".worker-menu")) open.remove();
  const box = el("div", { class: "worker-menu" });
  row.after(box);
  const capacity = el("input", { type: "number", min: "0", step: "0.5", value: fmt(l.capacity),
    "aria-label": `capacity of ${l.worker_id}`, class: "capacity" });
  // A reason is optional on a worker's decisions; kept when given.
  const reason = reasonField(`reason for ${l.worker_id} (optional)`);
  reason.input.placeholder = "reason (optional)";
  const decideOn = (kind, extra = {}) => decide("", kind, l.worker_id, extra, reason);
  box.replaceChildren(el("span", {}, `${l.worker_id}: `), reason.box,
    el("button", { type: "button", onclick: () => decideOn("leaving") }, "Leaving"),
    el("button", { type: "button", onclick: () => decideOn("leave") }, "On leave"),
    capacity,
    el("button", { type: "button", onclick: () => decideOn("capacity", { capacity: Number(capacity.value) }) }, "Set capacity"),
    el("button", { type: "button", onclick: () => box.remove() }, "Close"));
  capacity.focus();
}

function teamOf(workerId) {
  const l = state.proposal.loads.find((x) => x.worker_id === workerId);
  return l ? l.team || "no team" : "";
}

function standingFor(caseId) {
  return state.decisions.filter((d) => d.case_id === caseId);
}

// Takes a decision; `reason` is the reason field beside where the manager clicked. A
// reject, reassign or never without a reason is not sent (the page says so beside the
// field); the server judges again, and its refusal of the note is shown there too.
async function decide(caseId, kind, workerId, extra = {}, reason = null) {
  const note = reason ? reason.input.value.trim() : "";
  const refuse = (text) => {
    if (!reason) return say(text, true);
    reason.error.textContent = text;
    reason.input.setAttribute("aria-invalid", "true");
    reason.input.focus();
  };
  if (!note && state.rules.needs_note.includes(kind)) {
    refuse(`Say why before you ${verbs[kind] || kind}: a reason is required.`);
    return;
  }
  try {
    // The run the manager is looking at: a decision on a replaced proposal is refused.
    const body = { case_id: caseId, kind, run: state.proposal.run, ...extra };
    if (workerId) body.worker_id = workerId;
    if (note) body.note = note;
    const r = await api("POST", "/api/decisions", body);
    const what = describe({ ...body, worker_id: workerId });
    if (r.applies) say(`Decision ${r.id} recorded: ${what}. It will apply: re-solve to see its effect.`);
    else say(`Decision ${r.id} recorded: ${what}. It will not apply: ${r.why}.`, true);
    await loadDecisions();
    renderLoads();
    renderChanges();
  } catch (e) {
    if (e.field === "note") refuse(e.message.replace(/^note: /, ""));
    else if (e.status === 409 && e.data && e.data.run) {
      // Taken on a proposal a newer run has replaced: nothing recorded; show the newer one.
      const moved = (e.data.changed || []).map((c) => `${c.case_id} ${c.was || "unallocated"} → ${c.now || "unallocated"}`);
      const shown = await newerProposal(`Your decision on ${caseId} was not recorded: it was based on run ${e.data.based_on}` +
        (moved.length ? `, and in the newer proposal ${moved.join(", ")}.` : "."));
      // The server has not shown the newer run yet: say why the decision was refused.
      if (!shown) say(e.message, true);
    } else say(e.message, true);
  }
}

// "at 02:00 UTC on 2026-12-07" of an ISO 8601 time.
const when = (at) => (at && at.length >= 16 ? `at ${at.slice(11, 16)} UTC on ${at.slice(0, 10)}` : "");

// A newer proposal than the one shown (the nightly run, another manager's re-solve):
// loaded, the old one kept as the previous, and the manager told in words.
async function newerProposal(also = "") {
  const old = state.proposal;
  const next = await api("GET", "/api/proposal");
  if (old && next.run === old.run) return false;
  state.previous = old;
  state.proposal = next;
  await loadDecisions();
  renderAll();
  const m = next.made || {};
  const what = m.adopted ? `the run recorded by ${m.by} ${when(m.at)}` : `re-solved by ${m.by} ${when(m.at)}`;
  const pending = state.decisions.filter((d) => !d.in_proposal).length;
  const box = $("newer");
  box.replaceChildren(
    el("strong", {}, `A newer proposal (run ${next.run}, ${what}) has replaced the one you were reviewing (run ${old ? old.run : "?"}). `),
    `It is shown now; the children whose worker it changed are marked “changed”. ` +
      (pending ? `${pending} standing decision${pending === 1 ? "" : "s"} taken since it began apply at the next re-solve. ` : "") +
      (also ? also + " " : ""),
    el("button", { type: "button", onclick: () => { box.hidden = true; } }, "OK"));
  box.hidden = false;
  return true;
}

// Every few seconds: has the proposal been replaced by a newer run (the nightly job's,
// another manager's re-solve)? The page's own re-solve is not news.
function watchRuns() {
  setInterval(async () => {
    if (state.solving || !state.proposal) return;
    try {
      const p = await api("GET", "/api/solve/progress");
      if (p.run !== undefined && p.run !== state.proposal.run && !state.solving) await newerProposal();
    } catch (e) { /* said by the next call that fails */ }
  }, 10000);
}

async function reassignMenu(caseId, cell, reason) {
  try {
    const r = await api("GET", `/api/eligible?case=${encodeURIComponent(caseId)}`);
    const select = el("select", { "aria-label": `reassign ${caseId}` },
      el("option", { value: "" }, "reassign to…"),
      ...r.workers.filter((w) => !w.holds_it).map((w) =>
        el("option", { value: w.worker_id },
          `${w.worker_id} ${w.name} → ${fmt(w.load_with_case)}/${fmt(w.capacity)} (${w.band_with_case}) · objective ${w.objective_change >= 0 ? "+" : ""}${fmt(w.objective_change)}`)));
    select.addEventListener("change", () => { if (select.value) decide(caseId, "assign", select.value, {}, reason); });
    cell.replaceChildren(select);
    select.focus();
  } catch (e) {
    say(e.message, true);
  }
}

// Never: any worker may be ruled out for a child (a conflict found in supervision).
function neverMenu(caseId, cell, reason) {
  const select = el("select", { "aria-label": `never ${caseId}` },
    el("option", { value: "" }, "never this worker…"),
    ...state.proposal.loads.map((l) => el("option", { value: l.worker_id }, `${l.worker_id} ${l.name}`)));
  select.addEventListener("change", () => { if (select.value) decide(caseId, "never", select.value, {}, reason); });
  cell.replaceChildren(select);
  select.focus();
}

function renderChanges() {
  const team = $("f-team").value;
  const change = $("f-change").value;
  const find = $("f-find").value.trim().toLowerCase();
  const names = new Map(state.proposal.loads.map((l) => [l.worker_id, l.name]));
  const body = $("changes").querySelector("tbody");
  body.replaceChildren();
  let shown = 0;
  for (const row of state.proposal.allocation) {
    if (change === "changed" ? !row.changed : change ? row.change !== change : row.change === "kept" && !row.changed) continue;
    if (team && teamOf(row.worker_id) !== team && teamOf(row.previous_worker) !== team) continue;
    if (find) {
      const hay = [row.case_id, row.worker_id, row.previous_worker, names.get(row.worker_id), names.get(row.previous_worker)]
        .join(" ").toLowerCase();
      if (!hay.includes(find)) continue;
    }
    if (++shown > 500) break;
    const decided = standingFor(row.case_id);
    const cell = el("td", { class: "decide" });
    if (decided.length) {
      cell.append(el("div", { class: "standing" },
        decided.map((d) => `#${d.id} ${d.kind}${d.worker_id ? " " + d.worker_id : ""}${noted(d)}`).join(", ")));
    }
    // The reason sits where the manager clicks: one field for the row's decisions.
    const reason = reasonField(`reason for ${row.case_id}`);
    const buttons = el("div", { class: "buttons" });
    buttons.append(
      el("button", { type: "button", onclick: () => decide(row.case_id, "accept", null, {}, reason) }, "Accept"),
      el("button", { type: "button", onclick: () => decide(row.case_id, "reject", null, {}, reason) }, "Reject"),
      el("button", { type: "button", onclick: () => reassignMenu(row.case_id, buttons, reason) }, "Reassign…"),
      el("button", { type: "button", onclick: () => neverMenu(row.case_id, buttons, reason) }, "Never…"),
    );
    cell.append(reason.box, buttons);
    const who = (id) => (id ? `${id}${names.get(id) ? " " + names.get(id) : ""}` : "—");
    const marks = [decided.length ? "decided" : "", row.changed ? "changed" : ""].filter(Boolean).join(" ");
    body.append(el("tr", { class: marks, "data-case": row.case_id },
      el("td", {}, row.changed ? el("span", { class: "mark", title: "changed since the previous proposal" }, "● ") : "", row.case_id), el("td", {}, who(row.previous_worker)), el("td", {}, who(row.worker_id)),
      el("td", { class: `change-${row.change}` }, row.change), el("td", { class: "why" }, row.reason), cell));
  }
  if (!shown) body.append(el("tr", {}, el("td", { colspan: 6 }, "No change matches.")));
}

// The children whose worker differs from the previous proposal the solve kept close to
// (the server marks them `changed`, with why in `why_changed`), counted at the top.
function renderCompare() {
  const box = $("compare");
  const p = state.proposal.summary.previous;
  if (!p) { box.hidden = true; return; }
  const changed = state.proposal.allocation.filter((r) => r.changed);
  const since = p.run != null ? `run ${p.run}` : (p.file || "the previous proposal");
  box.hidden = false;
  const count = changed.length === 1 ? "1 child changes worker" : `${changed.length} children change worker`;
  const objective = state.previous && state.previous.run === p.run
    ? ` · objective ${fmt(state.previous.summary.objective.total)} → ${fmt(state.proposal.summary.objective.total)}` : "";
  if (!changed.length) {
    box.replaceChildren(el("h2", {}, `Since ${since}: no child changes worker`),
      el("div", { class: "hint" }, `The proposal is the previous one, child for child${objective}.`));
    return;
  }
  const made = state.proposal.made || {};
  const proof = made.adopted ? `Run ${state.proposal.run} was recorded by ${made.by}, not solved by this server`
    : p.minimal ? "The fewest any allocation within the gap tolerance needs" : "Not proven the fewest (the solve was stopped first)";
  box.replaceChildren(
    el("h2", {}, `Since ${since}: ${count}: ${changed.slice(0, 6).map((r) => r.case_id).join(", ")}${changed.length > 6 ? " …" : ""}`),
    el("div", { class: "hint" }, `${proof}${objective}. Marked ● in the proposed changes below.`),
    el("table", { class: "compare" },
      el("thead", {}, el("tr", {}, el("th", {}, "Child"), el("th", {}, "Before"), el("th", {}, "Now"), el("th", {}, "Why"))),
      el("tbody", {}, ...changed.slice(0, 12).map((r) => el("tr", { class: "changed" },
        el("td", {}, r.case_id), el("td", {}, r.previous_proposal || "unallocated / new"),
        el("td", {}, r.worker_id || "unallocated"), el("td", { class: "why" }, r.why_changed || r.reason))))),
    ...(changed.length > 12 ? [el("div", { class: "hint" }, `and ${changed.length - 12} more: filter the proposed changes below to see them all.`)] : []));
}

function renderDecisions() {
  const body = $("decisions").querySelector("tbody");
  body.replaceChildren();
  for (const d of state.decisions) {
    body.append(el("tr", {},
      el("td", {}, d.id), el("td", {}, d.case_id || `worker ${d.worker_id}`), el("td", {}, describe(d)),
      el("td", {}, d.by), el("td", {}, d.at), el("td", {}, d.note),
      el("td", { class: d.applies ? "" : "why" },
        (d.applies ? "applies" : `does not apply: ${d.why}`) + (d.in_proposal ? "" : " · not yet in the proposal")),
      el("td", {}, el("button", { type: "button", onclick: () => withdraw(d.id) }, "Withdraw"))));
  }
  if (!state.decisions.length) body.append(el("tr", {}, el("td", { colspan: 8 }, "No standing decision.")));
}

async function withdraw(id) {
  try {
    await api("DELETE", `/api/decisions/${id}`);
    say(`Decision ${id} withdrawn. Re-solve to see the effect.`);
    await loadDecisions();
    renderLoads();
    renderChanges();
  } catch (e) {
    say(e.message, true);
  }
}

async function loadDecisions() {
  state.decisions = await api("GET", "/api/decisions");
  renderDecisions();
}

function renderAll() {
  renderSummary();
  renderLoads();
  renderChanges();
  renderCompare();
}

// While a solve runs: parts solved of all, seconds, and a cancel button.
function watchSolve() {
  const cancel = $("cancel");
  cancel.hidden = false;
  cancel.disabled = false;
  const timer = setInterval(async () => {
    try {
      const p = await api("GET", "/api/solve/progress");
      if (!p.running) return;
      const parts = p.parts ? ` — ${p.solved} of ${p.parts} parts solved` : "";
      say(`Solving with every standing decision${parts} · ${p.elapsed_s.toFixed(1)} s${p.cancelled ? " · stopping…" : ""}`);
      const bar = $("progress");
      bar.hidden = !p.parts;
      bar.max = p.parts || 1;
      bar.value = p.solved;
    } catch (e) { /* the answer of the solve itself says what went wrong */ }
  }, 250);
  return () => { clearInterval(timer); cancel.hidden = true; $("progress").hidden = true; };
}

async function cancelSolve() {
  $("cancel").disabled = true;
  try { await api("POST", "/api/solve/cancel"); } catch (e) { say(e.message, true); }
}

async function resolve() {
  const button = $("solve");
  button.disabled = true;
  state.solving = true;
  const started = performance.now();
  say("Solving with every standing decision…");
  const stop = watchSolve();
  try {
    const next = await api("POST", "/api/solve");
    state.previous = state.proposal;
    state.proposal = next;
    await loadDecisions();
    renderAll();
    say(`Re-solved as run ${next.run} in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
  } catch (e) {
    say(e.message, true);
  } finally {
    stop();
    state.solving = false;
    button.disabled = false;
  }
}

async function whyNot(event) {
  event.preventDefault();
  const c = $("w-case").value.trim();
  const w = $("w-worker").value.trim();
  const box = $("whynot-answer");
  box.textContent = "Working it out…";
  try {
    const r = await api("GET", `/api/why-not?case=${encodeURIComponent(c)}&worker=${encodeURIComponent(w)}`);
    if (!r.allowed) {
      box.replaceChildren(el("div", { class: "no" }, `${w} may not hold ${c}:`), ...r.rules.map((x) => el("div", {}, `• ${x}`)));
    } else {
      const d = r.delta;
      const reason = reasonField(`reason for assigning ${c} to ${w}`);
      box.replaceChildren(el("div", { class: "yes" }, `${w} may hold ${c}. With ${c} held by ${w} (the rest re-solved) the objective changes by ${fmt(d.total)}:`),
        el("div", {}, `unallocated ${fmt(d.unallocated)}, bands ${fmt(d.bands)}, moves ${fmt(d.moves)}, preferences ${fmt(d.preferences)}`),
        el("div", { class: "decide" }, reason.box,
          el("button", { type: "button", onclick: () => decide(c, "assign", w, {}, reason) }, `Assign ${c} to ${w}`)));
    }
  } catch (e) {
    box.replaceChildren(el("div", { class: "no" }, e.message));
  }
}

async function start() {
  $("solve").addEventListener("click", resolve);
  $("cancel").addEventListener("click", cancelSolve);
  $("whynot").addEventListener("submit", whyNot);
  for (const id of ["f-team", "f-change"]) $(id).addEventListener("change", renderChanges);
  $("f-find").addEventListener("input", renderChanges);
  try {
    state.proposal = await api("GET", "/api/proposal");
    state.rules = await api("GET", "/api/decisions/rules");
    if (!state.rules.needs_note.length) $("reason-hint").textContent = "· a reason is optional";
    await loadDecisions();
    renderAll();
    watchRuns();
  } catch (e) {
    say(e.message, true);
  }
}

document.addEventListener("DOMContentLoaded", start);
