/*
 * Spool's monitoring UI: a single page, no build step, no framework.
 *
 * The page is served at /ui/, at /ui/functions/{fid}/ and through YARN's web proxy at /proxy/<appId>/, so every
 * URL here is relative ("api/v1/...", "static/..."). The proxy forwards only GET and PUT and strips newlines
 * from PUT bodies: the page uses only those two methods and sends compact JSON.
 */
'use strict';

/* ------------------------------------------------------------------ constants */

const JOB_STATUSES = ['PENDING', 'RUNNING', 'CANCEL', 'CANCELING', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED'];
const COUNT_COLUMNS = ['PENDING', 'RUNNING', 'SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED'];
const TERMINAL = new Set(['SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED']);
const DONE_STATUSES = ['SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED'];
const FUNCTION_STATUSES = ['AWAITING_BUNDLE', 'BUILDING', 'READY', 'STOPPED', 'BUILD_FAILED'];
const TRANSITIONAL_FUNCTION = new Set(['AWAITING_BUNDLE', 'BUILDING']);
const POLL_MS = 2000;
const PAGE_SIZE = 50;
const MIB = 1024 * 1024;

const FUNCTION_SORTS = [
  ['name', 'Name'], ['status', 'Status'], ['creationDate', 'Created'], ['modifiedDate', 'Modified'],
  ['cpus', 'CPUs'], ['memory', 'Memory'],
];
const JOB_SORTS = [
  ['id', 'ID'], ['status', 'Status'], ['creationDate', 'Created'], ['lastExecutionDate', 'Last run'],
  ['lastCompletionDate', 'Completed'], ['executionCount', 'Attempts'], ['runtime', 'Runtime'],
];
/** The function attributes that the page lets a user change. */
const EDITABLE = [
  { key: 'maximumConcurrency', label: 'Max concurrency', kind: 'int', min: 1, hint: 'jobs at once' },
  { key: 'cpus', label: 'CPUs', kind: 'float', min: 0, hint: 'per job' },
  { key: 'memory', label: 'Memory', kind: 'int', min: 1, hint: 'MiB per job' },
  { key: 'retryCount', label: 'Retries', kind: 'int', min: 0, hint: 'after a failure' },
  { key: 'timeout', label: 'Timeout', kind: 'int', min: 1, hint: 'seconds per attempt' },
];

const PAGE_QUERY = new URLSearchParams(location.search);
const USER = PAGE_QUERY.get('user.name');
const DEFAULT_FUNCTION = (document.querySelector('meta[name="spool-function"]') || {}).content || '';

/* ------------------------------------------------------------------ DOM helpers */

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'selected', 'indeterminate', 'open', 'title']);

/** Creates an element: h('a', {href: '#/x', testid: 'link', onclick: fn}, 'text', child, [more]). */
function h(tag, props, ...children) {
  return fill(document.createElement(tag), props, children);
}

/** Creates an SVG element, attributes as given. */
function s(tag, attrs, ...children) {
  return fill(document.createElementNS('http://www.w3.org/2000/svg', tag), attrs, children);
}

function fill(el, props, children) {
  for (const [key, value] of Object.entries(props || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'testid') el.setAttribute('data-testid', value);
    else if (key === 'class') el.setAttribute('class', value);
    else if (key === 'style' && typeof value === 'object') Object.assign(el.style, value); // CSSOM: fine under a CSP
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else if (PROPERTIES.has(key) && !(el instanceof SVGElement)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

/** Replaces an element's children, skipping null/false ones (replaceChildren would print "null"). */
function setChildren(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

function byId(id) {
  return document.getElementById(id);
}

function debounce(fn, ms) {
  let timer;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

/* ------------------------------------------------------------------ formatting */

function pad2(n) {
  return String(n).padStart(2, '0');
}

/** An ISO date as local "2024-05-01 14:03:22". */
function fmtDate(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} `
    + `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

function fmtTime(d) {
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}

/** A <time> element showing local time, the ISO string as tooltip. */
function timeEl(iso, testid) {
  return h('time', { datetime: iso || null, title: iso || null, testid }, fmtDate(iso));
}

function fmtCount(n) {
  return n === null || n === undefined ? '—' : Number(n).toLocaleString('en-US');
}

function plural(n, word) {
  return `${fmtCount(n)} ${word}${n === 1 ? '' : 's'}`;
}

function fmtSeconds(sec) {
  if (sec === null || sec === undefined || Number.isNaN(Number(sec))) return '—';
  const v = Number(sec);
  if (v < 10) return `${v.toFixed(v < 1 ? 3 : 2)} s`;
  if (v < 60) return `${v.toFixed(1)} s`;
  if (v < 3600) return `${Math.floor(v / 60)}m ${pad2(Math.round(v % 60))}s`;
  return `${Math.floor(v / 3600)}h ${pad2(Math.floor((v % 3600) / 60))}m`;
}

function fmtShortSeconds(v) {
  if (v < 1) return `${Math.round(v * 1000)}ms`;
  if (v < 120) return `${Number(v.toPrecision(3))}s`;
  if (v < 7200) return `${Number((v / 60).toPrecision(3))}m`;
  return `${Number((v / 3600).toPrecision(3))}h`;
}

function fmtBytesMiB(bytes) {
  if (bytes === null || bytes === undefined) return '—';
  return `${(Number(bytes) / MIB).toFixed(1)} MiB`;
}

function fmtMemory(mib) {
  if (mib === null || mib === undefined) return '—';
  return mib >= 1024 && mib % 1024 === 0 ? `${mib} MiB (${mib / 1024} GiB)` : `${mib} MiB`;
}

function fmtValue(v) {
  if (v === null || v === undefined || v === '') return '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return String(v);
}

function prettyJson(value) {
  return JSON.stringify(value === undefined ? null : value, null, 2);
}

function badge(status, testid) {
  return h('span', { class: `badge st-${status || 'UNKNOWN'}`, testid }, status || '?');
}

/* ------------------------------------------------------------------ API */

class ApiError extends Error {
  constructor(status, reason, message, field) {
    super(message);
    this.status = status;
    this.reason = reason;
    this.field = field || null;
  }
}

/** A relative API URL ("api/v1/..."), carrying the page's user.name if it has one. */
function apiUrl(path, params = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') query.set(key, String(value));
  }
  if (USER) query.set('user.name', USER);
  const qs = query.toString();
  return `api/v1/${path}${qs ? `?${qs}` : ''}`;
}

function seg(id) {
  return encodeURIComponent(id);
}

/** JSON on one line, non-ASCII escaped (the YARN proxy re-sends PUT bodies without their newlines). */
function compactJson(value) {
  return JSON.stringify(value).replace(/[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

async function errorOf(response) {
  let text = '';
  try {
    text = await response.text();
  } catch (e) { /* the body is optional */ }
  try {
    const e = JSON.parse(text).error;
    if (e && e.message) return new ApiError(e.status || response.status, e.reason, e.message, e.field);
  } catch (e) { /* not the API's JSON: a proxy's page, say */ }
  const plain = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
  return new ApiError(response.status, 'http',
    `HTTP ${response.status} ${response.statusText || ''}${plain ? `: ${plain}` : ''}`.trim());
}

/**
 * One API call. as: 'json' (default), 'text' or 'response' (the Response, for callers that look at its type).
 */
async function request(method, path, { params, body, as = 'json', accept } = {}) {
  const headers = { Accept: accept || (as === 'text' ? 'text/plain, */*' : 'application/json') };
  const init = { method, headers, cache: 'no-store' };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = compactJson(body);
  }
  let response;
  try {
    response = await fetch(apiUrl(path, params), init);
  } catch (e) {
    throw new ApiError(0, 'network', `Cannot reach the Spool server (${e.message})`);
  }
  if (!response.ok) throw await errorOf(response);
  if (as === 'response') return response;
  const text = await response.text();
  if (as === 'text') return text;
  return text ? JSON.parse(text) : null;
}

function apiGet(path, params) {
  return request('GET', path, { params });
}

function apiPut(path, body) {
  return request('PUT', path, { body: body === undefined ? {} : body });
}

/** A fresh random id per user action; randomUUID needs a secure context, which a proxy's http host is not. */
function newRequestId() {
  if (window.isSecureContext && crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/* ------------------------------------------------------------------ banners */

let errorSource = null;
let noticeTimer = null;

function showError(error, source = 'action') {
  const message = error && error.message ? error.message : String(error);
  byId('error-text').textContent = message;
  byId('error').hidden = false;
  errorSource = source;
  if (!(error instanceof ApiError)) console.error(error);
}

/** Hides the error banner; with a source, only if that source showed it. */
function clearError(source) {
  if (source && errorSource !== source) return;
  byId('error').hidden = true;
  errorSource = null;
}

function showNotice(text) {
  const el = byId('notice');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(noticeTimer);
  noticeTimer = setTimeout(() => { el.hidden = true; }, 8000);
}

function hideNotice() {
  clearTimeout(noticeTimer);
  byId('notice').hidden = true;
}

/** Runs a user action: its errors go to the banner. */
async function guarded(fn) {
  try {
    return await fn();
  } catch (e) {
    showError(e, 'action');
    return undefined;
  }
}

/* ------------------------------------------------------------------ view lifecycle */

/** What one rendered view owns: timers and streams, all stopped when the view goes. */
class ViewContext {
  constructor() {
    this.alive = true;
    this.cleanups = [];
    this.pollers = [];
  }

  onClose(fn) {
    this.cleanups.push(fn);
  }

  close() {
    this.alive = false;
    for (const fn of this.cleanups) {
      try { fn(); } catch (e) { console.error(e); }
    }
    this.cleanups = [];
  }

  /** Calls fn(forced) now and every `ms` while the page is visible; kick() runs it at once, forced. */
  poll(fn, ms = POLL_MS) {
    const poller = new Poller(this, fn, ms);
    this.pollers.push(poller);
    this.onClose(() => poller.stop());
    poller.kick();
    return poller;
  }

  eventSource(url) {
    const source = new EventSource(url);
    this.onClose(() => source.close());
    return source;
  }
}

let pollerCount = 0;

class Poller {
  constructor(ctx, fn, ms) {
    pollerCount += 1;
    this.source = `poll-${pollerCount}`; // its errors are cleared by its own next success only
    this.ctx = ctx;
    this.fn = fn;
    this.ms = ms;
    this.timer = null;
    this.running = false;
    this.again = false;
    this.forced = false;
  }

  kick() {
    this.forced = true;
    this.schedule(0);
  }

  stop() {
    clearTimeout(this.timer);
  }

  schedule(delay) {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.run(), delay);
  }

  async run() {
    if (!this.ctx.alive) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (document.hidden) return; // resumed by the visibilitychange listener
    const forced = this.forced;
    this.forced = false;
    this.running = true;
    try {
      await this.fn(forced);
      if (this.ctx.alive) clearError(this.source);
    } catch (e) {
      if (this.ctx.alive) showError(e, this.source);
    } finally {
      this.running = false;
    }
    if (!this.ctx.alive) return;
    if (this.again) {
      this.again = false;
      this.schedule(0);
    } else {
      this.schedule(this.ms);
    }
  }
}

let currentView = null;

document.addEventListener('visibilitychange', () => {
  if (!document.hidden && currentView) currentView.pollers.forEach((p) => p.schedule(0));
});

/** The route in the hash: #/functions, #/functions/{fid}, #/functions/{fid}/jobs?..., #/jobs/{jid}. */
function parseRoute() {
  let hash = location.hash.replace(/^#/, '');
  if (!hash || hash === '/') {
    hash = DEFAULT_FUNCTION ? `/functions/${seg(DEFAULT_FUNCTION)}` : '/functions';
  }
  const q = hash.indexOf('?');
  const path = q < 0 ? hash : hash.slice(0, q);
  const params = new URLSearchParams(q < 0 ? '' : hash.slice(q + 1));
  let parts;
  try {
    parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  } catch (e) {
    return { name: 'notFound', path };
  }
  if (parts[0] === 'functions' && parts.length === 1) return { name: 'functions', params };
  if (parts[0] === 'functions' && parts.length === 2) return { name: 'function', fid: parts[1], params };
  if (parts[0] === 'functions' && parts.length === 3 && parts[2] === 'jobs') {
    return { name: 'jobs', fid: parts[1], params };
  }
  if (parts[0] === 'jobs' && parts.length === 2) return { name: 'job', jid: parts[1], params };
  return { name: 'notFound', path };
}

/** Replaces the hash without a new history entry or a re-render (the page's query stays). */
function replaceHash(hash) {
  history.replaceState(history.state, '', `${location.pathname}${location.search}#${hash}`);
}

function queryString(params) {
  const q = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') q.set(key, String(value));
  }
  const text = q.toString();
  return text ? `?${text}` : '';
}

function functionHref(fid) {
  return `#/functions/${seg(fid)}`;
}

function jobsHref(fid, params = {}) {
  return `#/functions/${seg(fid)}/jobs${queryString(params)}`;
}

function jobHref(jid) {
  return `#/jobs/${seg(jid)}`;
}

function setCrumbs(items) {
  const nav = byId('crumbs');
  nav.replaceChildren();
  items.forEach(([label, href], i) => {
    if (i > 0) nav.append(h('span', { class: 'crumb-sep' }, '›'));
    nav.append(href ? h('a', { href }, label) : h('span', { class: 'crumb-current' }, label));
  });
}

const VIEWS = {
  functions: functionsView,
  function: functionView,
  jobs: jobsView,
  job: jobView,
  notFound: notFoundView,
};

function render() {
  if (currentView) currentView.close();
  const ctx = new ViewContext();
  currentView = ctx;
  clearError();
  const route = parseRoute();
  const root = byId('view');
  root.replaceChildren();
  window.scrollTo(0, 0);
  VIEWS[route.name](ctx, root, route);
}

function notFoundView(ctx, root, route) {
  setCrumbs([['Functions', '#/functions'], ['Not found']]);
  root.append(h('section', { class: 'card', testid: 'not-found' },
    h('h1', {}, 'Nothing here'),
    h('p', {}, `No page for "${route.path}". `, h('a', { href: '#/functions' }, 'Back to the functions'))));
}

/* ------------------------------------------------------------------ shared widgets */

function selectEl(testid, options, value, onchange, label) {
  const select = h('select', { testid, onchange: () => onchange(select.value), 'aria-label': label },
    options.map(([v, text]) => h('option', { value: v }, text)));
  if (value && !options.some(([v]) => v === value)) select.append(h('option', { value }, value));
  select.value = value || '';
  return select;
}

function labelled(text, control) {
  return h('label', { class: 'control' }, h('span', { class: 'control-label' }, text), control);
}

/** Keeps rows whose data did not change (so a poll does not churn the DOM under a pointer). */
function reconcileRows(tbody, items, keyOf, build) {
  const old = new Map();
  for (const row of tbody.children) if (row.dataset.key) old.set(row.dataset.key, row);
  const rows = items.map((item) => {
    const key = keyOf(item);
    const sig = JSON.stringify(item);
    const existing = old.get(key);
    if (existing && existing.dataset.sig === sig) return existing;
    const row = build(item);
    row.dataset.key = key;
    row.dataset.sig = sig;
    return row;
  });
  tbody.replaceChildren(...rows);
}

function emptyRow(colspan, text, testid) {
  return h('tr', { class: 'empty-row' }, h('td', { colspan, testid }, text));
}

/* ------------------------------------------------------------------ functions list */

function functionsView(ctx, root, route) {
  setCrumbs([['Functions']]);
  const p = route.params;
  const state = {
    status: p.get('status') || '',
    name: p.get('name') || '',
    sort: p.get('sort') || 'creationDate',
    order: p.get('order') || 'desc',
    page: Math.max(0, parseInt(p.get('page') || '0', 10) || 0),
    version: 0,
  };

  const tbody = h('tbody', {}, emptyRow(11, 'Loading…', 'functions-loading'));
  const count = h('span', { class: 'muted', testid: 'functions-count' });
  const pageInfo = h('span', { class: 'muted', testid: 'functions-page' });
  const prev = h('button', { type: 'button', class: 'btn', testid: 'functions-prev', onclick: () => go(-1) }, '‹ Previous');
  const next = h('button', { type: 'button', class: 'btn', testid: 'functions-next', onclick: () => go(1) }, 'Next ›');

  const changed = () => {
    state.version += 1;
    replaceHash(`/functions${queryString({
      status: state.status, name: state.name, sort: state.sort, order: state.order, page: state.page || '',
    })}`);
    drawHead();
    poller.kick();
  };
  const go = (delta) => {
    state.page = Math.max(0, state.page + delta);
    changed();
  };
  const set = (key) => (value) => {
    state[key] = value;
    state.page = 0;
    changed();
  };
  const nameInput = h('input', {
    type: 'search', value: state.name, placeholder: 'Name contains…', testid: 'functions-filter-name',
    oninput: debounce(() => set('name')(nameInput.value.trim()), 300),
  });

  const thead = h('thead', {});
  const drawHead = () => {
    const header = (label, sortKey) => {
      if (!sortKey) return h('th', {}, label);
      const arrow = state.sort === sortKey ? (state.order === 'asc' ? ' ▲' : ' ▼') : '';
      return h('th', { class: 'sortable' }, h('button', {
        type: 'button', class: 'linklike', testid: `functions-sort-${sortKey}`,
        onclick: () => {
          state.order = state.sort === sortKey && state.order === 'asc' ? 'desc' : 'asc';
          state.sort = sortKey;
          state.page = 0;
          sortSelect.value = state.sort;
          orderSelect.value = state.order;
          changed();
        },
      }, label + arrow));
    };
    thead.replaceChildren(h('tr', {},
      header('Name', 'name'), header('ID'), header('Status', 'status'),
      COUNT_COLUMNS.map((st) => h('th', { class: 'num' }, h('span', { class: `dot st-${st}` }), st.toLowerCase())),
      header('Created', 'creationDate'), header('Modified', 'modifiedDate')));
  };
  const sortSelect = selectEl('functions-sort', FUNCTION_SORTS, state.sort, set('sort'), 'Sort');
  const orderSelect = selectEl('functions-order', [['asc', 'ascending'], ['desc', 'descending']],
    state.order, set('order'), 'Order');
  drawHead();

  root.append(h('section', { class: 'page', testid: 'functions-page' },
    h('div', { class: 'page-head' }, h('h1', {}, 'Functions'), count),
    h('div', { class: 'toolbar' },
      labelled('Status', selectEl('functions-filter-status',
        [['', 'all'], ...FUNCTION_STATUSES.map((x) => [x, x])], state.status, set('status'), 'Status')),
      labelled('Name', nameInput),
      labelled('Sort', sortSelect),
      labelled('Order', orderSelect)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'table', testid: 'functions-table' }, thead, tbody)),
    h('div', { class: 'pager' }, prev, pageInfo, next)));

  const poller = ctx.poll(async () => {
    const version = state.version;
    const reply = await apiGet('functions', {
      status: state.status, name: state.name, sort: state.sort, order: state.order,
      page: state.page, pageSize: PAGE_SIZE,
    });
    if (!ctx.alive || version !== state.version) return;
    const items = reply.items || [];
    const total = reply.total ?? items.length;
    const pages = Math.max(1, Math.ceil(total / (reply.pageSize || PAGE_SIZE)));
    count.textContent = plural(total, 'function');
    pageInfo.textContent = `Page ${state.page + 1} of ${pages}`;
    prev.disabled = state.page === 0;
    next.disabled = state.page + 1 >= pages;
    if (items.length === 0) {
      tbody.replaceChildren(emptyRow(11, state.status || state.name ? 'No function matches.' : 'No functions yet.',
        'functions-empty'));
    } else {
      if (tbody.querySelector('.empty-row')) tbody.replaceChildren();
      reconcileRows(tbody, items, (f) => f.id, functionRow);
    }
  });
}

function functionRow(f) {
  const stats = f.jobStatistics || {};
  return h('tr', { testid: `function-row-${f.id}` },
    h('td', {}, h('a', { href: functionHref(f.id), testid: `function-link-${f.id}`, class: 'strong' }, f.name || f.id)),
    h('td', { class: 'mono muted' }, f.id),
    h('td', {}, badge(f.status, `function-status-${f.id}`), f.enabled === false ? h('span', { class: 'pill' }, 'disabled') : null),
    COUNT_COLUMNS.map((st) => {
      const n = stats[st];
      const text = fmtCount(n ?? null);
      return h('td', { class: `num ${n ? '' : 'zero'}`, testid: `count-${f.id}-${st}` },
        n ? h('a', { href: jobsHref(f.id, { status: st }) }, text) : text);
    }),
    h('td', { class: 'nowrap' }, timeEl(f.creationDate)),
    h('td', { class: 'nowrap' }, timeEl(f.modifiedDate)));
}

/* ------------------------------------------------------------------ live function state */

/**
 * Keeps a function's record and job counts current: server-sent events for the counts (and completions), and
 * GET functions/{fid} every 2 s whenever the stream is not delivering (before its first event, after an error,
 * or for good when it closed), otherwise every 10 s for the attributes.
 */
function liveFunction(ctx, fid, { onRecord, onStats, onCompleted }) {
  let streaming = false;
  let ticks = 0;
  let lastStatus = null;

  const source = ctx.eventSource(apiUrl(`functions/${seg(fid)}/events`));
  source.addEventListener('statistics', (e) => {
    streaming = true;
    try { onStats(JSON.parse(e.data)); } catch (err) { console.error(err); }
  });
  source.addEventListener('completed', (e) => {
    try { onCompleted(JSON.parse(e.data)); } catch (err) { console.error(err); }
  });
  source.addEventListener('error', () => {
    streaming = false; // polled until the stream (re)delivers; EventSource reconnects by itself unless CLOSED
  });

  const poller = ctx.poll(async (forced) => {
    ticks += 1;
    const due = forced || !streaming || ticks % 5 === 0 || TRANSITIONAL_FUNCTION.has(lastStatus);
    if (!due) return;
    const record = await apiGet(`functions/${seg(fid)}`);
    if (!ctx.alive) return;
    lastStatus = record.status;
    onRecord(record);
  });
  return { refresh: () => poller.kick() };
}

/** The progress bar: a segment per status, counts, "12 / 40 done · 3 running". */
function progressWidget(fid) {
  const bar = h('div', { class: 'progress', testid: 'progress', role: 'img', 'aria-label': 'Job progress' });
  const text = h('span', { class: 'progress-text', testid: 'progress-text' }, '—');
  const running = h('strong', { testid: 'running-count' }, '0');
  const maxRunning = h('span', { testid: 'running-max' }, '—');
  const legend = h('div', { class: 'legend', testid: 'progress-legend' });
  const el = h('div', { class: 'progress-widget' },
    h('div', { class: 'progress-head' }, text,
      h('span', { class: 'running' }, 'Running now: ', running, h('span', { class: 'muted' }, ' / max '), maxRunning)),
    bar, legend);

  const order = ['SUCCESS', 'FAILURE', 'TIMEOUT', 'CANCELED', 'CANCELING', 'CANCEL', 'RUNNING', 'PENDING'];

  function update(stats) {
    const counts = {};
    for (const st of JOB_STATUSES) counts[st] = Number((stats || {})[st] || 0);
    const total = JOB_STATUSES.reduce((sum, st) => sum + counts[st], 0);
    const done = DONE_STATUSES.reduce((sum, st) => sum + counts[st], 0);
    text.textContent = `${fmtCount(done)} / ${fmtCount(total)} done · ${fmtCount(counts.RUNNING)} running`;
    running.textContent = String(counts.RUNNING);
    bar.replaceChildren(...order.filter((st) => counts[st] > 0).map((st) => h('a', {
      class: `seg st-${st}`, href: jobsHref(fid, { status: st }), testid: `progress-seg-${st}`,
      style: { flexGrow: String(counts[st]) }, title: `${st}: ${fmtCount(counts[st])}`,
    }, fmtCount(counts[st]))));
    if (total === 0) bar.append(h('span', { class: 'seg-empty' }, 'no jobs'));
    legend.replaceChildren(...order
      .filter((st) => counts[st] > 0 || COUNT_COLUMNS.includes(st))
      .map((st) => h('a', { class: 'legend-item', href: jobsHref(fid, { status: st }), testid: `progress-count-${st}` },
        h('span', { class: `dot st-${st}` }), `${st.toLowerCase()} `, h('strong', {}, fmtCount(counts[st])))));
  }

  function setMaximum(n) {
    maxRunning.textContent = fmtValue(n);
  }

  update({});
  return { el, update, setMaximum };
}

/* ------------------------------------------------------------------ function page */

function functionView(ctx, root, route) {
  const fid = route.fid;
  setCrumbs([['Functions', '#/functions'], [fid]]);

  const title = h('h1', { testid: 'function-name' }, fid);
  const statusBadge = h('span', {});
  const enabledPill = h('span', {});
  const reason = h('p', { class: 'status-reason', testid: 'function-status-reason', hidden: true });
  const attrs = h('dl', { class: 'attrs', testid: 'function-attributes' });
  const progress = progressWidget(fid);
  const actions = functionActions(fid, (r) => show(r));
  const form = attributeForm(fid, (r) => show(r));
  const charts = chartsWidget(ctx, fid);
  const buildLog = buildLogWidget(ctx, fid);
  const jobs = jobsTable(ctx, fid, new URLSearchParams(), { syncHash: false, onAction: () => live.refresh() });

  root.append(h('section', { class: 'page', testid: 'function-page' },
    h('div', { class: 'page-head' },
      h('div', {}, h('div', { class: 'title-line' }, title, statusBadge, enabledPill),
        h('div', { class: 'muted mono', testid: 'function-id' }, fid)),
      actions.el),
    reason,
    h('div', { class: 'card' }, h('h2', {}, 'Progress'), progress.el),
    h('div', { class: 'grid-2' },
      h('div', { class: 'card' }, h('h2', {}, 'Attributes'), attrs),
      h('div', { class: 'card' }, h('h2', {}, 'Adjust'), form.el)),
    h('div', { class: 'card' }, h('h2', {}, 'Charts'), charts.el),
    buildLog.el,
    h('div', { class: 'card' },
      h('div', { class: 'card-head' }, h('h2', {}, 'Jobs'),
        h('a', { href: jobsHref(fid), testid: 'jobs-link' }, 'Open the jobs table ›')),
      jobs.el)));

  function show(r) {
    setCrumbs([['Functions', '#/functions'], [r.name || fid]]);
    document.title = `${r.name || fid} · Spool`;
    title.textContent = r.name || fid;
    statusBadge.replaceChildren(badge(r.status, 'function-status'));
    enabledPill.replaceChildren(r.enabled === false ? h('span', { class: 'pill', testid: 'function-disabled' }, 'disabled') : '');
    reason.textContent = r.statusReason || '';
    reason.hidden = !r.statusReason;
    reason.classList.toggle('is-error', r.status === 'BUILD_FAILED');
    renderAttributes(attrs, r);
    actions.update(r);
    form.update(r);
    progress.setMaximum(r.maximumConcurrency);
    if (r.jobStatistics) stats(r.jobStatistics);
    buildLog.update(r);
  }

  function stats(counts) {
    progress.update(counts);
    const active = ['PENDING', 'RUNNING', 'CANCEL', 'CANCELING'].some((st) => (counts[st] || 0) > 0);
    jobs.setActive(active);
    charts.setActive(active);
  }

  const live = liveFunction(ctx, fid, {
    onRecord: show,
    onStats: stats,
    onCompleted: () => { charts.noteCompletion(); jobs.noteCompletion(); },
  });
}

const ATTRIBUTES = [
  ['entrypoint', 'Entrypoint', (v) => h('code', {}, fmtValue(v))],
  ['image', 'Image'],
  ['cpus', 'CPUs'],
  ['memory', 'Memory', fmtMemory],
  ['maximumConcurrency', 'Max concurrency'],
  ['timeout', 'Timeout', (v) => (v === null || v === undefined ? '—' : `${v} s`)],
  ['retryCount', 'Retries'],
  ['enabled', 'Enabled'],
  ['autoStart', 'Auto start'],
  ['queue', 'Queue'],
  ['priority', 'Priority'],
  ['nodeLabel', 'Node label'],
  ['owner', 'Owner'],
  ['creationDate', 'Created', (v) => timeEl(v)],
  ['modifiedDate', 'Modified', (v) => timeEl(v)],
];

function renderAttributes(dl, r) {
  dl.replaceChildren();
  for (const [key, label, format] of ATTRIBUTES) {
    const value = r[key];
    dl.append(h('dt', {}, label), h('dd', { testid: `attr-${key}` }, format ? format(value) : fmtValue(value)));
  }
  const env = Object.entries(r.environment || {});
  dl.append(h('dt', {}, 'Environment'), h('dd', { testid: 'attr-environment' },
    env.length === 0 ? '—' : h('ul', { class: 'env' }, env.map(([k, v]) => h('li', {}, h('code', {}, `${k}=${v}`))))));
}

function functionActions(fid, onRecord) {
  const buttons = {};
  const labels = { start: 'Start', stop: 'Stop', enable: 'Enable', disable: 'Disable' };
  for (const action of Object.keys(labels)) {
    buttons[action] = h('button', {
      type: 'button', testid: `action-${action}`, class: 'btn',
      onclick: () => guarded(async () => {
        buttons[action].disabled = true;
        try {
          const r = await apiPut(`functions/${seg(fid)}/actions/${action}`, {});
          onRecord(r);
          showNotice(`${labels[action]}: done (${r.status}${r.enabled === false ? ', disabled' : ''}).`);
        } finally {
          buttons[action].disabled = false;
        }
      }),
    }, labels[action]);
  }
  function update(r) {
    buttons.start.disabled = r.status === 'READY';
    buttons.stop.disabled = r.status === 'STOPPED' || r.status === 'BUILD_FAILED';
    buttons.enable.disabled = r.enabled === true;
    buttons.disable.disabled = r.enabled === false;
  }
  return { el: h('div', { class: 'actions', testid: 'function-actions' }, Object.values(buttons)), update };
}

/** The form for maximumConcurrency, cpus, memory, retryCount and timeout: one PUT of what changed. */
function attributeForm(fid, onRecord) {
  let record = null;
  const inputs = {};
  const errors = {};
  const dirty = new Set();
  const status = h('span', { class: 'muted', testid: 'save-status', role: 'status' });
  const save = h('button', { type: 'submit', class: 'btn btn-primary', testid: 'save-attributes' }, 'Save');

  const rows = EDITABLE.map((f) => {
    inputs[f.key] = h('input', {
      type: 'number', id: `input-${f.key}`, testid: `input-${f.key}`, min: String(f.min),
      step: f.kind === 'int' ? '1' : 'any', inputmode: f.kind === 'int' ? 'numeric' : 'decimal',
      oninput: () => { dirty.add(f.key); errors[f.key].textContent = ''; },
    });
    errors[f.key] = h('span', { class: 'field-error', testid: `field-error-${f.key}`, role: 'alert' });
    return h('div', { class: 'form-row' },
      h('label', { for: `input-${f.key}` }, f.label),
      inputs[f.key],
      h('span', { class: 'muted hint' }, f.hint),
      errors[f.key]);
  });

  const el = h('form', { class: 'attr-form', testid: 'attributes-form', novalidate: true, onsubmit: submit },
    rows, h('div', { class: 'form-actions' }, save, status));

  function update(r, { force = false } = {}) {
    record = r;
    for (const f of EDITABLE) {
      if (force || !dirty.has(f.key)) inputs[f.key].value = r[f.key] ?? '';
    }
  }

  function parseField(f) {
    const raw = inputs[f.key].value.trim();
    if (raw === '') return { error: 'required' };
    const value = Number(raw);
    if (!Number.isFinite(value)) return { error: 'not a number' };
    if (f.kind === 'int' && !Number.isInteger(value)) return { error: 'a whole number' };
    return { value };
  }

  async function submit(event) {
    event.preventDefault();
    if (!record) return;
    const body = {};
    let invalid = false;
    for (const f of EDITABLE) {
      errors[f.key].textContent = '';
      const { value, error } = parseField(f);
      if (error) {
        errors[f.key].textContent = error;
        invalid = true;
      } else if (value !== record[f.key]) {
        body[f.key] = value;
      }
    }
    if (invalid) {
      status.textContent = 'Fix the marked fields.';
      return;
    }
    if (Object.keys(body).length === 0) {
      status.textContent = 'Nothing changed.';
      dirty.clear();
      return;
    }
    save.disabled = true;
    status.textContent = 'Saving…';
    try {
      const r = await apiPut(`functions/${seg(fid)}`, body);
      dirty.clear();
      update(r, { force: true });
      onRecord(r);
      status.textContent = `Saved at ${fmtTime(new Date())}.`;
      clearError('action');
    } catch (e) {
      status.textContent = 'Not saved.';
      if (e.field && errors[e.field]) errors[e.field].textContent = e.message;
      showError(e, 'action');
    } finally {
      save.disabled = false;
    }
  }

  return { el, update };
}

function buildLogWidget(ctx, fid) {
  const pre = h('pre', { class: 'log', testid: 'build-log' });
  const details = h('details', { class: 'card', testid: 'build-log-section' },
    h('summary', { testid: 'build-log-toggle' }, h('h2', { class: 'inline' }, 'Build log')), pre);
  let status = null;
  let opened = false;

  async function load() {
    const text = await request('GET', `functions/${seg(fid)}/build-log`, { as: 'text' });
    if (!ctx.alive) return;
    const atBottom = pre.scrollHeight - pre.scrollTop - pre.clientHeight < 30;
    pre.textContent = text || '(empty)';
    if (atBottom) pre.scrollTop = pre.scrollHeight;
  }
  details.addEventListener('toggle', () => {
    if (details.open) guarded(load);
  });
  // While the function builds and the log is open, follow it.
  ctx.poll(async () => {
    if (details.open && TRANSITIONAL_FUNCTION.has(status)) await load();
  });

  function update(r) {
    const was = status;
    status = r.status;
    if (!opened && r.status === 'BUILD_FAILED') {
      opened = true;
      details.open = true; // fires toggle → load
    } else if (details.open && was && was !== status) {
      guarded(load);
    }
  }
  return { el: details, update };
}

/* ------------------------------------------------------------------ charts */

const CHART_W = 640;
const CHART_H = 200;
const MARGIN = { left: 44, right: 12, top: 12, bottom: 30 };

function chartsWidget(ctx, fid) {
  const timeline = h('figure', { class: 'chart', testid: 'chart-timeline' });
  const runtime = h('figure', { class: 'chart', testid: 'chart-runtime' });
  const memory = h('figure', { class: 'chart', testid: 'chart-memory' });
  const el = h('div', { class: 'charts' }, timeline, h('div', { class: 'grid-2' }, runtime, memory));
  let active = false;
  let completedSince = false;
  let lastLoad = 0;

  ctx.poll(async (forced) => {
    const age = Date.now() - lastLoad;
    const due = forced || (completedSince && age > 5000) || (active && age > 10000);
    if (!due) return;
    completedSince = false;
    lastLoad = Date.now();
    const data = await apiGet(`functions/${seg(fid)}/charts`);
    if (!ctx.alive) return;
    drawInto(timeline, 'Completions over time', timelineChart(data && data.timeline));
    drawInto(runtime, 'Runtime', histogramChart(data && data.runtime, fmtShortSeconds, 'Runtime'));
    drawInto(memory, 'Peak memory', histogramChart(
      data && data.peakMemory, (b) => `${Number((b / MIB).toPrecision(3))} MiB`, 'Peak memory'));
  });
  return {
    el,
    setActive: (a) => { active = a; },
    noteCompletion: () => { completedSince = true; },
  };
}

function drawInto(figure, title, content) {
  figure.replaceChildren(h('figcaption', {}, title), content);
}

function niceMax(v) {
  if (v <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(v));
  const f = v / exp;
  const nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return nice * exp;
}

function chartFrame(children, yMax, emptyText) {
  const plotH = CHART_H - MARGIN.top - MARGIN.bottom;
  const plotW = CHART_W - MARGIN.left - MARGIN.right;
  const svg = s('svg', {
    viewBox: `0 0 ${CHART_W} ${CHART_H}`, class: 'chart-svg', role: 'img', preserveAspectRatio: 'xMidYMid meet',
  });
  if (emptyText) {
    svg.append(
      s('rect', { x: MARGIN.left, y: MARGIN.top, width: plotW, height: plotH, class: 'chart-empty-bg' }),
      s('text', { x: CHART_W / 2, y: CHART_H / 2, 'text-anchor': 'middle', class: 'chart-empty-text' }, emptyText));
    return svg;
  }
  for (const frac of [0, 0.5, 1]) {
    const y = MARGIN.top + plotH * (1 - frac);
    svg.append(
      s('line', { x1: MARGIN.left, x2: CHART_W - MARGIN.right, y1: y, y2: y, class: frac ? 'grid' : 'axis' }),
      s('text', { x: MARGIN.left - 6, y: y + 4, 'text-anchor': 'end', class: 'tick' }, fmtCount(yMax * frac)));
  }
  svg.append(...children);
  return svg;
}

function xLabel(x, text, anchor = 'middle') {
  return s('text', { x, y: CHART_H - 10, 'text-anchor': anchor, class: 'tick' }, text);
}

/** Stacked bars of completions per status per bucket, and a line of the jobs running at each bucket's end. */
function timelineChart(timeline) {
  const series = (timeline && timeline.series) || {};
  const running = (timeline && timeline.running) || [];
  const statuses = DONE_STATUSES.filter((st) => Array.isArray(series[st]));
  const n = Math.max(0, running.length, ...statuses.map((st) => series[st].length));
  const totals = Array.from({ length: n }, (_, i) => statuses.reduce((sum, st) => sum + (series[st][i] || 0), 0));
  const peak = Math.max(0, ...totals, ...running);
  const legend = h('div', { class: 'legend' },
    [...DONE_STATUSES, 'RUNNING'].map((st) => h('span', { class: 'legend-item' },
      h('span', { class: st === 'RUNNING' ? 'dot-line st-RUNNING' : `dot st-${st}` }),
      st === 'RUNNING' ? 'running' : st.toLowerCase())));
  if (n === 0 || peak === 0) {
    return h('div', {}, chartFrame([], 0, 'No completed jobs yet'), legend);
  }
  const plotW = CHART_W - MARGIN.left - MARGIN.right;
  const plotH = CHART_H - MARGIN.top - MARGIN.bottom;
  const yMax = niceMax(peak);
  const bw = plotW / n;
  const y = (v) => MARGIN.top + plotH * (1 - v / yMax);
  const start = new Date(timeline.start);
  const bucketMs = (timeline.bucketSeconds || 1) * 1000;
  const at = (i) => new Date(start.getTime() + i * bucketMs);
  const validStart = !Number.isNaN(start.getTime());

  const parts = [];
  for (let i = 0; i < n; i += 1) {
    let base = 0;
    for (const st of statuses) {
      const v = series[st][i] || 0;
      if (!v) continue;
      parts.push(s('rect', {
        x: MARGIN.left + i * bw + (bw > 4 ? 0.5 : 0), width: Math.max(0.5, bw > 4 ? bw - 1 : bw),
        y: y(base + v), height: Math.max(0.5, y(base) - y(base + v)), class: `fill-${st}`,
      }, s('title', {}, `${validStart ? fmtTime(at(i)) : `#${i}`}: ${v} ${st}`)));
      base += v;
    }
  }
  if (running.length > 0) {
    const points = running.map((v, i) => `${MARGIN.left + (i + 1) * bw},${y(v || 0)}`);
    points.unshift(`${MARGIN.left},${y(running[0] || 0)}`);
    parts.push(s('polyline', { points: points.join(' '), class: 'line-RUNNING' }));
  }
  if (validStart) {
    parts.push(xLabel(MARGIN.left, fmtTime(at(0)), 'start'),
      xLabel(MARGIN.left + plotW / 2, fmtTime(at(n / 2))),
      xLabel(CHART_W - MARGIN.right, fmtTime(at(n)), 'end'));
  }
  return h('div', {}, chartFrame(parts, yMax), legend,
    h('div', { class: 'muted small' }, `${timeline.bucketSeconds || '?'} s per bar`));
}

/** A histogram: counts[i] jobs between edges[i] and edges[i+1]. */
function histogramChart(hist, fmtEdge, what) {
  const counts = (hist && hist.counts) || [];
  const edges = (hist && hist.edges) || [];
  const peak = Math.max(0, ...counts);
  if (counts.length === 0 || peak === 0) return chartFrame([], 0, 'No data yet');
  const plotW = CHART_W - MARGIN.left - MARGIN.right;
  const plotH = CHART_H - MARGIN.top - MARGIN.bottom;
  const yMax = niceMax(peak);
  const bw = plotW / counts.length;
  const edge = (i) => (edges[i] === undefined ? '' : fmtEdge(Number(edges[i])));
  const parts = counts.map((c, i) => s('rect', {
    x: MARGIN.left + i * bw + 1, width: Math.max(0.5, bw - 2),
    y: MARGIN.top + plotH * (1 - c / yMax), height: plotH * (c / yMax), class: 'fill-hist',
  }, s('title', {}, `${what} ${edge(i)}–${edge(i + 1)}: ${plural(c, 'job')}`)));
  const mid = Math.round(counts.length / 2);
  parts.push(xLabel(MARGIN.left, edge(0), 'start'),
    xLabel(MARGIN.left + mid * bw, edge(mid)),
    xLabel(CHART_W - MARGIN.right, edge(counts.length), 'end'));
  return chartFrame(parts, yMax);
}

/* ------------------------------------------------------------------ jobs table */

function jobsView(ctx, root, route) {
  const fid = route.fid;
  setCrumbs([['Functions', '#/functions'], [fid, functionHref(fid)], ['Jobs']]);
  const title = h('h1', { testid: 'jobs-title' }, 'Jobs');
  const statusBadge = h('span', {});
  const progress = progressWidget(fid);
  const jobs = jobsTable(ctx, fid, route.params, { syncHash: true, onAction: () => live.refresh() });

  root.append(h('section', { class: 'page', testid: 'jobs-page' },
    h('div', { class: 'page-head' },
      h('div', {}, h('div', { class: 'title-line' }, title, statusBadge),
        h('a', { href: functionHref(fid), class: 'mono', testid: 'function-link' }, fid))),
    h('div', { class: 'card' }, progress.el),
    h('div', { class: 'card' }, jobs.el)));

  const stats = (counts) => {
    progress.update(counts);
    jobs.setActive(['PENDING', 'RUNNING', 'CANCEL', 'CANCELING'].some((st) => (counts[st] || 0) > 0));
  };
  const live = liveFunction(ctx, fid, {
    onRecord: (r) => {
      title.textContent = `Jobs of ${r.name || fid}`;
      document.title = `Jobs of ${r.name || fid} · Spool`;
      setCrumbs([['Functions', '#/functions'], [r.name || fid, functionHref(fid)], ['Jobs']]);
      statusBadge.replaceChildren(badge(r.status, 'function-status'));
      progress.setMaximum(r.maximumConcurrency);
      if (r.jobStatistics) stats(r.jobStatistics);
    },
    onStats: stats,
    onCompleted: () => jobs.noteCompletion(),
  });
}

/**
 * The jobs of one function, paged on the server with keyset page tokens. Filters and sort live in `state`;
 * with syncHash they are mirrored into the hash (#/functions/{fid}/jobs?status=...&tag=...&sort=...&order=...).
 */
function jobsTable(ctx, fid, params, { syncHash, onAction }) {
  const state = {
    status: params.get('status') || '',
    tag: params.get('tag') || '',
    sort: params.get('sort') || 'id',
    order: params.get('order') || 'asc',
    token: null, // the current page's token (null: the first page)
    previous: [], // tokens of the pages before this one
    version: 0,
  };
  let items = null;
  let total = null;
  let nextToken = null;
  let externalActive = false;
  let refreshUntil = 0;
  let completedSince = false;
  let matchingMode = false; // the selection is "every job matching the filter", not checkboxes
  const selected = new Set();

  const tbody = h('tbody', {}, emptyRow(11, 'Loading…', 'jobs-loading'));
  const count = h('span', { class: 'count', testid: 'jobs-count' }, '…');
  const pageInfo = h('span', { class: 'muted', testid: 'page-info' });
  const first = h('button', { type: 'button', class: 'btn', testid: 'first-page', onclick: () => turn('first') }, '« First');
  const prev = h('button', { type: 'button', class: 'btn', testid: 'prev-page', onclick: () => turn('prev') }, '‹ Previous');
  const next = h('button', { type: 'button', class: 'btn', testid: 'next-page', onclick: () => turn('next') }, 'Next ›');
  const selectAll = h('input', {
    type: 'checkbox', testid: 'select-all', 'aria-label': 'Select all jobs on this page',
    onchange: () => toggleAll(selectAll.checked),
  });
  const selection = h('span', { class: 'muted', testid: 'selected-count' });
  const matchingNote = h('div', { class: 'matching-note', testid: 'matching-note', hidden: true });
  const bulk = {};
  for (const [verb, label] of [['rerun', 'Rerun'], ['cancel', 'Cancel'], ['delete', 'Delete']]) {
    bulk[verb] = h('button', {
      type: 'button', class: `btn ${verb === 'delete' ? 'btn-danger' : ''}`, testid: `bulk-${verb}`, disabled: true,
      onclick: () => guarded(() => runBulk(verb)),
    }, label);
  }
  const tagInput = h('input', {
    type: 'search', value: state.tag, placeholder: 'tag', testid: 'filter-tag',
    oninput: debounce(() => set('tag')(tagInput.value.trim()), 400),
    onkeydown: (e) => { if (e.key === 'Enter') set('tag')(tagInput.value.trim()); },
  });

  const el = h('div', { class: 'jobs' },
    h('div', { class: 'toolbar' },
      labelled('Status', selectEl('filter-status', [['', 'all'], ...JOB_STATUSES.map((x) => [x, x])],
        state.status, set('status'), 'Status')),
      labelled('Tag', tagInput),
      labelled('Sort', selectEl('sort', JOB_SORTS, state.sort, set('sort'), 'Sort')),
      labelled('Order', selectEl('order', [['asc', 'ascending'], ['desc', 'descending']], state.order,
        set('order'), 'Order')),
      h('span', { class: 'spacer' }),
      count),
    h('div', { class: 'toolbar bulk-bar' }, bulk.rerun, bulk.cancel, bulk.delete, selection),
    matchingNote,
    h('div', { class: 'table-wrap' },
      h('table', { class: 'table', testid: 'jobs-table' },
        h('thead', {}, h('tr', {},
          h('th', { class: 'check' }, selectAll), h('th', {}, 'ID'), h('th', {}, 'Status'),
          h('th', { class: 'num' }, 'Attempts'), h('th', { class: 'num' }, 'Runtime'), h('th', {}, 'Tags'),
          h('th', {}, 'Created'), h('th', {}, 'Last run'), h('th', {}, 'Completed'), h('th', {}, 'Exit / error'))),
        tbody)),
    h('div', { class: 'pager' }, first, prev, pageInfo, next));

  function set(key) {
    return (value) => {
      if (state[key] === value) return;
      state[key] = value;
      state.token = null;
      state.previous = [];
      changed();
    };
  }

  function changed() {
    state.version += 1;
    selected.clear();
    matchingMode = false;
    if (syncHash) {
      replaceHash(`/functions/${seg(fid)}/jobs${queryString({
        status: state.status, tag: state.tag, sort: state.sort, order: state.order,
      })}`);
    }
    tbody.classList.add('stale');
    poller.kick();
  }

  function turn(where) {
    if (where === 'next' && nextToken) {
      state.previous.push(state.token);
      state.token = nextToken;
    } else if (where === 'prev' && state.previous.length) {
      state.token = state.previous.pop();
    } else if (where === 'first') {
      state.token = null;
      state.previous = [];
    } else {
      return;
    }
    changed();
  }

  function shouldRefresh() {
    if (items === null || externalActive || completedSince || Date.now() < refreshUntil) return true;
    return items.some((j) => !TERMINAL.has(j.status));
  }

  const poller = ctx.poll(async (forced) => {
    if (!forced && !shouldRefresh()) return;
    completedSince = false;
    const version = state.version;
    const reply = await apiGet(`functions/${seg(fid)}/jobs`, {
      status: state.status, tag: state.tag, sort: state.sort, order: state.order,
      pageSize: PAGE_SIZE, pageToken: state.token,
    });
    if (!ctx.alive || version !== state.version) return;
    items = reply.items || [];
    total = reply.total ?? null;
    nextToken = reply.nextPageToken || null;
    draw();
  });

  function draw() {
    tbody.classList.remove('stale');
    const pageNo = state.previous.length + 1;
    const from = (pageNo - 1) * PAGE_SIZE + (items.length ? 1 : 0);
    const to = (pageNo - 1) * PAGE_SIZE + items.length;
    const filtered = Boolean(state.status || state.tag);
    if (total !== null) {
      count.textContent = `${plural(total, 'job')}${filtered ? ' match' : ''}`;
    } else {
      count.textContent = nextToken ? `${fmtCount(to)}+ jobs${filtered ? ' match' : ''}`
        : `${plural(to, 'job')}${filtered ? ' match' : ''}`;
    }
    pageInfo.textContent = items.length ? `Page ${pageNo} · ${fmtCount(from)}–${fmtCount(to)}` : `Page ${pageNo}`;
    first.hidden = pageNo <= 2;
    prev.disabled = state.previous.length === 0;
    next.disabled = !nextToken;
    const onPage = new Set(items.map((j) => j.id));
    for (const id of [...selected]) if (!onPage.has(id)) selected.delete(id);
    if (items.length === 0) {
      tbody.replaceChildren(emptyRow(10, filtered ? 'No job matches.' : 'No jobs yet.', 'jobs-empty'));
    } else {
      if (tbody.querySelector('.empty-row')) tbody.replaceChildren();
      reconcileRows(tbody, items, (j) => j.id, jobRow);
      for (const box of tbody.querySelectorAll('input[type=checkbox]')) box.checked = selected.has(box.value);
    }
    drawSelection();
  }

  function jobRow(j) {
    const box = h('input', {
      type: 'checkbox', value: j.id, testid: `select-${j.id}`, 'aria-label': `Select ${j.id}`,
      checked: selected.has(j.id),
      onchange: () => {
        if (box.checked) selected.add(j.id); else selected.delete(j.id);
        matchingMode = false;
        drawSelection();
      },
    });
    const problem = j.errorReason || (j.exitCode !== null && j.exitCode !== undefined && j.exitCode !== 0
      ? `exit ${j.exitCode}` : '');
    return h('tr', { testid: `job-row-${j.id}`, class: `row-${j.status}` },
      h('td', { class: 'check' }, box),
      h('td', { class: 'mono' }, h('a', { href: jobHref(j.id), testid: `job-link-${j.id}` }, j.id)),
      h('td', {}, badge(j.status, `job-status-${j.id}`)),
      h('td', { class: 'num', testid: `job-attempts-${j.id}` }, fmtCount(j.executionCount ?? 0)),
      h('td', { class: 'num nowrap' }, fmtSeconds(j.runtime)),
      h('td', {}, (j.tags || []).map((t) => h('span', { class: 'tag' }, t))),
      h('td', { class: 'nowrap' }, timeEl(j.creationDate)),
      h('td', { class: 'nowrap' }, timeEl(j.lastExecutionDate)),
      h('td', { class: 'nowrap' }, timeEl(j.lastCompletionDate)),
      h('td', { class: 'problem', title: problem || null }, summaryLine(problem)));
  }

  /** A reason's last non-empty line (a traceback's ends with the exception), cut to fit a cell. */
  function summaryLine(text) {
    const lines = (text || '').split('\n').map((l) => l.trim()).filter(Boolean);
    const last = lines.length ? lines[lines.length - 1] : '';
    return last.length > 100 ? `${last.slice(0, 99)}…` : last;
  }

  function toggleAll(on) {
    selected.clear();
    if (on) for (const j of items || []) selected.add(j.id);
    for (const box of tbody.querySelectorAll('input[type=checkbox]')) box.checked = on;
    matchingMode = false;
    drawSelection();
  }

  function drawSelection() {
    const n = selected.size;
    const onPage = (items || []).length;
    selectAll.checked = onPage > 0 && n === onPage;
    selectAll.indeterminate = n > 0 && n < onPage;
    for (const b of Object.values(bulk)) b.disabled = n === 0;
    selection.textContent = matchingMode
      ? `all ${total !== null ? fmtCount(total) : ''} jobs matching the filter selected`.replace('  ', ' ')
      : (n ? `${fmtCount(n)} selected` : '');
    const more = nextToken || state.previous.length > 0;
    matchingNote.hidden = !(n > 0 && n === onPage && more);
    if (!matchingNote.hidden) {
      matchingNote.replaceChildren(matchingMode
        ? h('span', {}, `Every job matching this filter is selected. `,
          h('button', { type: 'button', class: 'linklike', testid: 'select-page-only',
            onclick: () => { matchingMode = false; drawSelection(); } }, 'Only this page'))
        : h('span', {}, `The ${fmtCount(n)} jobs on this page are selected. `,
          h('button', { type: 'button', class: 'linklike', testid: 'select-matching',
            onclick: () => { matchingMode = true; drawSelection(); } },
          `Select all ${total !== null ? `${fmtCount(total)} ` : ''}jobs matching this filter`)));
    }
  }

  function filterOfState() {
    const filter = {};
    if (state.status) filter.status = state.status.split(',').filter(Boolean);
    if (state.tag) filter.tags = [state.tag];
    return filter;
  }

  async function runBulk(verb) {
    const body = { verb };
    let what;
    if (matchingMode) {
      body.filter = filterOfState();
      const dry = await apiPut(`functions/${seg(fid)}/operations/${newRequestId()}`, { ...body, dryRun: true });
      what = `${plural(dry.matched, 'job')} matching the filter`;
      if (!window.confirm(`${verb[0].toUpperCase()}${verb.slice(1)} ${what}?`)) return;
    } else {
      body.jobIds = [...selected];
      if (body.jobIds.length === 0) return;
      what = plural(body.jobIds.length, 'selected job');
      if (verb === 'delete' && !window.confirm(`Delete ${what}? Their logs go with them; results are kept.`)) return;
    }
    if (verb === 'delete') body.deleteResults = false;
    Object.values(bulk).forEach((b) => { b.disabled = true; });
    try {
      const reply = await apiPut(`functions/${seg(fid)}/operations/${newRequestId()}`, body);
      showNotice(`${verb[0].toUpperCase()}${verb.slice(1)}: ${fmtCount(reply.affected)} of ${what} affected`
        + `${reply.matched !== undefined && reply.matched !== reply.affected ? ` (${fmtCount(reply.matched)} matched)` : ''}.`);
      clearError('action');
    } finally {
      selected.clear();
      matchingMode = false;
      refreshUntil = Date.now() + 15000;
      poller.kick();
      drawSelection();
      if (onAction) onAction();
    }
  }

  return {
    el,
    setActive: (active) => { externalActive = active; },
    noteCompletion: () => { completedSince = true; },
  };
}

/* ------------------------------------------------------------------ job page */

function jobView(ctx, root, route) {
  const jid = route.jid;
  setCrumbs([['Functions', '#/functions'], [jid]]);
  let job = null;

  const title = h('h1', { class: 'mono', testid: 'job-id' }, jid);
  const statusBadge = h('span', {});
  const fnLink = h('a', { class: 'mono', testid: 'job-function-link' });
  const history = h('ol', { class: 'history', testid: 'job-history' });
  const problem = h('div', { class: 'problem-box', testid: 'job-error', hidden: true });
  const statsList = h('dl', { class: 'attrs', testid: 'job-stats' });
  const args = h('div', { testid: 'job-args' });
  const resultBox = h('div', { testid: 'job-result-box' }, h('span', { class: 'muted' }, 'Loading…'));
  const actions = jobActions(jid, () => job, (updated) => { merge(updated); poller.kick(); });
  const log = logWidget(ctx, jid);

  root.append(h('section', { class: 'page', testid: 'job-page' },
    h('div', { class: 'page-head' },
      h('div', {}, h('div', { class: 'title-line' }, title, statusBadge), fnLink),
      actions.el),
    problem,
    h('div', { class: 'grid-2' },
      h('div', { class: 'card' }, h('h2', {}, 'Status history'), history),
      h('div', { class: 'card' }, h('h2', {}, 'Statistics'), statsList)),
    h('div', { class: 'grid-2' },
      h('div', { class: 'card' }, h('h2', {}, 'Arguments'), args),
      h('div', { class: 'card' }, h('h2', {}, 'Result'), resultBox)),
    h('div', { class: 'card' }, h('h2', {}, 'Log'), log.el)));

  let resultShownFor = null;

  function merge(updated) {
    if (!updated || updated.deleted) return;
    // Action replies may leave out args and kwargs: keep what the page has.
    job = { ...(job || {}), ...updated };
    show(job);
  }

  function show(j) {
    document.title = `${j.id} · Spool`;
    setCrumbs([['Functions', '#/functions'], [j.functionId, functionHref(j.functionId)],
      ['Jobs', jobsHref(j.functionId)], [j.id]]);
    statusBadge.replaceChildren(badge(j.status, 'job-status'));
    fnLink.textContent = `function ${j.functionId}`;
    fnLink.href = functionHref(j.functionId);
    renderHistory(history, j);
    renderProblem(problem, j);
    renderJobStats(statsList, j);
    renderArgs(args, j);
    actions.update(j);
    log.setJob(j);
    const resultKey = `${j.status}:${j.lastCompletionDate}:${j.resultKind}`;
    if (resultShownFor !== resultKey) {
      resultShownFor = resultKey;
      guarded(() => showResult(ctx, resultBox, j));
    }
  }

  const poller = ctx.poll(async (forced) => {
    if (!forced && job && TERMINAL.has(job.status)) return;
    const j = await apiGet(`jobs/${seg(jid)}`);
    if (!ctx.alive) return;
    job = j;
    show(j);
  });
  log.onEnded(() => poller.kick());
}

function renderHistory(ol, j) {
  const step = (label, iso, extra, testid) => h('li', { class: iso ? 'done' : 'todo', testid },
    h('span', { class: 'history-label' }, label), ' ', iso ? timeEl(iso) : h('span', { class: 'muted' }, '—'),
    extra ? h('span', { class: 'muted' }, ` ${extra}`) : null);
  const terminal = TERMINAL.has(j.status);
  setChildren(ol,
    step('Created', j.creationDate, 'PENDING', 'history-created'),
    step('Last executed', j.lastExecutionDate,
      j.executionCount ? `attempt ${j.executionCount}${terminal ? '' : ` · ${j.status}`}` : null, 'history-executed'),
    step('Last completed', j.lastCompletionDate, terminal ? j.status : null, 'history-completed'),
    h('li', { class: 'now' }, h('span', { class: 'history-label' }, 'Now'), ' ', badge(j.status),
      j.runtime !== null && j.runtime !== undefined ? h('span', { class: 'muted' }, ` ran ${fmtSeconds(j.runtime)}`) : null),
    j.tags && j.tags.length ? h('li', { class: 'tags-line' }, h('span', { class: 'history-label' }, 'Tags'), ' ',
      j.tags.map((t) => h('span', { class: 'tag' }, t))) : null);
}

function renderProblem(box, j) {
  const hasExit = j.exitCode !== null && j.exitCode !== undefined;
  const show = Boolean(j.errorReason) || (hasExit && j.exitCode !== 0);
  box.hidden = !show;
  setChildren(box, !show ? null : [
    h('div', { class: 'problem-title' }, j.status === 'SUCCESS' ? 'Last attempt' : 'Why it failed',
      hasExit ? h('span', { class: 'muted', testid: 'job-exit-code' }, ` · exit code ${j.exitCode}`) : null),
    j.errorReason ? h('pre', { class: 'problem-text', testid: 'job-error-reason' }, j.errorReason) : null]);
}

function renderJobStats(dl, j) {
  const st = j.statistics;
  const rows = [
    ['Runtime', fmtSeconds(j.runtime), 'stat-runtime'],
    ['Attempts', fmtCount(j.executionCount ?? 0), 'stat-attempts'],
    ['CPU time', st && st.cpuSeconds !== null && st.cpuSeconds !== undefined ? fmtSeconds(st.cpuSeconds) : '—', 'stat-cpu-seconds'],
    ['CPU', st && st.cpuPercent !== null && st.cpuPercent !== undefined ? `${Number(st.cpuPercent).toFixed(1)} %` : '—', 'stat-cpu-percent'],
    ['Peak memory', st ? fmtBytesMiB(st.peakMemoryBytes) : '—', 'stat-peak-memory'],
    ['Average memory', st ? fmtBytesMiB(st.averageMemoryBytes) : '—', 'stat-average-memory'],
  ];
  dl.replaceChildren(...rows.flatMap(([label, value, testid]) => [h('dt', {}, label), h('dd', { testid }, value)]));
  const env = Object.entries(j.environment || {});
  if (env.length) {
    dl.append(h('dt', {}, 'Environment'),
      h('dd', {}, h('ul', { class: 'env' }, env.map(([k, v]) => h('li', {}, h('code', {}, `${k}=${v}`))))));
  }
}

function renderArgs(box, j) {
  const sig = JSON.stringify([j.args, j.kwargs]);
  if (box.dataset.sig === sig) return; // unchanged: keep the user's text selection
  box.dataset.sig = sig;
  box.replaceChildren(
    h('div', { class: 'muted small' }, 'args'),
    h('pre', { class: 'json', testid: 'job-args-positional' }, prettyJson(j.args ?? [])),
    h('div', { class: 'muted small' }, 'kwargs'),
    h('pre', { class: 'json', testid: 'job-kwargs' }, prettyJson(j.kwargs ?? {})));
}

async function showResult(ctx, box, j) {
  const downloadLink = () => h('a', {
    href: apiUrl(`jobs/${seg(j.id)}/result/data`), download: '', testid: 'result-download', class: 'btn',
  }, 'Download the result (bytes)');
  if (j.status !== 'SUCCESS') {
    box.replaceChildren(h('span', { class: 'muted', testid: 'job-result-none' },
      TERMINAL.has(j.status) ? `No result: the job ended ${j.status}.` : 'No result yet.'));
    return;
  }
  if (j.resultKind === 'bytes') {
    box.replaceChildren(downloadLink());
    return;
  }
  if (j.resultKind === null) {
    box.replaceChildren(h('span', { class: 'muted', testid: 'job-result-none' }, 'The job returned nothing (None).'));
    return;
  }
  let response;
  try {
    response = await request('GET', `jobs/${seg(j.id)}/result`, { as: 'response', accept: 'application/json, */*' });
  } catch (e) {
    if (e.status === 404) {
      box.replaceChildren(h('span', { class: 'muted', testid: 'job-result-none' }, 'No result stored.'));
      return;
    }
    throw e;
  }
  if (!ctx.alive) return;
  const type = response.headers.get('Content-Type') || '';
  if (!type.includes('json')) {
    box.replaceChildren(downloadLink());
    return;
  }
  const text = await response.text();
  let pretty = text;
  try { pretty = prettyJson(JSON.parse(text)); } catch (e) { /* shown as it came */ }
  box.replaceChildren(h('pre', { class: 'json result', testid: 'job-result' }, pretty),
    h('a', { href: apiUrl(`jobs/${seg(j.id)}/result/data`), download: '', class: 'small', testid: 'result-download' },
      'Download'));
}

function jobActions(jid, getJob, onJob) {
  const make = (action, label, cls) => h('button', {
    type: 'button', class: `btn ${cls || ''}`, testid: `job-${action}`,
    onclick: () => guarded(() => act(action, label)),
  }, label);
  const buttons = { cancel: make('cancel', 'Cancel'), rerun: make('rerun', 'Rerun'), delete: make('delete', 'Delete', 'btn-danger') };

  async function act(action, label) {
    const job = getJob();
    if (action === 'delete' && !window.confirm(`Delete job ${jid}? Its log goes with it; its result is kept.`)) return;
    buttons[action].disabled = true;
    try {
      const reply = await apiPut(`jobs/${seg(jid)}/actions/${action}`, {});
      if (action === 'delete') {
        showNotice(`Deleted job ${jid}.`);
        location.hash = job ? jobsHref(job.functionId).slice(1) : '/functions';
        return;
      }
      showNotice(`${label}: job ${jid} is ${reply.status}.`);
      onJob(reply);
    } finally {
      buttons[action].disabled = false;
      if (getJob()) update(getJob());
    }
  }

  function update(j) {
    buttons.cancel.disabled = !['PENDING', 'RUNNING'].includes(j.status);
    buttons.rerun.disabled = !['FAILURE', 'TIMEOUT', 'CANCELED'].includes(j.status);
    buttons.delete.disabled = ['RUNNING', 'CANCEL', 'CANCELING'].includes(j.status);
  }
  return { el: h('div', { class: 'actions', testid: 'job-actions' }, Object.values(buttons)), update };
}

/* ------------------------------------------------------------------ job log */

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\S+)\s(.*)$/s;

function splitLines(text) {
  const lines = text.split('\n');
  if (lines.length && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * A job's log, per attempt. A running attempt is followed with server-sent events (GET jobs/{jid}/log?follow=true);
 * when the stream is silent or broken the log is read again with a plain GET every 2 s. Lines that the GET showed
 * and the stream repeats are shown once (a stream may start at the top of the log or at its end).
 */
function logWidget(ctx, jid) {
  const pre = h('pre', { class: 'log', testid: 'job-log', tabindex: '0' });
  const empty = h('div', { class: 'muted', testid: 'job-log-empty', hidden: true }, 'No output.');
  const attempts = h('div', { class: 'attempts', testid: 'attempts' });
  const live = h('span', { class: 'live', testid: 'log-live', hidden: true }, '● live');
  const raw = h('a', { class: 'small', testid: 'log-raw', target: '_blank', rel: 'noopener' }, 'plain text');
  const el = h('div', { class: 'log-widget' },
    h('div', { class: 'toolbar' }, h('span', { class: 'muted' }, 'Attempt'), attempts, live, h('span', { class: 'spacer' }), raw),
    pre, empty);

  let job = null;
  let attempt = null; // the attempt shown
  let pinned = false; // the user chose an older attempt: do not jump to the newest
  let shown = 0; // lines in the <pre>
  let budget = new Map(); // line -> times the last GET showed it and the stream has not repeated it
  let source = null;
  let streamOver = null; // the attempt whose stream ended or kept breaking: not opened again, the poll reads the log
  let streamErrors = 0;
  let lastStreamLine = 0;
  let streamed = false; // the open stream has delivered a line (a buffering proxy may hold every line back)
  let loading = false;
  let endedListener = () => {};

  const isLatest = () => job && attempt === job.executionCount;
  const shouldFollow = () => job && !TERMINAL.has(job.status) && isLatest() && attempt > 0;
  const mayStream = () => shouldFollow() && streamOver !== attempt;

  function lineNode(line) {
    const m = TIMESTAMP.exec(line);
    const frag = document.createDocumentFragment();
    if (m) frag.append(h('span', { class: 'ts' }, m[1]), ` ${m[2]}\n`);
    else frag.append(`${line}\n`);
    return frag;
  }

  /** "No output." instead of an empty log box, once the attempt is over. */
  function syncEmpty() {
    empty.hidden = shown > 0 || !job || !TERMINAL.has(job.status) || loading;
    pre.hidden = !empty.hidden;
  }

  function atBottom() {
    return pre.scrollHeight - pre.scrollTop - pre.clientHeight < 40;
  }

  function setText(text) {
    const lines = splitLines(text);
    if (lines.length < shown) return; // an older read than what the stream already showed
    const stick = atBottom() || shown === 0;
    const frag = document.createDocumentFragment();
    for (const line of lines) frag.append(lineNode(line));
    pre.replaceChildren(frag);
    shown = lines.length;
    budget = new Map();
    for (const line of lines) budget.set(line, (budget.get(line) || 0) + 1);
    syncEmpty();
    if (stick) pre.scrollTop = pre.scrollHeight;
  }

  function appendStreamed(line) {
    lastStreamLine = Date.now();
    streamed = true;
    const left = budget.get(line) || 0;
    if (left > 0) {
      budget.set(line, left - 1);
      return;
    }
    const stick = atBottom();
    pre.append(lineNode(line));
    shown += 1;
    syncEmpty();
    if (stick) pre.scrollTop = pre.scrollHeight;
  }

  async function load() {
    if (!attempt) return;
    const which = attempt;
    loading = true;
    try {
      const text = await request('GET', `jobs/${seg(jid)}/log`, { params: { attempt: which }, as: 'text' });
      if (ctx.alive && which === attempt) setText(text);
    } finally {
      loading = false;
      syncEmpty();
    }
  }

  function stopFollowing() {
    if (source) source.close();
    source = null;
    live.hidden = true;
  }

  function follow() {
    if (source) return;
    const which = attempt;
    source = new EventSource(apiUrl(`jobs/${seg(jid)}/log`, { follow: 'true', attempt: which }));
    const mine = source;
    ctx.onClose(() => mine.close());
    lastStreamLine = Date.now();
    streamed = false;
    live.hidden = false;
    mine.addEventListener('line', (e) => { if (mine === source) appendStreamed(e.data); });
    mine.addEventListener('end', () => {
      if (mine !== source) return;
      streamOver = which;
      stopFollowing();
      guarded(load);
      endedListener();
    });
    // A broken stream is not left to reconnect on its own (it might replay what the page has): the poll below
    // reads the log again and opens a new one, up to 3 times per attempt.
    mine.addEventListener('error', () => {
      if (mine !== source) return;
      streamErrors += 1;
      if (mine.readyState === EventSource.CLOSED || streamErrors >= 3) streamOver = which;
      stopFollowing();
    });
  }

  function select(n, byUser) {
    if (byUser) pinned = n !== job.executionCount;
    if (n === attempt) return;
    stopFollowing();
    attempt = n;
    shown = 0;
    streamErrors = 0;
    budget = new Map();
    pre.replaceChildren();
    raw.href = apiUrl(`jobs/${seg(jid)}/log`, { attempt: n });
    drawAttempts();
    guarded(async () => {
      await load();
      if (ctx.alive && n === attempt && mayStream()) follow();
    });
  }

  function drawAttempts() {
    const count = job ? job.executionCount || 0 : 0;
    attempts.replaceChildren();
    if (count === 0) {
      attempts.append(h('span', { class: 'muted', testid: 'no-attempts' }, 'none yet'));
      return;
    }
    for (let n = 1; n <= count; n += 1) {
      attempts.append(h('button', {
        type: 'button', class: `btn btn-small ${n === attempt ? 'is-active' : ''}`, testid: `attempt-${n}`,
        'aria-pressed': String(n === attempt), onclick: () => select(n, true),
      }, String(n)));
    }
  }

  function setJob(j) {
    const before = job;
    job = j;
    const count = j.executionCount || 0;
    if (count > 0 && (attempt === null || (!pinned && attempt !== count))) {
      select(count, false);
    } else if (!before || before.executionCount !== count) {
      drawAttempts();
    }
    if (!shouldFollow() && source) {
      stopFollowing();
      guarded(load); // the final lines
    }
    syncEmpty();
  }

  // No stream, a stream that has delivered nothing yet, or one quiet for 5 s: read the log again (new lines are
  // added, repeats dropped), then (re)open the stream if it may be.
  ctx.poll(async () => {
    if (!shouldFollow() || loading) return;
    if (!source || !streamed || Date.now() - lastStreamLine > 5000) {
      await load();
      if (source) lastStreamLine = Date.now(); // a quiet stream: read again in 5 s, not every 2 s
      else if (ctx.alive && mayStream()) follow();
    }
  });

  return { el, setJob, onEnded: (fn) => { endedListener = fn; } };
}

/* ------------------------------------------------------------------ start */

function init() {
  if (USER) byId('whoami').textContent = `user ${USER}`;
  byId('error-close').addEventListener('click', () => clearError());
  byId('notice').addEventListener('click', hideNotice);
  window.addEventListener('hashchange', render);
  render();
}

init();
