// Builds a destination's settings form from its JSON Schema (the plugin's SettingsSchema export),
// collects what was entered, and shows the API's validation errors next to their fields.
// Input types follow the schema: enum -> select, boolean -> checkbox, integer -> number,
// format uri -> url, writeOnly / format password -> password (never filled in: write-only),
// type object (a map) -> key/value rows.

// Makes an element: el('a', {href: '#/'}, 'text', child). Text is always set as text, never as HTML.
export function el(tag, attributes = {}, ...children) {
  const svg = tag.startsWith('svg:');
  const node = svg ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(4)) : document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function settingsForm(container, schema, current) {
  const properties = schema.properties || {};
  const required = new Set(schema.required || []);
  const fields = [];
  for (const [name, prop] of Object.entries(properties)) {
    fields.push(field(container, name, prop, required.has(name), current ? current[name] : undefined));
  }
  return {
    collect() {
      const settings = {};
      for (const f of fields) {
        const value = f.value();
        if (value !== undefined) settings[f.name] = value;
      }
      return settings;
    },
  };
}

function isSecret(prop) {
  return prop.writeOnly === true || prop.format === 'password' || prop['x-sluice-type'] === 'secret';
}

function field(container, name, prop, isRequired, current) {
  const id = 'setting-' + name;
  const wrap = el('div', { class: 'field', id: 'field-' + name });
  const label = el('label', { for: id }, name);
  if (isRequired) label.append(el('span', { class: 'req', title: 'required' }, '*'));
  label.append(el('span', { class: 'kind' }, prop['x-sluice-type'] || prop.type || ''));
  wrap.append(label);
  if (prop.description) wrap.append(el('p', { class: 'hint' }, prop.description));

  let input;
  let value;
  if (prop.type === 'object' || prop['x-sluice-type'] === 'map') {
    value = mapEditor(wrap, id, name, prop, isRequired, current);
  } else if (isSecret(prop)) {
    const stored = current && current.set === true;
    input = el('input', { type: 'password', id, name, autocomplete: 'new-password',
      placeholder: stored ? 'set — leave empty to keep' : '' });
    wrap.append(input);
    let clear = null;
    if (stored) {
      const note = el('p', { class: 'secret-note' }, 'A value is stored (encrypted). It is never shown; type a new one to replace it.');
      wrap.append(note);
      if (!isRequired) {
        clear = el('input', { type: 'checkbox', id: 'clear-' + name });
        wrap.append(el('label', { class: 'checkbox', for: 'clear-' + name }, clear, 'Remove the stored value'));
      }
    }
    value = () => {
      if (clear && clear.checked) return { clear: true };
      return input.value === '' ? undefined : input.value;
    };
  } else if (Array.isArray(prop.enum)) {
    input = el('select', { id, name });
    if (!isRequired && prop.default === undefined) input.append(el('option', { value: '' }, '—'));
    for (const option of prop.enum) input.append(el('option', { value: option }, option));
    const selected = current !== undefined ? current : prop.default;
    if (selected !== undefined) input.value = String(selected);
    wrap.append(input);
    value = () => input.value === '' ? undefined : input.value;
  } else if (prop.type === 'boolean') {
    input = el('input', { type: 'checkbox', id, name });
    input.checked = current !== undefined ? current === true : prop.default === true;
    wrap.append(el('label', { class: 'checkbox', for: id }, input, 'on'));
    value = () => input.checked;
  } else if (prop.type === 'integer') {
    input = el('input', { type: 'number', step: '1', id, name,
      placeholder: prop.default !== undefined ? String(prop.default) : '' });
    if (prop.minimum !== undefined) input.min = String(prop.minimum);
    if (prop.maximum !== undefined) input.max = String(prop.maximum);
    if (current !== undefined && current !== null) input.value = String(current);
    wrap.append(input);
    value = () => {
      const text = input.value.trim();
      if (text === '') return undefined;
      return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : text;
    };
  } else {
    input = el('input', { type: prop.format === 'uri' ? 'url' : 'text', id, name, spellcheck: 'false',
      placeholder: prop.default !== undefined ? String(prop.default) : '' });
    if (current !== undefined && current !== null) input.value = String(current);
    wrap.append(input);
    value = () => input.value.trim() === '' ? undefined : input.value.trim();
  }
  wrap.append(el('p', { class: 'field-error', id: 'error-' + name, hidden: '' }));
  container.append(wrap);
  return { name, value };
}

// A map setting as key/value rows, one empty row to add to. Values of a secret map are write-only:
// stored ones are never shown, rows typed in replace them all, and no rows keep them.
function mapEditor(wrap, id, name, prop, isRequired, current) {
  const secret = isSecret(prop);
  const rows = el('div', { class: 'map-rows', id });
  const entries = [];
  const addRow = (key = '', val = '') => {
    const keyInput = el('input', { type: 'text', class: 'map-key', 'aria-label': name + ' name', spellcheck: 'false', value: key });
    const valInput = el('input', { type: secret ? 'password' : 'text', class: 'map-value', 'aria-label': name + ' value',
      autocomplete: secret ? 'new-password' : 'off', spellcheck: 'false', value: val });
    const remove = el('button', { type: 'button', class: 'map-remove', title: 'Remove this row' }, '×');
    const row = el('div', { class: 'map-row' }, keyInput, valInput, remove);
    const entry = { keyInput, valInput };
    remove.addEventListener('click', () => {
      row.remove();
      entries.splice(entries.indexOf(entry), 1);
    });
    entries.push(entry);
    rows.append(row);
  };
  const stored = secret && current && current.set === true;
  if (!secret && current && typeof current === 'object') {
    for (const [key, val] of Object.entries(current)) addRow(key, String(val));
  }
  addRow();
  const add = el('button', { type: 'button', class: 'map-add' }, 'Add a row');
  add.addEventListener('click', () => addRow());
  wrap.append(rows, add);
  let clear = null;
  if (stored) {
    wrap.append(el('p', { class: 'secret-note' }, 'Values are stored (encrypted). They are never shown; rows typed here replace them all.'));
    if (!isRequired) {
      clear = el('input', { type: 'checkbox', id: 'clear-' + name });
      wrap.append(el('label', { class: 'checkbox', for: 'clear-' + name }, clear, 'Remove the stored values'));
    }
  }
  return () => {
    if (clear && clear.checked) return { clear: true };
    const map = {};
    for (const { keyInput, valInput } of entries) {
      if (keyInput.value.trim() !== '') map[keyInput.value.trim()] = valInput.value;
    }
    return Object.keys(map).length === 0 ? undefined : map;
  };
}

// Shows each error next to its field, as the API words it: the message names the field, and the
// rule is shown beside it. Errors for no field on the form go to the form's own error box.
export function showErrors(form, general, errors) {
  for (const slot of form.querySelectorAll('.field-error')) {
    slot.hidden = true;
    slot.textContent = '';
  }
  for (const input of form.querySelectorAll('[aria-invalid]')) input.removeAttribute('aria-invalid');
  const unplaced = [];
  for (const error of errors) {
    const slot = form.querySelector('#error-' + CSS.escape(error.field));
    if (!slot) {
      unplaced.push(error);
      continue;
    }
    if (!slot.hidden) slot.append(el('br'));
    slot.append(document.createTextNode(error.message), el('code', { class: 'rule' }, error.rule));
    slot.hidden = false;
    const input = form.querySelector('#setting-' + CSS.escape(error.field)) || form.querySelector('#field-' + CSS.escape(error.field) + ' input, #field-' + CSS.escape(error.field) + ' select');
    if (input) input.setAttribute('aria-invalid', 'true');
  }
  general.replaceChildren();
  general.hidden = unplaced.length === 0;
  for (const error of unplaced) {
    general.append(el('div', {}, error.message, el('code', { class: 'rule' }, error.rule)));
  }
  // Bring the first problem into view, and put the cursor in its field.
  const first = general.hidden ? form.querySelector('.field-error:not([hidden])') : general;
  if (first) {
    (first.closest('.field') || first).scrollIntoView({ block: 'center' });
    const input = form.querySelector('[aria-invalid=true]');
    if (input) input.focus({ preventScroll: true });
  }
}
