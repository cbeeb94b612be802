// The Batchwise review page: runs (live over /ws/runs), one run's atoms, score histogram and cost, and a form that
// starts a demo run. Plain DOM code, no build step; every text from the server goes in through textContent.
'use strict';

const FINAL = new Set(['verified', 'failed']);
const runs = new Map();            // runId -> the latest RunState-like object we hold
const view = { runId: null, sort: 'quality', order: 'desc', offset: 0, limit: 50 };

const $ = (selector) => document.querySelector(selector);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === null || value === undefined) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) if (child !== null && child !== undefined) node.append(child);
  return node;
}

async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await response.json().catch(() => null);
  return { status: response.status, body };
}

// ---- runs --------------------------------------------------------------------------------------------------

/**
 * Takes a state if it is news: a WebSocket event must carry a seq above the one held (older or repeated events are
 * dropped); a state read over HTTP may carry the same seq, since it also brings mode, provider and atom count.
 */
function merge(state, fromSocket) {
  const held = runs.get(state.runId);
  if (held && held.seq !== undefined && state.seq !== undefined && state.seq !== null) {
    if (fromSocket ? state.seq <= held.seq : state.seq < held.seq) return false;
  }
  runs.set(state.runId, Object.assign({}, held, state));
  return true;
}

async function loadRuns() {
  const { status, body } = await getJson('/api/runs?limit=50');
  if (status !== 200) return;
  for (const state of body.runs) merge(state, false);
  renderRuns();
}

/** Events carry no mode, provider or atom count: read the whole state when a run is new or changes status. */
const refreshing = new Set();
async function refreshRun(runId) {
  if (refreshing.has(runId)) return;
  refreshing.add(runId);
  try {
    const { status, body } = await getJson('/api/runs/' + encodeURIComponent(runId));
    if (status === 200 && merge(body, false)) renderRuns();
  } finally {
    refreshing.delete(runId);
  }
}

function onEvent(event) {
  const held = runs.get(event.runId);
  if (!merge(event, true)) return;
  if (!held || held.status !== event.status || held.mode === undefined || held.mode === null) refreshRun(event.runId);
  renderRuns();
  if (event.runId === view.runId) refreshDetailSoon(FINAL.has(event.status));
}

function progressOf(run) {
  const p = run.batchProgress || { submitted: 0, completed: 0, failed: 0 };
  // while a run infers its atoms, its progress counts tests
  const subjects = run.stage === 'inferring' && run.inference ? run.inference.testCount : run.atomCount;
  const total = Math.max(subjects || 0, p.submitted || 0, (p.completed || 0) + (p.failed || 0));
  const pct = (n) => (total === 0 ? 0 : (100 * n) / total);
  const done = (p.completed || 0) + (p.failed || 0);
  return {
    p, total,
    completedPct: pct(p.completed || 0),
    failedPct: pct(p.failed || 0),
    // requests sent but without an outcome yet
    sentPct: pct(Math.max(0, (p.submitted || 0) - done)),
    donePct: total === 0 ? 0 : Math.floor((100 * done) / total),
  };
}

function renderRuns() {
  const body = $('#runs tbody');
  const ordered = [...runs.values()].sort((a, b) => (b.createdAt || '9').localeCompare(a.createdAt || '9')
      || a.runId.localeCompare(b.runId));
  $('#runs-empty').hidden = ordered.length > 0;
  body.replaceChildren(...ordered.map(runRow));
}

function runRow(run) {
  const progress = progressOf(run);
  const bar = el('div', {
    class: 'bar', role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100,
    'aria-valuenow': progress.donePct, 'data-percent': progress.donePct,
  },
  el('span', { class: 'completed', style: `width:${progress.completedPct}%` }),
  el('span', { class: 'failed', style: `width:${progress.failedPct}%` }),
  el('span', { class: 'sent', style: `width:${progress.sentPct}%` }));
  const counts = el('div', {
    class: 'counts',
    text: `${progress.donePct}% · submitted ${progress.p.submitted} · completed ${progress.p.completed}`
        + ` · failed ${progress.p.failed}` + (progress.total ? ` of ${progress.total}` : ''),
  });
  const remaining = FINAL.has(run.status) ? '–' : (run.estimatedTimeRemaining || 'unknown');
  const row = el('tr', { 'data-run-id': run.runId, class: run.runId === view.runId ? 'selected' : null },
      el('td', { class: 'run-id', text: run.runId }),
      el('td', {}, el('span', { class: 'status ' + (run.status || ''), text: run.status || 'waiting' })),
      el('td', { text: run.stage || '' }),
      el('td', {}, document.createTextNode(run.mode || '–'),
          run.modeReason ? el('span', { class: 'reason', text: run.modeReason }) : null),
      el('td', { text: run.provider || '–' }),
      el('td', {}, bar, counts),
      el('td', { class: 'remaining', text: remaining }));
  row.addEventListener('click', () => select(run.runId));
  return row;
}

// ---- live updates ------------------------------------------------------------------------------------------

let socketDelay = 500;
function connect() {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  const socket = new WebSocket(`${scheme}//${location.host}/ws/runs`);
  // the live socket, for the console (and the browser test, which cuts it to watch the page reconnect)
  window.statusSocket = socket;
  const live = $('#live');
  socket.onopen = () => {
    socketDelay = 500;
    live.textContent = 'live';
    live.className = 'live on';
  };
  socket.onmessage = (message) => {
    try {
      onEvent(JSON.parse(message.data));
    } catch (e) {
      console.warn('status message not understood', e, message.data);
    }
  };
  socket.onclose = () => {
    // The first messages after a reconnect are the current states, so nothing missed meanwhile stays wrong.
    live.textContent = 'reconnecting…';
    live.className = 'live off';
    const wait = socketDelay * (0.75 + Math.random() / 2);
    socketDelay = Math.min(socketDelay * 2, 30000);
    setTimeout(connect, wait);
  };
}

// ---- one run -----------------------------------------------------------------------------------------------

function select(runId) {
  if (view.runId !== runId) {
    view.runId = runId;
    view.offset = 0;
  }
  $('#run-detail').hidden = false;
  $('#detail-run-id').textContent = runId;
  renderRuns();
  refreshDetail();
}

// Progress events can come many a second: the detail is read at most about once a second, and always at the end.
let detailTimer = null;
let detailDue = false;
function refreshDetailSoon(now) {
  if (now) {
    clearTimeout(detailTimer);
    detailTimer = null;
    refreshDetail();
    return;
  }
  detailDue = true;
  if (detailTimer) return;
  detailTimer = setTimeout(() => {
    detailTimer = null;
    if (detailDue) refreshDetail();
  }, 1000);
}

let detailGeneration = 0;
async function refreshDetail() {
  detailDue = false;
  const runId = view.runId;
  if (!runId) return;
  const generation = ++detailGeneration;
  const id = encodeURIComponent(runId);
  const query = new URLSearchParams({ sort: view.sort, order: view.order, limit: view.limit, offset: view.offset });
  const [atoms, scores, cost] = await Promise.all([
    getJson(`/api/runs/${id}/atoms?${query}`), getJson(`/api/runs/${id}/scores`), getJson(`/api/runs/${id}/cost`),
  ]);
  if (generation !== detailGeneration) return; // a newer read has started: its answer wins
  renderAtoms(atoms);
  renderHistogram(scores);
  renderCost(cost);
}

function renderAtoms({ status, body }) {
  const tbody = $('#atoms tbody');
  document.querySelectorAll('#atoms th button').forEach((b) => {
    const on = b.dataset.sort === view.sort;
    b.classList.toggle('sorted', on);
    b.dataset.label = b.dataset.label || b.textContent;
    b.textContent = b.dataset.label + (on ? (view.order === 'desc' ? ' ↓' : ' ↑') : '');
  });
  if (status !== 200) {
    tbody.replaceChildren(el('tr', {}, el('td', { colspan: 6, class: 'muted',
      text: status === 404 ? 'No atoms stored for this run yet.' : `Atoms could not be read (${status}).` })));
    $('#page-info').textContent = '';
    return;
  }
  tbody.replaceChildren(...body.atoms.map((atom) => {
    const unscored = atom.qualityScore === null || atom.qualityScore === undefined;
    const score = el('td', { class: 'score' }, unscored
      ? el('span', { class: 'unscored-mark', text: 'unscored' }) : document.createTextNode(String(atom.qualityScore)));
    const why = atom.parseIssue || atom.error;
    if (unscored && why) score.append(el('span', { class: 'parse-issue', text: why }));
    const issues = el('td', { class: 'issues' });
    if (atom.issues && atom.issues.length) issues.append(el('ul', {}, ...atom.issues.map((i) => el('li', { text: i }))));
    return el('tr', { 'data-temp-id': atom.tempId, 'data-score': unscored ? '' : atom.qualityScore },
        score,
        el('td', { class: 'run-id', text: atom.tempId }),
        el('td', { text: atom.category || '' }),
        el('td', { text: atom.description || '' }),
        el('td', { text: atom.scoreSource || 'pending' }),
        issues);
  }));
  const pages = Math.max(1, Math.ceil(body.total / view.limit));
  const page = Math.floor(view.offset / view.limit) + 1;
  $('#page-info').textContent = `page ${page} of ${pages} · ${body.total} atoms`;
  $('#page-prev').disabled = view.offset === 0;
  $('#page-next').disabled = view.offset + view.limit >= body.total;
}

function renderHistogram({ status, body }) {
  const box = $('#histogram');
  if (status !== 200) {
    box.replaceChildren();
    $('#histogram-labels').replaceChildren();
    $('#histogram-note').textContent = 'No scores yet.';
    return;
  }
  const columns = body.buckets.map((b) => ({ label: `${b.from}–${b.to}`, count: b.count, unscored: false }));
  columns.push({ label: 'unscored', count: body.unscored, unscored: true });
  const max = Math.max(1, ...columns.map((c) => c.count));
  box.replaceChildren(...columns.map((c) => el('div', {
    class: 'col' + (c.unscored ? ' unscored' : ''), title: `${c.label}: ${c.count}`, 'data-count': c.count,
  }, el('span', { class: 'n', text: c.count ? String(c.count) : '' }),
  el('div', { class: 'fill', style: `height:${(100 * c.count) / max}%` }))));
  $('#histogram-labels').replaceChildren(...columns.map((c) => el('span', { text: c.label })));
  $('#histogram-note').textContent = `${body.scored} scored, ${body.unscored} unscored (quality score 0–100)`;
}

const usd = (n) => (n === null || n === undefined ? '–' : '$' + Number(n).toFixed(n < 1 ? 4 : 2));

function renderCost({ status, body }) {
  const box = $('#cost');
  if (status !== 200 || !body) {
    // never made up: without the cost endpoint's answer there are no numbers to show
    box.replaceChildren(el('p', { class: 'muted', id: 'cost-unavailable', text: 'cost not available' }));
    return;
  }
  const rows = [
    ['Actual', usd(body.actualUsd)],
    ['At real-time prices', usd(body.realtimeUsd)],
    ['Saving', `${usd(body.savingUsd)} (${body.savingPercent === null || body.savingPercent === undefined
      ? '–' : Number(body.savingPercent).toFixed(1)}%)`],
  ];
  for (const [mode, part] of Object.entries(body.byMode || {})) {
    rows.push([`${mode}: actual / real-time`, `${usd(part.actualUsd)} / ${usd(part.realtimeUsd)}`]);
    rows.push([`${mode}: answers`, String(part.answers ?? '–')]);
  }
  // a run that began with tests has two stages, each with its own answers and cost
  const stages = Object.entries(body.byStage || {});
  if (stages.length > 1 || (stages.length === 1 && stages[0][0] !== 'verifying')) {
    for (const [stage, part] of stages) {
      rows.push([`stage ${stage}: actual (${part.answers} answers)`, usd(part.actualUsd)]);
    }
  }
  box.replaceChildren(el('dl', { class: 'cost' }, ...rows.flatMap(([k, v], i) =>
    [el('dt', { text: k }), el('dd', { class: i === 2 ? 'saving' : null, text: v })])));
}

// ---- demo run form -----------------------------------------------------------------------------------------

const CATEGORIES = ['functional', 'security', 'performance', 'usability', 'accessibility'];
const ACTIONS = ['signs in', 'exports a report', 'resets a password', 'uploads a file', 'searches the catalogue',
  'changes the language', 'pays an invoice', 'invites a colleague'];

function demoAtoms(n) {
  const atoms = new Array(n);
  for (let i = 0; i < n; i++) {
    atoms[i] = {
      tempId: 'atom-' + String(i + 1).padStart(String(n).length, '0'),
      description: `A user ${ACTIONS[i % ACTIONS.length]} (case ${i + 1}) and sees the result within two seconds`,
      category: CATEGORIES[i % CATEGORIES.length],
    };
  }
  return atoms;
}

async function startDemo(event) {
  event.preventDefault();
  const result = $('#demo-result');
  const n = Number($('#demo-atoms').value);
  if (!Number.isInteger(n) || n < 1 || n > 100000) {
    result.className = 'result error';
    result.textContent = 'Atoms must be a whole number from 1 to 100000.';
    return;
  }
  const runId = 'demo-' + new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14) + '-'
      + Math.random().toString(36).slice(2, 6);
  const options = { mode: $('#demo-mode').value, provider: $('#demo-provider').value };
  $('#demo-start').disabled = true;
  result.className = 'result';
  result.textContent = 'Sending…';
  try {
    const response = await fetch('/api/runs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ runId, atoms: demoAtoms(n), options }),
    });
    const body = await response.json().catch(() => ({}));
    if (response.status === 202) {
      result.className = 'result ok';
      result.textContent = `202 Accepted: run ${body.runId} (${n} atoms, ${options.mode}, ${options.provider})`
          + ` published in ${body.parts} part${body.parts === 1 ? '' : 's'}.`;
      if (!runs.has(runId)) runs.set(runId, { runId, createdAt: new Date().toISOString() });
      select(runId);
      refreshRun(runId);
    } else {
      result.className = 'result error';
      result.textContent = `${response.status}: ${body.error || response.statusText}`;
    }
  } catch (e) {
    result.className = 'result error';
    result.textContent = 'The service could not be reached: ' + e.message;
  } finally {
    $('#demo-start').disabled = false;
  }
}

// ---- wiring ------------------------------------------------------------------------------------------------

document.querySelectorAll('#atoms th button').forEach((button) => button.addEventListener('click', () => {
  const sort = button.dataset.sort;
  if (view.sort === sort) view.order = view.order === 'desc' ? 'asc' : 'desc';
  else {
    view.sort = sort;
    view.order = sort === 'quality' ? 'desc' : 'asc';
  }
  view.offset = 0;
  refreshDetail();
}));
$('#page-prev').addEventListener('click', () => { view.offset = Math.max(0, view.offset - view.limit); refreshDetail(); });
$('#page-next').addEventListener('click', () => { view.offset += view.limit; refreshDetail(); });
$('#page-size').addEventListener('change', (e) => { view.limit = Number(e.target.value); view.offset = 0; refreshDetail(); });
$('#demo-form').addEventListener('submit', startDemo);

loadRuns();
connect();
