// The Sluice dashboard: plain JavaScript over the JSON admin API (/api/...), no build step.
// Every change is a fetch with the session's CSRF token in X-CSRF-Token. Text from the server
// is always inserted as text, never as HTML.

import { el, labelsOf, ruleCode, settingsForm, showErrors } from './settings-form.js';

const state = { csrf: null, types: null, timer: null, events: null, entries: new Map(), items: new Map(), filter: 'all' };
const main = document.getElementById('view');
const enc = encodeURIComponent;

async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  if (method !== 'GET') headers['X-CSRF-Token'] = state.csrf;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(path, {
    method, headers, credentials: 'same-origin', cache: 'no-store',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401) {
    location.assign('/login');
    throw new Error('the session has ended');
  }
  const type = response.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await response.json() : {};
  return { ok: response.ok, status: response.status, data };
}

function destinationPath(source, name) {
  return `/api/sources/${enc(source)}/destinations/${enc(name)}`;
}

// A message about the last change. It stays until closed or until the user moves to another view
// (a message that vanished on a timer could be missed); `view` is the one it belongs to.
let flashView = null;
function flash(text, error = false, view = currentView()) {
  const box = document.getElementById('flash');
  const close = el('button', { type: 'button', class: 'quiet close', 'aria-label': 'Close this message', title: 'Close' }, '×');
  close.addEventListener('click', () => { box.hidden = true; });
  box.replaceChildren(el('span', { class: 'text' }, text), close);
  box.className = error ? 'error' : '';
  box.hidden = false;
  flashView = view;
}

function currentView() {
  return location.hash && location.hash !== '#' ? location.hash : '#/';
}

function stop() {
  clearInterval(state.timer);
  state.timer = null;
  if (state.events) {
    state.events.close();
    state.events = null;
  }
}

function route() {
  stop();
  if (flashView !== currentView()) document.getElementById('flash').hidden = true;
  const parts = (location.hash || '#/').slice(2).split('/').filter(p => p !== '').map(decodeURIComponent);
  document.getElementById('nav-overview').classList.toggle('active', parts[0] !== 'debugger');
  document.getElementById('nav-debugger').classList.toggle('active', parts[0] === 'debugger');
  if (parts[0] === 'debugger') return debuggerView();
  if (parts[0] === 'sources' && parts[2] === 'new') return formView(parts[1], null);
  if (parts[0] === 'sources' && parts[2] === 'edit' && parts[3]) return formView(parts[1], parts[3]);
  return overview();
}

// ---- Sources and destinations at a glance --------------------------------------------------

async function overview() {
  const container = el('div', { id: 'sources' });
  main.replaceChildren(el('h1', {}, 'Sources & destinations'), el('p', { class: 'muted', id: 'node' }), container);
  await refreshOverview(container);
  if (container.isConnected && state.timer === null) {
    state.timer = setInterval(() => refreshOverview(container).catch(() => {}), 5000);
  }
}

async function refreshOverview(container) {
  const [sources, throughput] = await Promise.all([api('GET', '/api/sources'), api('GET', '/api/throughput?minutes=15')]);
  if (!container.isConnected) return;
  const node = document.getElementById('node');
  if (node) node.textContent = `Node ${sources.data.instance}: the counts and buffers shown are this node's own.`;
  const series = new Map(throughput.data.destinations.map(d => [d.name, d]));
  const seen = new Set();
  for (const source of sources.data.sources) {
    seen.add(source.name);
    let section = container.querySelector(`section[data-source="${CSS.escape(source.name)}"]`);
    if (!section) {
      section = sourceSection(source.name);
      container.append(section);
    }
    const body = section.querySelector('tbody');
    const names = new Set();
    for (const d of source.destinations) {
      names.add(d.name);
      let row = body.querySelector(`tr[data-destination="${CSS.escape(d.name)}"]`);
      if (!row) {
        row = destinationRow(source.name, d.name);
        body.append(row);
      }
      updateRow(row, d, series.get(d.name));
    }
    for (const row of [...body.querySelectorAll('tr[data-destination]')]) {
      if (!names.has(row.dataset.destination)) row.remove();
    }
    section.querySelector('.empty').hidden = source.destinations.length > 0;
  }
  for (const section of [...container.querySelectorAll('section[data-source]')]) {
    if (!seen.has(section.dataset.source)) section.remove();
  }
}

function sourceSection(name) {
  const add = el('a', { class: 'button primary add-destination', 'data-source': name, href: `#/sources/${enc(name)}/new` },
    'Add destination');
  return el('section', { class: 'source', 'data-source': name },
    el('div', { class: 'source-head' }, el('h2', {}, el('span', { class: 'label' }, 'Source'), name), add),
    el('table', {},
      el('thead', {}, el('tr', {},
        el('th', {}, 'On'), el('th', {}, 'Destination'), el('th', {}, 'Type'), el('th', {}, 'Status'),
        ...[['Delivered', 'Events delivered'], ['Failed', 'Events that failed for good'],
          ['Retried', 'Failed attempts that were made again']]
          .map(([head, what]) => el('th', { class: 'num', title: `${what}, since Sluice started` }, head)),
        el('th', { class: 'num', title: 'Events not delivered yet (in memory or waiting on disk), their size, and the age of the oldest' },
          'Backlog'),
        el('th', {}, 'Last 15 minutes'), el('th', {}))),
      el('tbody', {})),
    el('p', { class: 'empty' }, 'No destinations: events from this source go nowhere.'));
}

function destinationRow(source, name) {
  const toggle = el('input', { type: 'checkbox', class: 'toggle', 'aria-label': `Send events to ${name}` });
  toggle.addEventListener('change', () => switchDestination(source, name, toggle));
  const remove = el('button', { type: 'button', class: 'danger remove' }, 'Remove');
  remove.addEventListener('click', () => removeDestination(source, name));
  return el('tr', { 'data-destination': name },
    el('td', {}, el('label', { class: 'switch' }, toggle, el('span', { class: 'slider' }))),
    el('td', { class: 'name' }, el('strong', {}, name), el('span', { class: 'muted origin' })),
    el('td', {}, el('span', { class: 'badge type' })),
    el('td', { class: 'status' }),
    el('td', { class: 'num delivered' }), el('td', { class: 'num failed' }), el('td', { class: 'num retried' }),
    el('td', { class: 'num backlog' }),
    el('td', { class: 'chart' }),
    el('td', { class: 'actions' },
      el('a', { class: 'button edit', href: `#/sources/${enc(source)}/edit/${enc(name)}` }, 'Edit'), remove));
}

function updateRow(row, d, series) {
  const toggle = row.querySelector('input.toggle');
  if (!toggle.disabled) toggle.checked = d.enabled;
  row.dataset.enabled = String(d.enabled);
  row.querySelector('.origin').textContent = d.origin === 'config'
    ? (d.edited ? 'from the config file, edited here' : 'from the config file') : 'added here';
  row.querySelector('.badge.type').textContent = d.type;
  row.querySelector('td.status').replaceChildren(...status(d));
  row.querySelector('.delivered').textContent = d.counts.delivered.toLocaleString();
  row.querySelector('.failed').textContent = d.counts.failed.toLocaleString();
  row.querySelector('.retried').textContent = d.counts.retried.toLocaleString();
  row.querySelector('.backlog').textContent = backlog(d);
  row.querySelector('.chart').replaceChildren(sparkline(series));
}

// "none", or "1,204 · 3.1 MB · oldest 42 s": what the destination still has to deliver.
function backlog(d) {
  if (!d.backlogEvents) return 'none';
  const mb = (d.backlogBytes / 1e6).toFixed(d.backlogBytes < 1e7 ? 1 : 0);
  return `${d.backlogEvents.toLocaleString()} · ${mb} MB · oldest ${d.oldestEventAgeSeconds.toLocaleString()} s`;
}

// One state per destination: switched off says so (its health does not matter: nothing is sent to
// it); else its health, with the destination's own message in words when it is not healthy.
function status(d) {
  if (!d.enabled) {
    return [el('span', { class: 'badge off', 'data-status': 'off',
      title: 'Switched off: new events are not sent to it. Switch it on to resume.' }, 'off')];
  }
  const healthy = d.health.status === 'healthy';
  const badge = el('span', { class: `badge ${d.health.status}`, 'data-status': d.health.status,
    title: healthy ? 'On, and the destination reports no problem.' : d.health.message }, healthy ? 'healthy' : d.health.status);
  return healthy ? [badge] : [badge, el('span', { class: 'status-message' }, d.health.message)];
}

function sparkline(series) {
  const w = 150, h = 30;
  const delivered = series ? series.delivered : [];
  const failed = series ? series.failed : [];
  const max = Math.max(1, ...delivered, ...failed);
  const step = delivered.length > 1 ? w / (delivered.length - 1) : w;
  const y = v => (h - 2 - (v / max) * (h - 5)).toFixed(1);
  const points = values => values.map((v, i) => `${(i * step).toFixed(1)},${y(v)}`).join(' ');
  const total = delivered.reduce((a, b) => a + b, 0);
  const lost = failed.reduce((a, b) => a + b, 0);
  const label = `${total} delivered${lost ? `, ${lost} failed` : ''} in the last 15 minutes (10-second steps)`;
  const svg = el('svg:svg', { class: 'spark', width: w, height: h, viewBox: `0 0 ${w} ${h}`, role: 'img', 'aria-label': label },
    el('svg:title', {}, label),
    el('svg:line', { class: 'base', x1: 0, y1: h - 1, x2: w, y2: h - 1 }));
  if (delivered.length) {
    svg.append(el('svg:polygon', { class: 'area', points: `0,${h - 1} ${points(delivered)} ${w},${h - 1}` }));
    svg.append(el('svg:polyline', { class: 'line', points: points(delivered) }));
  }
  if (lost) svg.append(el('svg:polyline', { class: 'fail', points: points(failed) }));
  return svg;
}

async function switchDestination(source, name, toggle) {
  const on = toggle.checked;
  toggle.disabled = true;
  try {
    const r = await api('POST', destinationPath(source, name) + (on ? '/enable' : '/disable'));
    if (r.ok) {
      flash(`${name} is ${on ? 'on: new events go to it' : 'off: new events no longer go to it'}.`);
      const row = toggle.closest('tr');
      toggle.disabled = false;
      if (row) updateRow(row, r.data, null);
      refreshOverview(document.getElementById('sources')).catch(() => {});
    } else {
      toggle.checked = !on;
      flash(r.data.message || 'The change failed.', true);
    }
  } finally {
    toggle.disabled = false;
  }
}

async function removeDestination(source, name) {
  if (!confirm(`Remove ${name}? New events stop going to it; what it still holds is delivered or dead-lettered.`)) return;
  const r = await api('DELETE', destinationPath(source, name));
  if (r.ok) {
    flash(`Removed ${name}.` + (r.data.deadLettered ? ` ${r.data.deadLettered} undelivered event(s) went to the dead-letter file.` : ''));
  } else {
    flash(r.data.message || 'The removal failed.', true);
  }
  refreshOverview(document.getElementById('sources')).catch(() => {});
}

// ---- Adding and editing a destination ------------------------------------------------------

// The name the API gives a destination added without one: source/type, or source/type-2 and so on.
function defaultName(source, type, taken) {
  const base = `${source}/${type}`;
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

async function formView(source, name) {
  if (!state.types) state.types = (await api('GET', '/api/types')).data.types;
  let current = null;
  let taken = new Set();
  if (name) {
    const r = await api('GET', destinationPath(source, name));
    if (!r.ok) {
      main.replaceChildren(el('h1', {}, 'Not found'), el('p', {}, r.data.message || ''), el('a', { href: '#/' }, 'Back'));
      return;
    }
    current = r.data;
  } else {
    const sources = await api('GET', '/api/sources');
    taken = new Set(sources.data.sources.flatMap(s => s.destinations.map(d => d.name)));
  }
  const general = el('div', { class: 'form-error', id: 'form-error', role: 'alert', hidden: true });
  const head = el('div', {});
  const fields = el('div', { id: 'settings-fields' });
  const save = el('button', { type: 'submit', class: 'primary', id: 'save' }, name ? 'Save and apply' : 'Add destination');
  const cancel = el('a', { class: 'button', href: '#/' }, 'Cancel');
  const form = el('form', { id: 'destination-form', novalidate: true }, general, head, fields,
    el('div', { class: 'form-actions' }, save, cancel));
  main.replaceChildren(
    el('h1', {}, name ? `Edit ${name}` : `Add a destination to ${source}`),
    el('div', { class: 'panel' }, form));

  let handle = null;
  let typeSelect = null;
  let nameInput = null;
  let nameHint = null;
  // On an edit, a dry run of the form as it stands tells which secrets can be removed.
  const probe = async settings => {
    const r = await api('PUT', destinationPath(source, name) + '?dryRun=true', { settings });
    return r.ok ? [] : (r.data.errors || []);
  };
  const renderFields = typeId => {
    const type = state.types.find(t => t.id === typeId);
    fields.replaceChildren();
    handle = type ? settingsForm(fields, type.schema, current ? current.settings : null, name ? { probe } : {}) : null;
    if (handle && name) handle.checkRemovals().catch(() => {});
  };
  let pending = null;
  const recheck = () => {
    clearTimeout(pending);
    pending = setTimeout(() => { if (handle && name && form.isConnected) handle.checkRemovals().catch(() => {}); }, 300);
  };
  fields.addEventListener('input', recheck);
  fields.addEventListener('change', recheck);
  if (name) {
    head.append(el('p', { class: 'muted' }, `Type `, el('span', { class: 'badge type' }, current.type),
      ` · source ${source} · changes apply at once, without a restart; secrets are never shown.`),
      ...(current.origin === 'config' ? [el('p', { class: 'muted', id: 'origin-note' }, 'This destination comes from the '
        + 'configuration file. What you save here is kept in Sluice\'s state file and takes the place of the file\'s '
        + 'settings for it, across restarts.')] : []));
    renderFields(current.type);
  } else {
    typeSelect = el('select', { id: 'destination-type', name: 'type' },
      ...state.types.map(t => el('option', { value: t.id }, `${t.id} — ${t.integrationName}`)));
    nameInput = el('input', { type: 'text', id: 'destination-name', name: 'name', spellcheck: 'false' });
    nameHint = el('p', { class: 'hint', id: 'name-hint' });
    const suggest = () => {
      const suggested = defaultName(source, typeSelect.value, taken);
      nameInput.placeholder = suggested;
      nameHint.textContent = `Unique; shown in metrics and the dead-letter file. Leave it empty to call it ${suggested}.`;
    };
    typeSelect.addEventListener('change', () => {
      suggest();
      renderFields(typeSelect.value);
    });
    head.append(
      el('div', { class: 'field', id: 'field-type' }, el('label', { for: 'destination-type' }, 'Type'), typeSelect,
        el('p', { class: 'field-error', id: 'error-type', hidden: true })),
      el('div', { class: 'field', id: 'field-name' }, el('label', { for: 'destination-name' }, 'Name',
        el('span', { class: 'kind' }, 'optional')), nameHint,
        nameInput, el('p', { class: 'field-error', id: 'error-name', hidden: true })));
    const kinesis = state.types.find(t => t.id === 'kinesis');
    if (kinesis) typeSelect.value = kinesis.id;
    suggest();
    renderFields(typeSelect.value);
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    save.disabled = true;
    try {
      const settings = handle ? handle.collect() : {};
      const r = name
        ? await api('PUT', destinationPath(source, name), { version: current.version, settings })
        : await api('POST', `/api/sources/${enc(source)}/destinations`,
          { type: typeSelect.value, name: nameInput.value.trim() || undefined, settings });
      if (r.ok) {
        flash(name ? `Saved ${r.data.name}: rebuilt and live, no restart needed.` : `Added ${r.data.name}: events go to it now.`,
          false, '#/');
        location.hash = '#/';
      } else if (r.status === 409 && r.data.current) {
        // Someone else saved first: show what is stored now; saving again applies this form over it.
        current = r.data.current;
        renderFields(current.type);
        showErrors(form, general, [{ field: '', rule: 'conflict', message: `${r.data.message} The form now shows`
          + ' the current settings.' }]);
      } else {
        const type = state.types.find(t => t.id === (name ? current.type : typeSelect.value));
        const labels = type ? labelsOf(type.schema) : new Map();
        labels.set('name', 'Name').set('type', 'Type');
        showErrors(form, general, r.data.errors && r.data.errors.length ? r.data.errors
          : [{ field: '', rule: r.data.code || String(r.status), message: r.data.message || 'The request failed.' }], labels);
      }
    } finally {
      save.disabled = false;
    }
  });
}

// ---- Debugger -------------------------------------------------------------------------------

async function debuggerView() {
  const tabs = el('div', { class: 'tabs', role: 'tablist' });
  const live = el('span', { class: 'live', id: 'live' }, 'connecting…');
  const list = el('ol', { class: 'entries', id: 'entries' });
  main.replaceChildren(el('h1', {}, 'Debugger'),
    el('p', { class: 'muted' }, `The last ${50} calls of each source as they arrive: whether they were valid, and what each destination did with them.`),
    el('div', { class: 'debugger-head' }, tabs, live), list);
  const sources = (await api('GET', '/api/sources')).data.sources.map(s => s.name);
  const tab = (value, text) => {
    const button = el('button', { type: 'button', role: 'tab', 'data-source': value }, text);
    button.classList.toggle('active', state.filter === value);
    button.addEventListener('click', () => {
      state.filter = value;
      for (const b of tabs.children) b.classList.toggle('active', b.dataset.source === value);
      renderEntries(list);
    });
    return button;
  };
  tabs.append(tab('all', 'All sources'), ...sources.map(s => tab(s, s)));
  if (!list.isConnected) return;
  const source = new EventSource('/api/events/stream');
  state.events = source;
  let pending = false;
  source.addEventListener('open', () => { live.classList.add('on'); live.textContent = 'live'; });
  source.addEventListener('error', () => { live.classList.remove('on'); live.textContent = 'reconnecting…'; });
  source.addEventListener('entry', message => {
    const entry = JSON.parse(message.data);
    state.entries.set(entry.id, entry);
    if (state.entries.size > 600) {
      const oldest = [...state.entries.values()].sort((a, b) => a.seq - b.seq).slice(0, state.entries.size - 600);
      oldest.forEach(e => { state.entries.delete(e.id); state.items.delete(e.id); });
    }
    if (!pending) {
      pending = true;
      requestAnimationFrame(() => { pending = false; renderEntries(list); });
    }
  });
  renderEntries(list);
}

function renderEntries(list) {
  const shown = [...state.entries.values()]
    .filter(e => state.filter === 'all' || e.source === state.filter)
    .sort((a, b) => b.seq - a.seq)
    .slice(0, 200);
  const items = shown.map(entry => {
    const json = JSON.stringify(entry);
    const cached = state.items.get(entry.id);
    if (cached && cached.json === json) return cached.item;
    const item = entryItem(entry, cached && cached.item.querySelector('details[open]') !== null);
    state.items.set(entry.id, { json, item });
    return item;
  });
  if (items.length === 0) {
    list.replaceChildren(el('li', { class: 'empty' }, 'No calls yet. Send one to the Tracking API and it shows up here.'));
  } else {
    list.replaceChildren(...items);
  }
}

function entryItem(e, open) {
  const valid = e.validation && e.validation.valid;
  const when = new Date(e.time);
  const what = e.event || (e.type ? e.type + ' call' : 'call');
  const who = e.userId ? `user ${e.userId}` : e.anonymousId ? `anonymous ${e.anonymousId}` : '';
  const item = el('li', { class: 'entry', 'data-id': e.id, 'data-source': e.source, 'data-valid': String(valid),
    'data-message-id': e.messageId || '' },
    el('div', { class: 'entry-head' },
      el('span', { class: 'time', title: e.time },
        when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false })),
      el('span', { class: 'badge type' }, e.type || '?'),
      el('span', { class: 'what' }, what),
      el('span', { class: 'who' }, who),
      el('span', { class: 'muted' }, `source ${e.source}`),
      el('span', { class: `badge ${valid ? 'valid' : 'invalid'} validation` }, valid ? 'valid' : 'rejected')));
  if (!valid) {
    item.append(el('ul', { class: 'errors' }, ...(e.validation.errors || []).map(err =>
      el('li', {}, err.message, el('span', { class: 'where' }, ` at ${err.path}`), ruleCode(err.code)))));
  }
  const outcomes = el('div', { class: 'outcomes' });
  for (const d of e.destinations || []) {
    const row = el('div', { class: 'outcome', 'data-destination': d.name, 'data-status': d.status },
      el('span', { class: 'dest' }, d.name), el('span', { class: `badge ${d.status}` }, d.status));
    if (d.reason) row.append(el('span', { class: 'muted reason' }, d.reason));
    if (d.receipt && Object.keys(d.receipt).length) {
      const r = d.receipt;
      const receipt = el('span', { class: 'receipt' });
      if (r.partitionKey !== undefined) receipt.append(el('span', {}, 'partition key ', el('b', { class: 'partition-key' }, r.partitionKey)));
      if (r.shardId !== undefined) receipt.append(el('span', {}, 'shard ', el('b', { class: 'shard-id' }, r.shardId)));
      if (r.sequenceNumber !== undefined) receipt.append(el('span', {}, 'sequence number ', el('b', { class: 'sequence-number mono' }, r.sequenceNumber)));
      for (const [key, value] of Object.entries(r)) {
        if (!['partitionKey', 'shardId', 'sequenceNumber'].includes(key)) receipt.append(el('span', {}, `${key} `, el('b', {}, value)));
      }
      row.append(receipt);
    }
    outcomes.append(row);
  }
  if (valid && (!e.destinations || e.destinations.length === 0)) {
    outcomes.append(el('span', { class: 'muted' }, 'Routed to no destination (switched off, or not enabled by its integrations).'));
  }
  item.append(outcomes);
  if (e.payload !== undefined) {
    const details = el('details', {}, el('summary', {}, 'Payload'), el('pre', {}, JSON.stringify(e.payload, null, 2)));
    details.open = open;
    item.append(details);
  }
  return item;
}

// ---- Start ------------------------------------------------------------------------------------

async function logout() {
  await fetch('/logout', { method: 'POST', headers: { 'X-CSRF-Token': state.csrf }, credentials: 'same-origin' });
  location.assign('/login');
}

async function start() {
  const session = await api('GET', '/api/session');
  state.csrf = session.data.csrfToken;
  document.getElementById('logout').addEventListener('click', logout);
  window.addEventListener('hashchange', route);
  route();
}

start();
