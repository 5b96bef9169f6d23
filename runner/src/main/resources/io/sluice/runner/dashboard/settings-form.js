// Builds a destination's settings form from its JSON Schema (the plugin's SettingsSchema export),
// collects what was entered, and shows the API's validation errors next to their fields.
// Input types follow the schema: enum -> select, boolean -> checkbox, integer -> number,
// format uri -> url, writeOnly / format password -> password (never filled in: write-only),
// type object (a map) -> key/value rows, type array (a list) -> one row per value.
// Labels are the schema's title, else the setting's name made readable; x-order and x-group,
// when present, order the fields and gather them under headings.

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

const ACRONYMS = new Set(['id', 'arn', 'url', 'uri', 'aws', 'api', 'http', 'https', 'json', 'iam', 'kms', 'tls', 'ssl',
  'ip', 'vpc', 'sqs', 'sns', 'dns', 'uuid', 'sdk', 'sql', 'ttl']);

// "accessKeyId" -> "Access key ID", "roleARN" -> "Role ARN", "max_record_bytes" -> "Max record bytes".
export function humanise(name) {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[\s_.-]+/)
    .filter(w => w !== '')
    .map(w => ACRONYMS.has(w.toLowerCase()) ? w.toUpperCase() : w.toLowerCase());
  if (words.length === 0) return name;
  words[0] = words[0].charAt(0).toUpperCase() + words[0].slice(1);
  return words.join(' ');
}

export function labelOf(name, prop) {
  // A title that only repeats the key (the SPI's default label) says nothing a person can read.
  const title = prop && typeof prop.title === 'string' ? prop.title.trim() : '';
  return title !== '' && title !== name ? title : humanise(name);
}

// The labels of a schema's settings, by name.
export function labelsOf(schema) {
  const labels = new Map();
  for (const [name, prop] of Object.entries((schema && schema.properties) || {})) labels.set(name, labelOf(name, prop));
  return labels;
}

// Prose from the plugin or the API names other settings as the configuration does ("accessKeyId");
// on the form they go by their labels. Plain words ("region") read well as they are and are left alone.
function withLabels(text, labels) {
  let out = text;
  for (const [name, label] of labels) {
    if (!/[A-Z_]/.test(name)) continue;
    out = out.replace(new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'g'), `“${label}”`);
  }
  return out;
}

// An API error in words for a person: without the leading "field: " that the label already says,
// other settings by their labels. With a subject, it names the field by its label.
export function humanMessage(error, labels, withSubject) {
  let text = error.message || '';
  if (error.field && text.startsWith(error.field + ': ')) text = text.slice(error.field.length + 2);
  // One value of a list ("urls[1]: must be ...") is named by its row, counted from 1.
  const item = error.field && text.startsWith(error.field + '[') ? /^\[(\d+)\]: /.exec(text.slice(error.field.length)) : null;
  if (item) text = `value ${Number(item[1]) + 1} ${text.slice(error.field.length + item[0].length)}`;
  text = withLabels(text, labels);
  if (withSubject && error.field) {
    const subject = labels.get(error.field) || error.field;
    return /^(is|are|must|cannot|can't)\b/.test(text) ? `${subject} ${text}` : `${subject}: ${text}`;
  }
  // A leading word ("must", "the"), not a name or a value ("web/kinesis"), gets its capital.
  return /^[a-z]+(?=[ ,;:]|$)/.test(text) ? text.charAt(0).toUpperCase() + text.slice(1) : text;
}

// The rule's code, in small print after the message, explained on hover.
export function ruleCode(rule) {
  return el('code', { class: 'rule', title: `Rule: ${rule} (the code the API and sluice validate give for this error)` }, rule);
}

function isSecret(prop) {
  return prop.writeOnly === true || prop.format === 'password' || prop['x-sluice-type'] === 'secret';
}

// Fields in x-order (else declaration order), gathered by x-group; groups come in the order of their first field.
function arrange(properties) {
  const entries = Object.entries(properties).map(([name, prop], index) => ({
    name, prop, index, order: Number.isFinite(prop['x-order']) ? prop['x-order'] : null,
  }));
  const ordered = entries.some(e => e.order !== null);
  entries.sort((a, b) => ordered
    ? (a.order ?? Number.MAX_SAFE_INTEGER) - (b.order ?? Number.MAX_SAFE_INTEGER) || a.index - b.index
    : a.index - b.index);
  const groups = [];
  for (const entry of entries) {
    const name = typeof entry.prop['x-group'] === 'string' ? entry.prop['x-group'] : '';
    let group = groups.find(g => g.name === name);
    if (!group) {
      group = { name, entries: [] };
      groups.push(group);
    }
    group.entries.push(entry);
  }
  return groups;
}

// options.probe(settings) -> Promise of the API's errors for those settings (a dry run), used to
// offer "remove" on a secret only where removing it can succeed.
export function settingsForm(container, schema, current, options = {}) {
  const properties = schema.properties || {};
  const required = new Set(schema.required || []);
  const labels = labelsOf(schema);
  const fields = [];
  const grouped = arrange(properties);
  const headed = grouped.some(g => g.name !== '');
  for (const group of grouped) {
    let parent = container;
    if (headed) {
      parent = el('fieldset', { class: 'group', 'data-group': group.name || 'general' },
        el('legend', {}, group.name || 'General'));
      container.append(parent);
    }
    for (const { name, prop } of group.entries) {
      fields.push(field(parent, name, prop, required.has(name), current ? current[name] : undefined, labels));
    }
  }
  const collect = (skipClear) => {
    const settings = {};
    for (const f of fields) {
      const value = f.value(f.name === skipClear);
      if (value !== undefined) settings[f.name] = value;
    }
    return settings;
  };
  let generation = 0;
  return {
    labels,
    collect: () => collect(null),
    // For each removable secret: would removing it, with the rest as now entered, be accepted?
    async checkRemovals() {
      const removable = fields.filter(f => f.removal);
      if (removable.length === 0 || !options.probe) return;
      const mine = ++generation;
      for (const f of removable) {
        const without = collect(f.name);
        const cleared = { ...without, [f.name]: { clear: true } };
        const [before, after] = await Promise.all([options.probe(without), options.probe(cleared)]);
        if (mine !== generation) return;
        const known = new Set(before.map(e => `${e.field}|${e.rule}|${e.message}`));
        f.removal(after.filter(e => !known.has(`${e.field}|${e.rule}|${e.message}`)));
      }
    },
  };
}

function field(container, name, prop, isRequired, current, labels) {
  const id = 'setting-' + name;
  const wrap = el('div', { class: 'field', id: 'field-' + name });
  const label = el('label', { for: id }, labelOf(name, prop));
  if (isRequired) label.append(el('span', { class: 'req', title: 'required' }, '*'));
  label.append(el('code', { class: 'key', title: 'The setting\'s name in the configuration file and the admin API' }, name));
  wrap.append(label);
  if (prop.description) wrap.append(el('p', { class: 'hint' }, withLabels(prop.description, labels)));

  let input;
  let value;
  let removal = null;
  if (prop.type === 'object' || prop['x-sluice-type'] === 'map') {
    value = mapEditor(wrap, id, name, prop, isRequired, current);
  } else if (prop.type === 'array' || prop['x-sluice-type'] === 'list') {
    value = listEditor(wrap, id, name, prop, current);
  } else if (isSecret(prop)) {
    const stored = current && current.set === true;
    const fromFile = stored && current.from === 'config';
    input = el('input', { type: 'password', id, name, autocomplete: 'new-password',
      placeholder: stored ? 'set — leave empty to keep' : '' });
    wrap.append(input);
    let clear = null;
    if (stored) {
      wrap.append(el('p', { class: 'secret-note', id: 'secret-note-' + name }, fromFile
        ? 'The value comes from the configuration file Sluice was started with (written there, or through an ${env:…} '
          + 'reference). The dashboard does not store it and never shows it. Type a new one to use that instead; '
          + 'it is then saved encrypted in Sluice\'s state file.'
        : 'A value is saved, encrypted in Sluice\'s state file. It is never shown; type a new one to replace it.'));
      if (isRequired) {
        wrap.append(el('p', { class: 'muted small', id: 'clear-why-' + name },
          'It cannot be removed: this setting is required.'));
      } else {
        clear = el('input', { type: 'checkbox', id: 'clear-' + name });
        const why = el('p', { class: 'clear-why', id: 'clear-why-' + name, hidden: true });
        wrap.append(el('label', { class: 'checkbox', for: 'clear-' + name }, clear,
          fromFile ? 'Remove it: do not use the configuration file\'s value' : 'Remove the saved value'), why);
        removal = problems => {
          clear.dataset.checked = 'true'; // checked against the API at least once
          clear.disabled = problems.length > 0;
          if (clear.disabled) clear.checked = false;
          why.hidden = problems.length === 0;
          why.replaceChildren(...(problems.length === 0 ? [] : ['It cannot be removed as the form stands now: ',
            ...problems.flatMap((e, i) => [i ? '; ' : '', humanMessage(e, labels, true), ruleCode(e.rule)])]));
        };
      }
    }
    value = skipClear => {
      if (clear && clear.checked && !skipClear) return { clear: true };
      return input.value === '' ? undefined : input.value;
    };
  } else if (Array.isArray(prop.enum)) {
    input = el('select', { id, name });
    const names = enumLabels(prop);
    const selected = current !== undefined && current !== null ? String(current)
      : prop.default !== undefined ? String(prop.default) : '';
    if (prop.default === undefined) {
      // No silent pick of the first choice: the user chooses, or (optional) leaves it unset.
      input.append(el('option', { value: '', disabled: isRequired }, isRequired ? 'Choose one…' : '— none —'));
    }
    const choices = prop.enum.map(String);
    if (selected !== '' && !choices.includes(selected)) choices.unshift(selected); // keep a value the list lacks
    for (const option of choices) input.append(el('option', { value: option }, names.get(option) || option));
    input.value = selected;
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
  return { name, value, removal };
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

// A list setting as one input per value, with a row to add and a button to remove each; at least
// minItems rows (else one). Empty rows are left out of what is sent; no rows send nothing.
function listEditor(wrap, id, name, prop, current) {
  const items = prop.items || {};
  const rows = el('div', { class: 'list-rows', id });
  const inputs = [];
  const addRow = (val = '') => {
    const input = el('input', { type: items.format === 'uri' ? 'url' : 'text', class: 'list-value', spellcheck: 'false',
      'aria-label': `${name} ${inputs.length + 1}`, value: val });
    const remove = el('button', { type: 'button', class: 'list-remove', title: 'Remove this value' }, '×');
    const row = el('div', { class: 'list-row' }, input, remove);
    remove.addEventListener('click', () => {
      row.remove();
      inputs.splice(inputs.indexOf(input), 1);
      inputs.forEach((x, i) => x.setAttribute('aria-label', `${name} ${i + 1}`));
    });
    inputs.push(input);
    rows.append(row);
  };
  const given = Array.isArray(current) ? current : Array.isArray(prop.default) ? prop.default : [];
  for (const val of given) addRow(String(val));
  while (inputs.length < Math.max(1, Number.isFinite(prop.minItems) ? prop.minItems : 1)) addRow();
  const add = el('button', { type: 'button', class: 'list-add', id: 'add-' + name }, 'Add a value');
  add.addEventListener('click', () => {
    addRow();
    inputs[inputs.length - 1].focus();
  });
  wrap.append(rows, add);
  return () => {
    const values = inputs.map(i => i.value.trim()).filter(v => v !== '');
    return values.length === 0 ? undefined : values;
  };
}

// x-enumLabels as an object {value: label} or as a list parallel to enum; "value — label" when both say something.
function enumLabels(prop) {
  const given = prop['x-enumLabels'];
  const labels = new Map();
  if (Array.isArray(given)) {
    prop.enum.forEach((v, i) => { if (typeof given[i] === 'string') labels.set(String(v), given[i]); });
  } else if (given && typeof given === 'object') {
    for (const [v, label] of Object.entries(given)) if (typeof label === 'string') labels.set(v, label);
  }
  for (const [v, label] of labels) if (label !== v) labels.set(v, `${label} (${v})`);
  return labels;
}

// Shows each error next to its field, in words for a person (see humanMessage), with the rule's code in
// small print. Errors for no field on the form go to the form's own error box, named by their label.
export function showErrors(form, general, errors, labels = new Map()) {
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
    slot.append(document.createTextNode(humanMessage(error, labels, false)), ruleCode(error.rule));
    slot.hidden = false;
    const input = form.querySelector('#setting-' + CSS.escape(error.field)) || form.querySelector('#field-' + CSS.escape(error.field) + ' input, #field-' + CSS.escape(error.field) + ' select');
    if (input) input.setAttribute('aria-invalid', 'true');
  }
  general.replaceChildren();
  general.hidden = unplaced.length === 0;
  for (const error of unplaced) {
    general.append(el('div', {}, humanMessage(error, labels, true), ruleCode(error.rule)));
  }
  // Bring the first problem into view, and put the cursor in its field.
  const first = general.hidden ? form.querySelector('.field-error:not([hidden])') : general;
  if (first) {
    (first.closest('.field') || first).scrollIntoView({ block: 'center' });
    const input = form.querySelector('[aria-invalid=true]');
    if (input) input.focus({ preventScroll: true });
  }
}
