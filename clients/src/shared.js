// What the browser clients share, written once. `npm run build:clients`
// (scripts/clients.ts) copies each function below into clients/*.js where a
// `//#include` line names it: an Action is pasted into Embeddables as one
// self-contained script, so no client can import this file.

// A link parameter's name as it was written: an "&" rewritten as "&amp;" (or
// "&#38;") turns "&entry_id=" into a parameter named "amp;entry_id".
export function linkParameterName(name) {
  return name.replace(/^(?:amp;|#0*38;|#x0*26;)+/i, '');
}

// The resume link's parameters in `search` (a query string), repairing the damage
// links suffer in transit. Each repair gives back exactly the string that was
// signed. A missing parameter is ''.
export function readLinkParameters(search, names) {
  const params = new Map();
  for (const [name, value] of new URLSearchParams(search)) params.set(linkParameterName(name), value);
  const clean = (value) => {
    if (value === undefined) return '';
    let v = value.trim();
    // Encoded twice by a link tracker: "%252B01%253A00" reaches us as "%2B01%3A00".
    for (let i = 0; i < 2 && /%[0-9A-Fa-f]{2}/.test(v); i++) {
      try {
        v = decodeURIComponent(v);
      } catch {
        break;
      }
    }
    return v;
  };
  return {
    token: clean(params.get(names.token)),
    entryId: clean(params.get(names.entryId)),
    // A "+01:00" offset sent unencoded arrives as " 01:00": in a query string "+" means a space.
    expiresAt: clean(params.get(names.expiresAt)).replace(/^([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9:.]+) ([0-9]{2}:[0-9]{2})$/, '$1+$2'),
  };
}

// `href` as a path, query and fragment without the link parameters `names`
// (under their repaired names too): what history.replaceState puts in the address
// bar after a resume. Every other parameter stays exactly as it was written.
export function withoutLinkParameters(href, names) {
  const url = new URL(href);
  const kept = url.search
    .slice(1)
    .split('&')
    .filter((pair) => {
      if (pair === '') return false;
      let name = pair.split('=')[0].replace(/\+/g, ' ');
      try {
        name = decodeURIComponent(name);
      } catch {
        return true;
      }
      return !names.includes(linkParameterName(name));
    });
  return url.pathname + (kept.length ? '?' + kept.join('&') : '') + url.hash;
}

// Whether the link in `search` is one a page asked for (link-requests marks it
// sr_confirm=1): such a link works once, so it is resumed only after the person
// clicks "Continue", never by a mail scanner that runs the page on its own.
export function needsConfirmation(search) {
  for (const [name, value] of new URLSearchParams(search)) {
    if (linkParameterName(name) === 'sr_confirm' && value.trim() === '1') return true;
  }
  return false;
}

// Resolves once the person clicks "Continue" on a small panel added to `doc`'s
// page (then removed): what a single-use link waits for before it is resumed.
export function confirmByClick(doc) {
  return new Promise((resolve) => {
    const panel = doc.createElement('div');
    panel.setAttribute('role', 'dialog');
    panel.setAttribute('aria-label', 'Continue where you left off');
    panel.setAttribute('data-session-recovery-confirm', '');
    panel.style.cssText =
      'position:fixed;inset:auto 0 0 0;z-index:2147483647;padding:16px;background:#fff;color:#111;border-top:1px solid #ccc;font:16px/1.4 system-ui,sans-serif;text-align:center';
    const text = doc.createElement('p');
    text.textContent = 'Pick up where you left off.';
    text.style.margin = '0 0 8px';
    const button = doc.createElement('button');
    button.type = 'button';
    button.textContent = 'Continue';
    button.addEventListener('click', () => {
      panel.remove();
      resolve();
    });
    panel.append(text, button);
    doc.body.append(panel);
    button.focus();
  });
}

// The user data a resume applies: the saved entry, except that the attribution of
// this visit (utm_*, gclid, fbclid in `search`, the page's query string, or already
// in `current`, the user data the page holds) is never replaced by the saved
// values, and `session_recovery_resumed_at` records that the visit came from a
// resume link, at `at` (an ISO 8601 instant).
export function resumedUserData(entry, search, current, at) {
  const isAttribution = (name) => /^utm_/.test(name) || name === 'gclid' || name === 'fbclid';
  const visit = {};
  for (const [name, value] of new URLSearchParams(search)) {
    const key = linkParameterName(name);
    if (isAttribution(key)) visit[key] = value;
  }
  const merged = {};
  for (const [key, value] of Object.entries(entry)) {
    const held = current && current[key] !== undefined && current[key] !== null && current[key] !== '';
    if (!isAttribution(key) || !(Object.hasOwn(visit, key) || held)) merged[key] = value;
  }
  return Object.assign(merged, visit, { session_recovery_resumed_at: at });
}

// The fetch() options that post `body` as JSON to a public route.
export function simplePost(body) {
  return {
    method: 'POST',
    // text/plain keeps this a CORS "simple" request: no preflight.
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify(body),
    credentials: 'omit',
    // The page URL may hold a resume link's token: never send it on as a Referer.
    referrerPolicy: 'no-referrer',
  };
}

// The error code of an answer that holds no entry: the endpoint's own, else
// rate_limited for API Gateway's 429 (whose body has no code), else unexpected_response.
export function errorCodeOf(status, data) {
  const error = data && data.error;
  if (error && typeof error.code === 'string') return error.code;
  return status === 429 ? 'rate_limited' : 'unexpected_response';
}

// Where a page keeps the entry it saves to, per project and flow:
// {entry_id, save_token, seq}. Shared by the tabs of one site, and by a resume
// and the saves that follow it.
export function saveStateKey(projectId, flowId) {
  return 'session-recovery:' + projectId + ':' + flowId;
}

// After a resume, the saves go on to the resumed entry with the save token the
// resume answered. Without one (a project that does not take browser saves), the
// entry saved to before is forgotten, so nothing of this visit lands in it.
export function adoptResumedEntry(storage, key, entryId, saveToken) {
  try {
    if (typeof saveToken !== 'string') {
      storage.removeItem(key);
      return;
    }
    let seq = 0;
    const held = JSON.parse(storage.getItem(key) || 'null');
    // The same entry: the numbering goes on from this browser's last save.
    if (held && held.entry_id === entryId && Number.isSafeInteger(held.seq)) seq = held.seq;
    storage.setItem(key, JSON.stringify({ entry_id: entryId, save_token: saveToken, seq }));
  } catch {
    // No storage (blocked, or full): the saves of this visit start a new entry.
  }
}

// Saves a flow's progress from the page through the API's public routes: the
// first save creates the entry (POST createEntry answers its id and save token),
// and each later one posts to saveProgress with the token and a `seq` higher than
// any before. See clients/session-recovery.js (createAutosave) for the contract.
//
// `o`: { apiUrl, projectId, flowId, routes: {createEntry, saveProgress},
// storage (or null), fetch, sendBeacon, clock: {now, setTimeout, clearTimeout},
// random, debounceMs, onFailure(outcome) }.
//
// seq: each save sends max(now in ms, last seq + 1), where the last seq is kept in
// storage with the entry and written before the request goes, so the numbers keep
// rising across reloads and across the tabs of one browser (they share storage).
// Milliseconds since 1970 also rise across devices whose clocks agree. When another
// tab or device stored a higher number (409 stale_save: a clock behind, or a save
// racing this one), the next try jumps past the refused number by 1 s, then 2 s,
// 4 s... up to 20 times (12 days in all), then reports stale_save.
//
// A save token refused with 401 invalid_save_token means the entry was resumed
// on another device (or its links revoked), which ended this page's token: the
// saver stops saving to it, marks it ended in storage (other tabs and reloads
// stop too), reports continued_elsewhere once, and answers every later save
// { status: 'continued_elsewhere', entryId } without a request. It never starts
// a new entry on its own: forget() or a resume does.
export function createSaver(o) {
  const STALE_JUMPS = 20;
  // 503, 429 or no answer: 5 retries, waiting 0.5 to 1 s, then 1 to 2 s, 2 to 4 s, 4 to 8 s, 8 to 16 s, or Retry-After if longer.
  const RETRIES = 5;
  const key = saveStateKey(o.projectId, o.flowId);
  const base = String(o.apiUrl).replace(/\/+$/, '');
  const progressUrl = (entryId) => base + o.routes.saveProgress.replace('{entry_id}', encodeURIComponent(entryId));
  let memory = null;
  let latest = null;
  // The entry the last content was saved to: the same content is new to another entry (after a start over).
  let savedTo = null;
  let handedOver = 0;
  let generation = 0;
  let epoch = 0;
  let timer = null;
  let draining = null;
  let waiters = [];

  const CONTINUED = 'This flow was continued on another device, so this page no longer saves it.';
  const valid = (s) => s && typeof s.entry_id === 'string' && typeof s.save_token === 'string' && Number.isSafeInteger(s.seq) && s.seq >= 0;
  // The stored entry's token was ended (see above).
  const ended = (s) => Boolean(s && s.ended === true);
  const readState = () => {
    try {
      const s = o.storage && JSON.parse(o.storage.getItem(key) || 'null');
      if (o.storage) return valid(s) ? s : null;
    } catch {
      // Unreadable: this page's own copy stands in.
    }
    return memory;
  };
  const writeState = (s) => {
    memory = s;
    try {
      if (!o.storage) return;
      if (s) o.storage.setItem(key, JSON.stringify(s));
      else o.storage.removeItem(key);
    } catch {
      try {
        o.storage.removeItem(key);
      } catch {
        /* no storage at all: memory only */
      }
    }
  };
  const nextSeq = (s) => Math.max(Math.floor(o.clock.now()), s.seq + 1);
  const settle = (upTo, outcome) => {
    const done = waiters.filter((w) => w.generation <= upTo);
    waiters = waiters.filter((w) => w.generation > upTo);
    for (const w of done) w.resolve(outcome);
  };
  const waitFor = (g) => new Promise((resolve) => waiters.push({ generation: g, resolve }));
  const cancelTimer = () => {
    if (timer !== null) o.clock.clearTimeout(timer);
    timer = null;
  };
  const unsaved = () => latest !== null && latest.generation > handedOver;

  async function attempt(job) {
    const mine = epoch;
    const s = readState();
    if (ended(s)) return { ended: true, entryId: s.entry_id };
    const body = { project_id: o.projectId, flow_id: o.flowId, current_page_key: job.pageKey, user_data: job.userData };
    let url = base + o.routes.createEntry;
    if (s) {
      body.save_token = s.save_token;
      body.seq = nextSeq(s);
      writeState({ ...s, seq: body.seq });
      url = progressUrl(s.entry_id);
    }
    let res;
    try {
      res = await o.fetch(url, simplePost(body));
    } catch (error) {
      return { retry: true, code: 'network_error', message: 'The API could not be reached (' + ((error && error.message) || error) + ').' };
    }
    let data = null;
    try {
      data = await res.json();
    } catch {
      /* not JSON: handled below */
    }
    if (s && res.status === 200) return { ok: true, entryId: s.entry_id, seq: body.seq };
    if (!s && res.status === 201 && data && typeof data.entry_id === 'string' && typeof data.save_token === 'string') {
      // A resume or forget() since this request went: its answer no longer decides where saves go.
      if (epoch === mine) writeState({ entry_id: data.entry_id, save_token: data.save_token, seq: 0 });
      return { ok: true, entryId: data.entry_id, seq: 0 };
    }
    const code = errorCodeOf(res.status, data);
    const message = data && data.error && typeof data.error.message === 'string' ? data.error.message : 'HTTP ' + res.status;
    if (res.status === 503 || res.status === 429) {
      const after = Number(res.headers.get('Retry-After'));
      return { retry: true, code, message, afterMs: Number.isFinite(after) ? after * 1000 : 0 };
    }
    if (code === 'stale_save' && s) return { stale: true, entryId: s.entry_id, seq: body.seq, code, message };
    // The token was ended: the flow went on elsewhere. Marked for every tab, unless a resume or forget() came since.
    if (code === 'invalid_save_token' && s) {
      if (epoch !== mine) return { code, message };
      const held = readState();
      if (held && held.entry_id === s.entry_id) writeState({ ...held, ended: true });
      return { ended: true, entryId: s.entry_id, first: true };
    }
    // The entry is gone (erased, or past retention): the next save starts a new entry.
    if (code === 'entry_not_found' && s && epoch === mine) {
      const held = readState();
      if (held && held.entry_id === s.entry_id) writeState(null);
    }
    return { code, message };
  }

  async function drain() {
    let retries = 0;
    let jumps = 0;
    while (unsaved()) {
      const job = latest;
      const r = await attempt(job);
      if (r.ended) {
        handedOver = Math.max(handedOver, job.generation);
        settle(job.generation, { status: 'continued_elsewhere', entryId: r.entryId });
        if (r.first) o.onFailure({ code: 'continued_elsewhere', message: CONTINUED });
        continue;
      }
      if (r.ok) {
        handedOver = Math.max(handedOver, job.generation);
        savedTo = r.entryId;
        retries = jumps = 0;
        settle(job.generation, { status: 'saved', entryId: r.entryId, seq: r.seq });
        continue;
      }
      // A beacon, a resume or forget() took this content over while the request was out.
      if (job.generation <= handedOver) continue;
      if (r.stale && jumps < STALE_JUMPS) {
        const s = readState();
        if (s && s.entry_id === r.entryId) writeState({ ...s, seq: Math.max(s.seq, r.seq + 1000 * 2 ** jumps) });
        jumps++;
        continue;
      }
      if (r.retry && retries < RETRIES) {
        const ms = Math.max(r.afterMs || 0, 500 * 2 ** retries * (1 + o.random()));
        retries++;
        await new Promise((resolve) => o.clock.setTimeout(resolve, ms));
        continue;
      }
      const outcome = { status: 'failed', code: r.code, message: r.message };
      settle(job.generation, outcome);
      o.onFailure(outcome);
      // Newer content came in while this one failed: it gets its own try.
      if (latest === job) break;
    }
  }

  function run() {
    if (!draining)
      draining = drain().finally(() => {
        draining = null;
      });
  }

  // Drops what is not saved yet, and settles its callers.
  function drop() {
    cancelTimer();
    epoch++;
    latest = null;
    handedOver = generation;
    settle(generation, { status: 'dropped' });
  }

  return {
    save(pageKey, userData) {
      const data = {};
      for (const [k, v] of Object.entries(JSON.parse(JSON.stringify(userData || {})))) {
        // The entry carries its id and page itself; a resume's error is this visit's alone.
        if (k !== 'entry_id' && k !== 'current_page_key' && k !== 'session_recovery_error') data[k] = v;
      }
      const text = JSON.stringify([pageKey, data]);
      const held = readState();
      if (ended(held)) return Promise.resolve({ status: 'continued_elsewhere', entryId: held.entry_id });
      const same = latest !== null && latest.text === text && (held ? held.entry_id : null) === savedTo;
      if (same && !unsaved()) return Promise.resolve({ status: 'unchanged' });
      if (!same) latest = { generation: ++generation, pageKey, userData: data, text };
      const done = waitFor(latest.generation);
      cancelTimer();
      timer = o.clock.setTimeout(() => {
        timer = null;
        run();
      }, o.debounceMs);
      return done;
    },
    flush() {
      cancelTimer();
      if (!unsaved()) return Promise.resolve({ status: 'unchanged' });
      const done = waitFor(latest.generation);
      run();
      return done;
    },
    // The page is going away: what is not saved yet goes by sendBeacon, which
    // outlives the page. Not before the entry exists: the create's answer (the
    // entry's id and token) could not reach a page that is gone.
    sendUnsaved() {
      if (!unsaved()) return false;
      const s = readState();
      if (!s || ended(s)) return false;
      const seq = nextSeq(s);
      writeState({ ...s, seq });
      const body = { project_id: o.projectId, flow_id: o.flowId, save_token: s.save_token, seq, current_page_key: latest.pageKey, user_data: latest.userData };
      if (!o.sendBeacon(progressUrl(s.entry_id), JSON.stringify(body))) return false;
      cancelTimer();
      handedOver = latest.generation;
      savedTo = s.entry_id;
      settle(latest.generation, { status: 'sent', entryId: s.entry_id, seq });
      return true;
    },
    resumed(entryId, saveToken) {
      drop();
      // The resume Action's own rule, on this saver's copy of the state.
      adoptResumedEntry(
        {
          getItem: () => JSON.stringify(readState()),
          setItem: (_, value) => writeState(JSON.parse(value)),
          removeItem: () => writeState(null),
        },
        key,
        entryId,
        saveToken,
      );
    },
    forget() {
      drop();
      writeState(null);
    },
    entryId() {
      const s = readState();
      return s ? s.entry_id : null;
    },
    // The entry and its save token, for the page's other calls about its own entry (a link request);
    // `ended` when the token was ended (the flow continued on another device).
    current() {
      const s = readState();
      return s ? { entryId: s.entry_id, saveToken: s.save_token, ended: ended(s) } : null;
    },
    // A call about the entry was refused with invalid_save_token: the token was ended.
    markEnded(entryId) {
      const s = readState();
      if (s && s.entry_id === entryId) writeState({ ...s, ended: true });
    },
    dispose: cancelTimer,
  };
}

/** The query parameters of a resume link, by what they carry. */
export function resumeLinkNames() {
  return { token: 'token', entryId: 'entry_id', expiresAt: 'expires_at' };
}

/**
 * The resume parameters of `url`, repaired. Missing ones are ''.
 * @param {string} [url] defaults to the page's URL
 * @returns {{ token: string, entryId: string, expiresAt: string }}
 */
export function readResumeLink(url = window.location.href) {
  return readLinkParameters(new URL(url).search, resumeLinkNames());
}
