// Built from clients/src/ by `npm run build:clients`; to change this file, change those.
/**
 * session-recovery in the browser, for sites that are not built on Embeddables.
 * A framework-free ES module with no dependencies and no build step on your side:
 *
 *   import { createAutosave, resumeFromUrl, SessionRecoveryError } from './session-recovery.js'
 *
 *   const autosave = createAutosave({
 *     apiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com', // the ApiUrl output
 *     projectId: 'proj_aaabbbccc',
 *     flowId: 'flow_onboarding',
 *   })
 *   try {
 *     const entry = await resumeFromUrl({
 *       endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/load-entry-data', // LoadEntryDataUrl
 *       flowId: 'flow_onboarding',
 *       projectId: 'proj_aaabbbccc',
 *       autosave, // saves go on to the resumed entry
 *     })
 *     if (entry) showPage(entry.current_page_key, entry) // null: the URL holds no resume link
 *   } catch (error) {
 *     if (!(error instanceof SessionRecoveryError)) throw error
 *     showMessage(error.code) // e.g. 'token_expired'
 *   }
 *   onPageChange((pageKey, answers) => autosave.save(pageKey, answers))
 *
 * The contract of `resumeFromUrl`:
 * - It resolves with the entry, `{ ...saved user data, entry_id, current_page_key }`,
 *   as the endpoint returns it, with two changes for this visit: the attribution
 *   parameters in the URL (`utm_*`, `gclid`, `fbclid`) replace the saved values of
 *   the same names, and `session_recovery_resumed_at` (an ISO 8601 instant) records
 *   that the visit came from a resume link.
 * - When it read the page's own URL (no `url` given), it then removes `token`,
 *   `entry_id` and `expires_at` (also under their damaged names, such as
 *   `amp;entry_id`) from the address bar with history.replaceState, keeping every
 *   other parameter and the fragment.
 * - Given `autosave`, it hands that the resumed entry and the save token the
 *   endpoint answered, so later saves go to the same entry (without a save token,
 *   the project does not take browser saves, and `autosave` forgets its entry).
 * - It resolves with `null` when the URL holds none of token, entry_id, expires_at
 *   (a new visitor).
 * - A link the page asked for (`POST /v1/entries/{entry_id}/link-requests`)
 *   carries `sr_confirm=1` and works once: the first person's resume of the
 *   entry ends it. So that a mail scanner which runs the page does not use it
 *   up, such a link is posted only after the person confirms: `confirm`, a
 *   function returning a Promise that resolves when the person clicked your own
 *   "Continue" button, or by default a small panel with a "Continue" button
 *   that this client adds to the page. Other links are resumed at once.
 * - When the flow's resume policy names a field the person must confirm
 *   (docs/resume-policy.md), the endpoint answers `verification_required`: it
 *   then asks for the value (`verify(field, failed)`, by default a one-field
 *   form, "Confirm your email to continue") and resumes again with it; after a
 *   wrong value (`verification_failed`) it asks again, saying it did not match.
 *   After 5 wrong values it rejects with `too_many_verification_attempts`,
 *   whose message says when to try again.
 * - When the endpoint answers `link_revoked` for such a link, it rejects with
 *   `link_used` ("This link was already used; ask for a new one").
 * - It rejects with a `SessionRecoveryError` on every failure. Its `code` is the
 *   endpoint's error code (`invalid_request`, `invalid_token`, `token_expired`,
 *   `link_revoked`, `entry_not_found`, `forbidden`, `payload_too_large`,
 *   `unsupported_media_type`, `service_unavailable`, `internal_error`), or one
 *   of the client's own: `incomplete_link` (one or two of the three parameters
 *   are missing), `link_used` (above), `network_error` (no response, which includes a call the
 *   browser blocked under CORS), `rate_limited` (HTTP 429 from API Gateway) and
 *   `unexpected_response` (not the endpoint's JSON). `status` is the HTTP status,
 *   0 when there was no response. `message` is the endpoint's message when it
 *   gave one.
 *
 * Links are read with the same repairs as the Embeddables Action
 * (embeddables-action.js): an `expires_at` offset whose "+" arrived as a space,
 * parameter names behind an "&" rewritten as "&amp;", and values encoded twice.
 * The body is sent as text/plain, a CORS "simple" request with no preflight.
 */

const CONTINUED_ELSEWHERE = 'You continued on another device, so this page no longer saves this flow.'

/** A resume or a save that failed; `code` says why (see above and createAutosave). */
export class SessionRecoveryError extends Error {
  /**
   * @param {string} code
   * @param {string} message
   * @param {number} [status] HTTP status, 0 when there was no response
   */
  constructor(code, message, status = 0) {
    super(message)
    this.name = 'SessionRecoveryError'
    this.code = code
    this.status = status
  }
}

// A link parameter's name as it was written: an "&" rewritten as "&amp;" (or
// "&#38;") turns "&entry_id=" into a parameter named "amp;entry_id".
function linkParameterName(name) {
  return name.replace(/^(?:amp;|#0*38;|#x0*26;)+/i, '');
}

// The resume link's parameters in `search` (a query string), repairing the damage
// links suffer in transit. Each repair gives back exactly the string that was
// signed. A missing parameter is ''.
function readLinkParameters(search, names) {
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
function withoutLinkParameters(href, names) {
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
function needsConfirmation(search) {
  for (const [name, value] of new URLSearchParams(search)) {
    if (linkParameterName(name) === 'sr_confirm' && value.trim() === '1') return true;
  }
  return false;
}

// Resolves once the person clicks "Continue" on a small panel added to `doc`'s
// page (then removed): what a single-use link waits for before it is resumed.
function confirmByClick(doc) {
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
function resumedUserData(entry, search, current, at) {
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
function simplePost(body) {
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
function errorCodeOf(status, data) {
  const error = data && data.error;
  if (error && typeof error.code === 'string') return error.code;
  return status === 429 ? 'rate_limited' : 'unexpected_response';
}

// Where a page keeps the entry it saves to, per project and flow:
// {entry_id, save_token, seq}. Shared by the tabs of one site, and by a resume
// and the saves that follow it.
function saveStateKey(projectId, flowId) {
  return 'session-recovery:' + projectId + ':' + flowId;
}

// After a resume, the saves go on to the resumed entry with the save token the
// resume answered. Without one (a project that does not take browser saves), the
// entry saved to before is forgotten, so nothing of this visit lands in it.
function adoptResumedEntry(storage, key, entryId, saveToken) {
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
function createSaver(o) {
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

// The paths of the API routes this client calls (lambdas/http/routes.ts).
const ROUTE_PATHS = { createEntry: '/v1/entries', saveProgress: '/v1/entries/{entry_id}/progress', linkRequests: '/v1/entries/{entry_id}/link-requests', handoff: '/v1/entries/{entry_id}/handoff' }

// Draws handoff()'s QR code: QRCode.toString(text, { type: 'svg' }), a maintained library rather than our own encoder.
// The npm package qrcode 1.5.4 (MIT licence), bundled from node_modules by npm run build:clients.
/* eslint-disable */
const QRCode=(()=>{var g=(n,t)=>()=>{try{return t||n((t={exports:{}}).exports,t),t.exports}catch(e){throw t=0,e}};var _t=g((bn,Lt)=>{Lt.exports=function(){return typeof Promise=="function"&&Promise.prototype&&Promise.prototype.then}});var I=g(P=>{var st,xe=[0,26,44,70,100,134,172,196,242,292,346,404,466,532,581,655,733,815,901,991,1085,1156,1258,1364,1474,1588,1706,1828,1921,2051,2185,2323,2465,2611,2761,2876,3034,3196,3362,3532,3706];P.getSymbolSize=function(t){if(!t)throw new Error('"version" cannot be null or undefined');if(t<1||t>40)throw new Error('"version" should be in range from 1 to 40');return t*4+17};P.getSymbolTotalCodewords=function(t){return xe[t]};P.getBCHDigit=function(n){let t=0;for(;n!==0;)t++,n>>>=1;return t};P.setToSJISFunction=function(t){if(typeof t!="function")throw new Error('"toSJISFunc" is not a valid function.');st=t};P.isKanjiModeEnabled=function(){return typeof st<"u"};P.toSJIS=function(t){return st(t)}});var j=g(m=>{m.L={bit:1};m.M={bit:0};m.Q={bit:3};m.H={bit:2};function Ue(n){if(typeof n!="string")throw new Error("Param is not a string");switch(n.toLowerCase()){case"l":case"low":return m.L;case"m":case"medium":return m.M;case"q":case"quartile":return m.Q;case"h":case"high":return m.H;default:throw new Error("Unknown EC Level: "+n)}}m.isValid=function(t){return t&&typeof t.bit<"u"&&t.bit>=0&&t.bit<4};m.from=function(t,e){if(m.isValid(t))return t;try{return Ue(t)}catch{return e}}});var qt=g((_n,Ut)=>{function xt(){this.buffer=[],this.length=0}xt.prototype={get:function(n){let t=Math.floor(n/8);return(this.buffer[t]>>>7-n%8&1)===1},put:function(n,t){for(let e=0;e<t;e++)this.putBit((n>>>t-e-1&1)===1)},getLengthInBits:function(){return this.length},putBit:function(n){let t=Math.floor(this.length/8);this.buffer.length<=t&&this.buffer.push(0),n&&(this.buffer[t]|=128>>>this.length%8),this.length++}};Ut.exports=xt});var Ft=g((xn,Dt)=>{function k(n){if(!n||n<1)throw new Error("BitMatrix size must be defined and greater than 0");this.size=n,this.data=new Uint8Array(n*n),this.reservedBit=new Uint8Array(n*n)}k.prototype.set=function(n,t,e,r){let o=n*this.size+t;this.data[o]=e,r&&(this.reservedBit[o]=!0)};k.prototype.get=function(n,t){return this.data[n*this.size+t]};k.prototype.xor=function(n,t,e){this.data[n*this.size+t]^=e};k.prototype.isReserved=function(n,t){return this.reservedBit[n*this.size+t]};Dt.exports=k});var kt=g(G=>{var qe=I().getSymbolSize;G.getRowColCoords=function(t){if(t===1)return[];let e=Math.floor(t/7)+2,r=qe(t),o=r===145?26:Math.ceil((r-13)/(2*e-2))*2,i=[r-7];for(let s=1;s<e-1;s++)i[s]=i[s-1]-o;return i.push(6),i.reverse()};G.getPositions=function(t){let e=[],r=G.getRowColCoords(t),o=r.length;for(let i=0;i<o;i++)for(let s=0;s<o;s++)i===0&&s===0||i===0&&s===o-1||i===o-1&&s===0||e.push([r[i],r[s]]);return e}});var Ht=g(Vt=>{var De=I().getSymbolSize,zt=7;Vt.getPositions=function(t){let e=De(t);return[[0,0],[e-zt,0],[0,e-zt]]}});var Kt=g(d=>{d.Patterns={PATTERN000:0,PATTERN001:1,PATTERN010:2,PATTERN011:3,PATTERN100:4,PATTERN101:5,PATTERN110:6,PATTERN111:7};var b={N1:3,N2:3,N3:40,N4:10};d.isValid=function(t){return t!=null&&t!==""&&!isNaN(t)&&t>=0&&t<=7};d.from=function(t){return d.isValid(t)?parseInt(t,10):void 0};d.getPenaltyN1=function(t){let e=t.size,r=0,o=0,i=0,s=null,u=null;for(let c=0;c<e;c++){o=i=0,s=u=null;for(let l=0;l<e;l++){let a=t.get(c,l);a===s?o++:(o>=5&&(r+=b.N1+(o-5)),s=a,o=1),a=t.get(l,c),a===u?i++:(i>=5&&(r+=b.N1+(i-5)),u=a,i=1)}o>=5&&(r+=b.N1+(o-5)),i>=5&&(r+=b.N1+(i-5))}return r};d.getPenaltyN2=function(t){let e=t.size,r=0;for(let o=0;o<e-1;o++)for(let i=0;i<e-1;i++){let s=t.get(o,i)+t.get(o,i+1)+t.get(o+1,i)+t.get(o+1,i+1);(s===4||s===0)&&r++}return r*b.N2};d.getPenaltyN3=function(t){let e=t.size,r=0,o=0,i=0;for(let s=0;s<e;s++){o=i=0;for(let u=0;u<e;u++)o=o<<1&2047|t.get(s,u),u>=10&&(o===1488||o===93)&&r++,i=i<<1&2047|t.get(u,s),u>=10&&(i===1488||i===93)&&r++}return r*b.N3};d.getPenaltyN4=function(t){let e=0,r=t.data.length;for(let i=0;i<r;i++)e+=t.data[i];return Math.abs(Math.ceil(e*100/r/5)-10)*b.N4};function Fe(n,t,e){switch(n){case d.Patterns.PATTERN000:return(t+e)%2===0;case d.Patterns.PATTERN001:return t%2===0;case d.Patterns.PATTERN010:return e%3===0;case d.Patterns.PATTERN011:return(t+e)%3===0;case d.Patterns.PATTERN100:return(Math.floor(t/2)+Math.floor(e/3))%2===0;case d.Patterns.PATTERN101:return t*e%2+t*e%3===0;case d.Patterns.PATTERN110:return(t*e%2+t*e%3)%2===0;case d.Patterns.PATTERN111:return(t*e%3+(t+e)%2)%2===0;default:throw new Error("bad maskPattern:"+n)}}d.applyMask=function(t,e){let r=e.size;for(let o=0;o<r;o++)for(let i=0;i<r;i++)e.isReserved(i,o)||e.xor(i,o,Fe(t,i,o))};d.getBestMask=function(t,e){let r=Object.keys(d.Patterns).length,o=0,i=1/0;for(let s=0;s<r;s++){e(s),d.applyMask(s,t);let u=d.getPenaltyN1(t)+d.getPenaltyN2(t)+d.getPenaltyN3(t)+d.getPenaltyN4(t);d.applyMask(s,t),u<i&&(i=u,o=s)}return o}});var ct=g(ut=>{var N=j(),Q=[1,1,1,1,1,1,1,1,1,1,2,2,1,2,2,4,1,2,4,4,2,4,4,4,2,4,6,5,2,4,6,6,2,5,8,8,4,5,8,8,4,5,8,11,4,8,10,11,4,9,12,16,4,9,16,16,6,10,12,18,6,10,17,16,6,11,16,19,6,13,18,21,7,14,21,25,8,16,20,25,8,17,23,25,9,17,23,34,9,18,25,30,10,20,27,32,12,21,29,35,12,23,34,37,12,25,34,40,13,26,35,42,14,28,38,45,15,29,40,48,16,31,43,51,17,33,45,54,18,35,48,57,19,37,51,60,19,38,53,63,20,40,56,66,21,43,59,70,22,45,62,74,24,47,65,77,25,49,68,81],$=[7,10,13,17,10,16,22,28,15,26,36,44,20,36,52,64,26,48,72,88,36,64,96,112,40,72,108,130,48,88,132,156,60,110,160,192,72,130,192,224,80,150,224,264,96,176,260,308,104,198,288,352,120,216,320,384,132,240,360,432,144,280,408,480,168,308,448,532,180,338,504,588,196,364,546,650,224,416,600,700,224,442,644,750,252,476,690,816,270,504,750,900,300,560,810,960,312,588,870,1050,336,644,952,1110,360,700,1020,1200,390,728,1050,1260,420,784,1140,1350,450,812,1200,1440,480,868,1290,1530,510,924,1350,1620,540,980,1440,1710,570,1036,1530,1800,570,1064,1590,1890,600,1120,1680,1980,630,1204,1770,2100,660,1260,1860,2220,720,1316,1950,2310,750,1372,2040,2430];ut.getBlocksCount=function(t,e){switch(e){case N.L:return Q[(t-1)*4+0];case N.M:return Q[(t-1)*4+1];case N.Q:return Q[(t-1)*4+2];case N.H:return Q[(t-1)*4+3];default:return}};ut.getTotalCodewordsCount=function(t,e){switch(e){case N.L:return $[(t-1)*4+0];case N.M:return $[(t-1)*4+1];case N.Q:return $[(t-1)*4+2];case N.H:return $[(t-1)*4+3];default:return}}});var Jt=g(Z=>{var z=new Uint8Array(512),W=new Uint8Array(256);(function(){let t=1;for(let e=0;e<255;e++)z[e]=t,W[t]=e,t<<=1,t&256&&(t^=285);for(let e=255;e<512;e++)z[e]=z[e-255]})();Z.log=function(t){if(t<1)throw new Error("log("+t+")");return W[t]};Z.exp=function(t){return z[t]};Z.mul=function(t,e){return t===0||e===0?0:z[W[t]+W[e]]}});var Yt=g(V=>{var lt=Jt();V.mul=function(t,e){let r=new Uint8Array(t.length+e.length-1);for(let o=0;o<t.length;o++)for(let i=0;i<e.length;i++)r[o+i]^=lt.mul(t[o],e[i]);return r};V.mod=function(t,e){let r=new Uint8Array(t);for(;r.length-e.length>=0;){let o=r[0];for(let s=0;s<e.length;s++)r[s]^=lt.mul(e[s],o);let i=0;for(;i<r.length&&r[i]===0;)i++;r=r.slice(i)}return r};V.generateECPolynomial=function(t){let e=new Uint8Array([1]);for(let r=0;r<t;r++)e=V.mul(e,new Uint8Array([1,lt.exp(r)]));return e}});var Gt=g((Vn,jt)=>{var Ot=Yt();function at(n){this.genPoly=void 0,this.degree=n,this.degree&&this.initialize(this.degree)}at.prototype.initialize=function(t){this.degree=t,this.genPoly=Ot.generateECPolynomial(this.degree)};at.prototype.encode=function(t){if(!this.genPoly)throw new Error("Encoder not initialized");let e=new Uint8Array(t.length+this.degree);e.set(t);let r=Ot.mod(e,this.genPoly),o=this.degree-r.length;if(o>0){let i=new Uint8Array(this.degree);return i.set(r,o),i}return r};jt.exports=at});var ft=g(Qt=>{Qt.isValid=function(t){return!isNaN(t)&&t>=1&&t<=40}});var gt=g(B=>{var $t="[0-9]+",ke="[A-Z $%*+\\-./:]+",H="(?:[u3000-u303F]|[u3040-u309F]|[u30A0-u30FF]|[uFF00-uFFEF]|[u4E00-u9FAF]|[u2605-u2606]|[u2190-u2195]|u203B|[u2010u2015u2018u2019u2025u2026u201Cu201Du2225u2260]|[u0391-u0451]|[u00A7u00A8u00B1u00B4u00D7u00F7])+";H=H.replace(/u/g,"\\u");var ze="(?:(?![A-Z0-9 $%*+\\-./:]|"+H+`)(?:.|[\r
]))+`;B.KANJI=new RegExp(H,"g");B.BYTE_KANJI=new RegExp("[^A-Z0-9 $%*+\\-./:]+","g");B.BYTE=new RegExp(ze,"g");B.NUMERIC=new RegExp($t,"g");B.ALPHANUMERIC=new RegExp(ke,"g");var Ve=new RegExp("^"+H+"$"),He=new RegExp("^"+$t+"$"),Ke=new RegExp("^[A-Z0-9 $%*+\\-./:]+$");B.testKanji=function(t){return Ve.test(t)};B.testNumeric=function(t){return He.test(t)};B.testAlphanumeric=function(t){return Ke.test(t)}});var M=g(p=>{var Je=ft(),dt=gt();p.NUMERIC={id:"Numeric",bit:1,ccBits:[10,12,14]};p.ALPHANUMERIC={id:"Alphanumeric",bit:2,ccBits:[9,11,13]};p.BYTE={id:"Byte",bit:4,ccBits:[8,16,16]};p.KANJI={id:"Kanji",bit:8,ccBits:[8,10,12]};p.MIXED={bit:-1};p.getCharCountIndicator=function(t,e){if(!t.ccBits)throw new Error("Invalid mode: "+t);if(!Je.isValid(e))throw new Error("Invalid version: "+e);return e>=1&&e<10?t.ccBits[0]:e<27?t.ccBits[1]:t.ccBits[2]};p.getBestModeForData=function(t){return dt.testNumeric(t)?p.NUMERIC:dt.testAlphanumeric(t)?p.ALPHANUMERIC:dt.testKanji(t)?p.KANJI:p.BYTE};p.toString=function(t){if(t&&t.id)return t.id;throw new Error("Invalid mode")};p.isValid=function(t){return t&&t.bit&&t.ccBits};function Ye(n){if(typeof n!="string")throw new Error("Param is not a string");switch(n.toLowerCase()){case"numeric":return p.NUMERIC;case"alphanumeric":return p.ALPHANUMERIC;case"kanji":return p.KANJI;case"byte":return p.BYTE;default:throw new Error("Unknown mode: "+n)}}p.from=function(t,e){if(p.isValid(t))return t;try{return Ye(t)}catch{return e}}});var te=g(R=>{var X=I(),Oe=ct(),Wt=j(),S=M(),ht=ft(),Xt=7973,Zt=X.getBCHDigit(Xt);function je(n,t,e){for(let r=1;r<=40;r++)if(t<=R.getCapacity(r,e,n))return r}function vt(n,t){return S.getCharCountIndicator(n,t)+4}function Ge(n,t){let e=0;return n.forEach(function(r){let o=vt(r.mode,t);e+=o+r.getBitsLength()}),e}function Qe(n,t){for(let e=1;e<=40;e++)if(Ge(n,e)<=R.getCapacity(e,t,S.MIXED))return e}R.from=function(t,e){return ht.isValid(t)?parseInt(t,10):e};R.getCapacity=function(t,e,r){if(!ht.isValid(t))throw new Error("Invalid QR Code version");typeof r>"u"&&(r=S.BYTE);let o=X.getSymbolTotalCodewords(t),i=Oe.getTotalCodewordsCount(t,e),s=(o-i)*8;if(r===S.MIXED)return s;let u=s-vt(r,t);switch(r){case S.NUMERIC:return Math.floor(u/10*3);case S.ALPHANUMERIC:return Math.floor(u/11*2);case S.KANJI:return Math.floor(u/13);case S.BYTE:default:return Math.floor(u/8)}};R.getBestVersionForData=function(t,e){let r,o=Wt.from(e,Wt.M);if(Array.isArray(t)){if(t.length>1)return Qe(t,o);if(t.length===0)return 1;r=t[0]}else r=t;return je(r.mode,r.getLength(),o)};R.getEncodedBits=function(t){if(!ht.isValid(t)||t<7)throw new Error("Invalid QR Code version");let e=t<<12;for(;X.getBCHDigit(e)-Zt>=0;)e^=Xt<<X.getBCHDigit(e)-Zt;return t<<12|e}});var oe=g(re=>{var pt=I(),ne=1335,$e=21522,ee=pt.getBCHDigit(ne);re.getEncodedBits=function(t,e){let r=t.bit<<3|e,o=r<<10;for(;pt.getBCHDigit(o)-ee>=0;)o^=ne<<pt.getBCHDigit(o)-ee;return(r<<10|o)^$e}});var se=g((jn,ie)=>{var We=M();function x(n){this.mode=We.NUMERIC,this.data=n.toString()}x.getBitsLength=function(t){return 10*Math.floor(t/3)+(t%3?t%3*3+1:0)};x.prototype.getLength=function(){return this.data.length};x.prototype.getBitsLength=function(){return x.getBitsLength(this.data.length)};x.prototype.write=function(t){let e,r,o;for(e=0;e+3<=this.data.length;e+=3)r=this.data.substr(e,3),o=parseInt(r,10),t.put(o,10);let i=this.data.length-e;i>0&&(r=this.data.substr(e),o=parseInt(r,10),t.put(o,i*3+1))};ie.exports=x});var ce=g((Gn,ue)=>{var Ze=M(),wt=["0","1","2","3","4","5","6","7","8","9","A","B","C","D","E","F","G","H","I","J","K","L","M","N","O","P","Q","R","S","T","U","V","W","X","Y","Z"," ","$","%","*","+","-",".","/",":"];function U(n){this.mode=Ze.ALPHANUMERIC,this.data=n}U.getBitsLength=function(t){return 11*Math.floor(t/2)+6*(t%2)};U.prototype.getLength=function(){return this.data.length};U.prototype.getBitsLength=function(){return U.getBitsLength(this.data.length)};U.prototype.write=function(t){let e;for(e=0;e+2<=this.data.length;e+=2){let r=wt.indexOf(this.data[e])*45;r+=wt.indexOf(this.data[e+1]),t.put(r,11)}this.data.length%2&&t.put(wt.indexOf(this.data[e]),6)};ue.exports=U});var ae=g((Qn,le)=>{var Xe=M();function q(n){this.mode=Xe.BYTE,typeof n=="string"?this.data=new TextEncoder().encode(n):this.data=new Uint8Array(n)}q.getBitsLength=function(t){return t*8};q.prototype.getLength=function(){return this.data.length};q.prototype.getBitsLength=function(){return q.getBitsLength(this.data.length)};q.prototype.write=function(n){for(let t=0,e=this.data.length;t<e;t++)n.put(this.data[t],8)};le.exports=q});var ge=g(($n,fe)=>{var ve=M(),tn=I();function D(n){this.mode=ve.KANJI,this.data=n}D.getBitsLength=function(t){return t*13};D.prototype.getLength=function(){return this.data.length};D.prototype.getBitsLength=function(){return D.getBitsLength(this.data.length)};D.prototype.write=function(n){let t;for(t=0;t<this.data.length;t++){let e=tn.toSJIS(this.data[t]);if(e>=33088&&e<=40956)e-=33088;else if(e>=57408&&e<=60351)e-=49472;else throw new Error("Invalid SJIS character: "+this.data[t]+`
Make sure your charset is UTF-8`);e=(e>>>8&255)*192+(e&255),n.put(e,13)}};fe.exports=D});var de=g((Wn,mt)=>{"use strict";var K={single_source_shortest_paths:function(n,t,e){var r={},o={};o[t]=0;var i=K.PriorityQueue.make();i.push(t,0);for(var s,u,c,l,a,w,h,y,A;!i.empty();){s=i.pop(),u=s.value,l=s.cost,a=n[u]||{};for(c in a)a.hasOwnProperty(c)&&(w=a[c],h=l+w,y=o[c],A=typeof o[c]>"u",(A||y>h)&&(o[c]=h,i.push(c,h),r[c]=u))}if(typeof e<"u"&&typeof o[e]>"u"){var T=["Could not find a path from ",t," to ",e,"."].join("");throw new Error(T)}return r},extract_shortest_path_from_predecessor_list:function(n,t){for(var e=[],r=t,o;r;)e.push(r),o=n[r],r=n[r];return e.reverse(),e},find_path:function(n,t,e){var r=K.single_source_shortest_paths(n,t,e);return K.extract_shortest_path_from_predecessor_list(r,e)},PriorityQueue:{make:function(n){var t=K.PriorityQueue,e={},r;n=n||{};for(r in t)t.hasOwnProperty(r)&&(e[r]=t[r]);return e.queue=[],e.sorter=n.sorter||t.default_sorter,e},default_sorter:function(n,t){return n.cost-t.cost},push:function(n,t){var e={value:n,cost:t};this.queue.push(e),this.queue.sort(this.sorter)},pop:function(){return this.queue.shift()},empty:function(){return this.queue.length===0}}};typeof mt<"u"&&(mt.exports=K)});var Be=g(F=>{var f=M(),we=se(),me=ce(),ye=ae(),Ee=ge(),J=gt(),v=I(),en=de();function he(n){return unescape(encodeURIComponent(n)).length}function Y(n,t,e){let r=[],o;for(;(o=n.exec(e))!==null;)r.push({data:o[0],index:o.index,mode:t,length:o[0].length});return r}function Ce(n){let t=Y(J.NUMERIC,f.NUMERIC,n),e=Y(J.ALPHANUMERIC,f.ALPHANUMERIC,n),r,o;return v.isKanjiModeEnabled()?(r=Y(J.BYTE,f.BYTE,n),o=Y(J.KANJI,f.KANJI,n)):(r=Y(J.BYTE_KANJI,f.BYTE,n),o=[]),t.concat(e,r,o).sort(function(s,u){return s.index-u.index}).map(function(s){return{data:s.data,mode:s.mode,length:s.length}})}function yt(n,t){switch(t){case f.NUMERIC:return we.getBitsLength(n);case f.ALPHANUMERIC:return me.getBitsLength(n);case f.KANJI:return Ee.getBitsLength(n);case f.BYTE:return ye.getBitsLength(n)}}function nn(n){return n.reduce(function(t,e){let r=t.length-1>=0?t[t.length-1]:null;return r&&r.mode===e.mode?(t[t.length-1].data+=e.data,t):(t.push(e),t)},[])}function rn(n){let t=[];for(let e=0;e<n.length;e++){let r=n[e];switch(r.mode){case f.NUMERIC:t.push([r,{data:r.data,mode:f.ALPHANUMERIC,length:r.length},{data:r.data,mode:f.BYTE,length:r.length}]);break;case f.ALPHANUMERIC:t.push([r,{data:r.data,mode:f.BYTE,length:r.length}]);break;case f.KANJI:t.push([r,{data:r.data,mode:f.BYTE,length:he(r.data)}]);break;case f.BYTE:t.push([{data:r.data,mode:f.BYTE,length:he(r.data)}])}}return t}function on(n,t){let e={},r={start:{}},o=["start"];for(let i=0;i<n.length;i++){let s=n[i],u=[];for(let c=0;c<s.length;c++){let l=s[c],a=""+i+c;u.push(a),e[a]={node:l,lastCount:0},r[a]={};for(let w=0;w<o.length;w++){let h=o[w];e[h]&&e[h].node.mode===l.mode?(r[h][a]=yt(e[h].lastCount+l.length,l.mode)-yt(e[h].lastCount,l.mode),e[h].lastCount+=l.length):(e[h]&&(e[h].lastCount=l.length),r[h][a]=yt(l.length,l.mode)+4+f.getCharCountIndicator(l.mode,t))}}o=u}for(let i=0;i<o.length;i++)r[o[i]].end=0;return{map:r,table:e}}function pe(n,t){let e,r=f.getBestModeForData(n);if(e=f.from(t,r),e!==f.BYTE&&e.bit<r.bit)throw new Error('"'+n+'" cannot be encoded with mode '+f.toString(e)+`.
 Suggested mode is: `+f.toString(r));switch(e===f.KANJI&&!v.isKanjiModeEnabled()&&(e=f.BYTE),e){case f.NUMERIC:return new we(n);case f.ALPHANUMERIC:return new me(n);case f.KANJI:return new Ee(n);case f.BYTE:return new ye(n)}}F.fromArray=function(t){return t.reduce(function(e,r){return typeof r=="string"?e.push(pe(r,null)):r.data&&e.push(pe(r.data,r.mode)),e},[])};F.fromString=function(t,e){let r=Ce(t,v.isKanjiModeEnabled()),o=rn(r),i=on(o,e),s=en.find_path(i.map,"start","end"),u=[];for(let c=1;c<s.length-1;c++)u.push(i.table[s[c]].node);return F.fromArray(nn(u))};F.rawSplit=function(t){return F.fromArray(Ce(t,v.isKanjiModeEnabled()))}});var Te=g(Ae=>{var et=I(),Et=j(),sn=qt(),un=Ft(),cn=kt(),ln=Ht(),At=Kt(),Tt=ct(),an=Gt(),tt=te(),fn=oe(),gn=M(),Ct=Be();function dn(n,t){let e=n.size,r=ln.getPositions(t);for(let o=0;o<r.length;o++){let i=r[o][0],s=r[o][1];for(let u=-1;u<=7;u++)if(!(i+u<=-1||e<=i+u))for(let c=-1;c<=7;c++)s+c<=-1||e<=s+c||(u>=0&&u<=6&&(c===0||c===6)||c>=0&&c<=6&&(u===0||u===6)||u>=2&&u<=4&&c>=2&&c<=4?n.set(i+u,s+c,!0,!0):n.set(i+u,s+c,!1,!0))}}function hn(n){let t=n.size;for(let e=8;e<t-8;e++){let r=e%2===0;n.set(e,6,r,!0),n.set(6,e,r,!0)}}function pn(n,t){let e=cn.getPositions(t);for(let r=0;r<e.length;r++){let o=e[r][0],i=e[r][1];for(let s=-2;s<=2;s++)for(let u=-2;u<=2;u++)s===-2||s===2||u===-2||u===2||s===0&&u===0?n.set(o+s,i+u,!0,!0):n.set(o+s,i+u,!1,!0)}}function wn(n,t){let e=n.size,r=tt.getEncodedBits(t),o,i,s;for(let u=0;u<18;u++)o=Math.floor(u/3),i=u%3+e-8-3,s=(r>>u&1)===1,n.set(o,i,s,!0),n.set(i,o,s,!0)}function Bt(n,t,e){let r=n.size,o=fn.getEncodedBits(t,e),i,s;for(i=0;i<15;i++)s=(o>>i&1)===1,i<6?n.set(i,8,s,!0):i<8?n.set(i+1,8,s,!0):n.set(r-15+i,8,s,!0),i<8?n.set(8,r-i-1,s,!0):i<9?n.set(8,15-i-1+1,s,!0):n.set(8,15-i-1,s,!0);n.set(r-8,8,1,!0)}function mn(n,t){let e=n.size,r=-1,o=e-1,i=7,s=0;for(let u=e-1;u>0;u-=2)for(u===6&&u--;;){for(let c=0;c<2;c++)if(!n.isReserved(o,u-c)){let l=!1;s<t.length&&(l=(t[s]>>>i&1)===1),n.set(o,u-c,l),i--,i===-1&&(s++,i=7)}if(o+=r,o<0||e<=o){o-=r,r=-r;break}}}function yn(n,t,e){let r=new sn;e.forEach(function(c){r.put(c.mode.bit,4),r.put(c.getLength(),gn.getCharCountIndicator(c.mode,n)),c.write(r)});let o=et.getSymbolTotalCodewords(n),i=Tt.getTotalCodewordsCount(n,t),s=(o-i)*8;for(r.getLengthInBits()+4<=s&&r.put(0,4);r.getLengthInBits()%8!==0;)r.putBit(0);let u=(s-r.getLengthInBits())/8;for(let c=0;c<u;c++)r.put(c%2?17:236,8);return En(r,n,t)}function En(n,t,e){let r=et.getSymbolTotalCodewords(t),o=Tt.getTotalCodewordsCount(t,e),i=r-o,s=Tt.getBlocksCount(t,e),u=r%s,c=s-u,l=Math.floor(r/s),a=Math.floor(i/s),w=a+1,h=l-a,y=new an(h),A=0,T=new Array(s),bt=new Array(s),rt=0,_e=new Uint8Array(n.buffer);for(let _=0;_<s;_++){let it=_<c?a:w;T[_]=_e.slice(A,A+it),bt[_]=y.encode(T[_]),A+=it,rt=Math.max(rt,it)}let ot=new Uint8Array(r),Rt=0,E,C;for(E=0;E<rt;E++)for(C=0;C<s;C++)E<T[C].length&&(ot[Rt++]=T[C][E]);for(E=0;E<h;E++)for(C=0;C<s;C++)ot[Rt++]=bt[C][E];return ot}function Cn(n,t,e,r){let o;if(Array.isArray(n))o=Ct.fromArray(n);else if(typeof n=="string"){let l=t;if(!l){let a=Ct.rawSplit(n);l=tt.getBestVersionForData(a,e)}o=Ct.fromString(n,l||40)}else throw new Error("Invalid data");let i=tt.getBestVersionForData(o,e);if(!i)throw new Error("The amount of data is too big to be stored in a QR Code");if(!t)t=i;else if(t<i)throw new Error(`
The chosen QR Code version cannot contain this amount of data.
Minimum version required to store current data is: `+i+`.
`);let s=yn(t,e,o),u=et.getSymbolSize(t),c=new un(u);return dn(c,t),hn(c),pn(c,t),Bt(c,e,0),t>=7&&wn(c,t),mn(c,s),isNaN(r)&&(r=At.getBestMask(c,Bt.bind(null,c,e))),At.applyMask(r,c),Bt(c,e,r),{modules:c,version:t,errorCorrectionLevel:e,maskPattern:r,segments:o}}Ae.create=function(t,e){if(typeof t>"u"||t==="")throw new Error("No input text");let r=Et.M,o,i;return typeof e<"u"&&(r=Et.from(e.errorCorrectionLevel,Et.M),o=tt.from(e.version),i=At.from(e.maskPattern),e.toSJISFunc&&et.setToSJISFunction(e.toSJISFunc)),Cn(t,o,r,i)}});var It=g(L=>{function Ie(n){if(typeof n=="number"&&(n=n.toString()),typeof n!="string")throw new Error("Color should be defined as hex string");let t=n.slice().replace("#","").split("");if(t.length<3||t.length===5||t.length>8)throw new Error("Invalid hex color: "+n);(t.length===3||t.length===4)&&(t=Array.prototype.concat.apply([],t.map(function(r){return[r,r]}))),t.length===6&&t.push("F","F");let e=parseInt(t.join(""),16);return{r:e>>24&255,g:e>>16&255,b:e>>8&255,a:e&255,hex:"#"+t.slice(0,6).join("")}}L.getOptions=function(t){t||(t={}),t.color||(t.color={});let e=typeof t.margin>"u"||t.margin===null||t.margin<0?4:t.margin,r=t.width&&t.width>=21?t.width:void 0,o=t.scale||4;return{width:r,scale:r?4:o,margin:e,color:{dark:Ie(t.color.dark||"#000000ff"),light:Ie(t.color.light||"#ffffffff")},type:t.type,rendererOpts:t.rendererOpts||{}}};L.getScale=function(t,e){return e.width&&e.width>=t+e.margin*2?e.width/(t+e.margin*2):e.scale};L.getImageWidth=function(t,e){let r=L.getScale(t,e);return Math.floor((t+e.margin*2)*r)};L.qrToImageData=function(t,e,r){let o=e.modules.size,i=e.modules.data,s=L.getScale(o,r),u=Math.floor((o+r.margin*2)*s),c=r.margin*s,l=[r.color.light,r.color.dark];for(let a=0;a<u;a++)for(let w=0;w<u;w++){let h=(a*u+w)*4,y=r.color.light;if(a>=c&&w>=c&&a<u-c&&w<u-c){let A=Math.floor((a-c)/s),T=Math.floor((w-c)/s);y=l[i[A*o+T]?1:0]}t[h++]=y.r,t[h++]=y.g,t[h++]=y.b,t[h]=y.a}}});var Ne=g(nt=>{var Nt=It();function Bn(n,t,e){n.clearRect(0,0,t.width,t.height),t.style||(t.style={}),t.height=e,t.width=e,t.style.height=e+"px",t.style.width=e+"px"}function An(){try{return document.createElement("canvas")}catch{throw new Error("You need to specify a canvas element")}}nt.render=function(t,e,r){let o=r,i=e;typeof o>"u"&&(!e||!e.getContext)&&(o=e,e=void 0),e||(i=An()),o=Nt.getOptions(o);let s=Nt.getImageWidth(t.modules.size,o),u=i.getContext("2d"),c=u.createImageData(s,s);return Nt.qrToImageData(c.data,t,o),Bn(u,i,s),u.putImageData(c,0,0),i};nt.renderToDataURL=function(t,e,r){let o=r;typeof o>"u"&&(!e||!e.getContext)&&(o=e,e=void 0),o||(o={});let i=nt.render(t,e,o),s=o.type||"image/png",u=o.rendererOpts||{};return i.toDataURL(s,u.quality)}});var Pe=g(Se=>{var Tn=It();function Me(n,t){let e=n.a/255,r=t+'="'+n.hex+'"';return e<1?r+" "+t+'-opacity="'+e.toFixed(2).slice(1)+'"':r}function Mt(n,t,e){let r=n+t;return typeof e<"u"&&(r+=" "+e),r}function In(n,t,e){let r="",o=0,i=!1,s=0;for(let u=0;u<n.length;u++){let c=Math.floor(u%t),l=Math.floor(u/t);!c&&!i&&(i=!0),n[u]?(s++,u>0&&c>0&&n[u-1]||(r+=i?Mt("M",c+e,.5+l+e):Mt("m",o,0),o=0,i=!1),c+1<t&&n[u+1]||(r+=Mt("h",s),s=0)):o++}return r}Se.render=function(t,e,r){let o=Tn.getOptions(e),i=t.modules.size,s=t.modules.data,u=i+o.margin*2,c=o.color.light.a?"<path "+Me(o.color.light,"fill")+' d="M0 0h'+u+"v"+u+'H0z"/>':"",l="<path "+Me(o.color.dark,"stroke")+' d="'+In(s,i,o.margin)+'"/>',a='viewBox="0 0 '+u+" "+u+'"',h='<svg xmlns="http://www.w3.org/2000/svg" '+(o.width?'width="'+o.width+'" height="'+o.width+'" ':"")+a+' shape-rendering="crispEdges">'+c+l+`</svg>
`;return typeof r=="function"&&r(null,h),h}});var Re=g(O=>{var Nn=_t(),St=Te(),be=Ne(),Mn=Pe();function Pt(n,t,e,r,o){let i=[].slice.call(arguments,1),s=i.length,u=typeof i[s-1]=="function";if(!u&&!Nn())throw new Error("Callback required as last argument");if(u){if(s<2)throw new Error("Too few arguments provided");s===2?(o=e,e=t,t=r=void 0):s===3&&(t.getContext&&typeof o>"u"?(o=r,r=void 0):(o=r,r=e,e=t,t=void 0))}else{if(s<1)throw new Error("Too few arguments provided");return s===1?(e=t,t=r=void 0):s===2&&!t.getContext&&(r=e,e=t,t=void 0),new Promise(function(c,l){try{let a=St.create(e,r);c(n(a,t,r))}catch(a){l(a)}})}try{let c=St.create(e,r);o(null,n(c,t,r))}catch(c){o(c)}}O.create=St.create;O.toCanvas=Pt.bind(null,be.render);O.toDataURL=Pt.bind(null,be.renderToDataURL);O.toString=Pt.bind(null,function(n,t,e){return Mn.render(n,e)})});var Sn=g((rr,Le)=>{Le.exports=Re()});return Sn();})();
/* eslint-enable */

function resumeLinkNames() {
  return { token: 'token', entryId: 'entry_id', expiresAt: 'expires_at' };
}

function readResumeLink(url = window.location.href) {
  return readLinkParameters(new URL(url).search, resumeLinkNames());
}
export { readResumeLink }

const LINK_PARAMETERS = resumeLinkNames()
/** What leaves the address bar after a resume: the link, and the mark of a link a page asked for. */
const CLEARED_PARAMETERS = [...Object.values(LINK_PARAMETERS), 'sr_confirm']


/**
 * Loads the entry a resume link points to. See the module comment for what it
 * resolves with and how it fails.
 * @param {{ endpoint: string, flowId: string, projectId: string, url?: string, autosave?: Autosave, confirm?: () => Promise<unknown>, verify?: (field: string, failed: boolean) => Promise<string> }} options
 *   `endpoint` is the full load-entry-data URL; `url` defaults to the page's URL;
 *   `confirm` resolves once the person asked to continue (a single-use link only);
 *   `verify` resolves with the person's value of the flow's verify field (by
 *   default a one-field form this client adds to the page).
 * @returns {Promise<Record<string, unknown> & { entry_id: string, current_page_key: string, session_recovery_resumed_at: string } | null>}
 */
export async function resumeFromUrl({ endpoint, flowId, projectId, url, autosave, confirm, verify }) {
  if (!endpoint || !flowId || !projectId) throw new TypeError('resumeFromUrl needs endpoint, flowId and projectId')
  const own = url === undefined
  const href = own ? window.location.href : url
  const { token, entryId, expiresAt } = readResumeLink(href)
  if (!token && !entryId && !expiresAt) return null
  if (!token || !entryId || !expiresAt) {
    throw new SessionRecoveryError('incomplete_link', 'The link lacks token, entry_id or expires_at.')
  }
  const singleUse = needsConfirmation(new URL(href).search)
  if (singleUse) await (confirm ?? (() => confirmByClick(document)))()

  const ask = verify ?? ((field, failed) => askForVerification(document, field, failed))
  let verification
  let res
  let data
  for (;;) {
    const body = { flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt }
    if (verification !== undefined) body.verification = verification
    try {
      res = await fetch(endpoint, simplePost(body))
    } catch (error) {
      throw new SessionRecoveryError('network_error', `The endpoint could not be reached (${error?.message ?? error}).`)
    }
    data = null
    try {
      data = await res.json()
    } catch {
      // Not JSON: handled below.
    }
    const asked = data?.error?.code
    // The flow's resume policy asks the person to confirm a field: ask, then resume again with the value.
    if (res.status !== 401 || (asked !== 'verification_required' && asked !== 'verification_failed')) break
    verification = await ask(String(data.error.field ?? ''), asked === 'verification_failed')
  }
  if (res.status === 429 && data?.error?.code === 'too_many_verification_attempts') {
    const minutes = Math.max(1, Math.ceil(Number(res.headers.get('Retry-After') ?? 3600) / 60))
    throw new SessionRecoveryError('too_many_verification_attempts', `Too many wrong answers. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`, res.status)
  }
  if (res.ok && data?.entry) {
    // Before anything else reads the address bar: the link's token leaves it now.
    if (own) window.history.replaceState(window.history.state, '', withoutLinkParameters(href, CLEARED_PARAMETERS))
    autosave?.resumed(data.entry, data.save_token)
    return resumedUserData(data.entry, new URL(href).search, undefined, new Date().toISOString())
  }
  const code = errorCodeOf(res.status, data)
  if (code === 'rate_limited') throw new SessionRecoveryError(code, 'Too many requests; retry shortly.', res.status)
  if (code === 'unexpected_response') throw new SessionRecoveryError(code, `The endpoint answered HTTP ${res.status} without the expected JSON.`, res.status)
  if (code === 'link_revoked' && singleUse) throw new SessionRecoveryError('link_used', 'This link was already used; ask for a new one.', res.status)
  throw new SessionRecoveryError(code, String(data.error.message ?? ''), res.status)
}

/**
 * The words a field name stands for in a sentence: its last JSON Pointer
 * segment, with `_` and `-` as spaces (`date_of_birth` is "date of birth").
 * @param {string} field
 */
export function fieldLabel(field) {
  const name = field.startsWith('/') ? field.slice(field.lastIndexOf('/') + 1).replace(/~1/g, '/').replace(/~0/g, '~') : field
  return name.replace(/[_-]+/g, ' ').trim() || 'answer'
}

/**
 * Asks the person for the flow's verify field in a one-field form added to
 * `doc`'s page (then removed); resolves with what they typed.
 * @param {Document} doc
 * @param {string} field
 * @param {boolean} failed the last value did not match
 * @returns {Promise<string>}
 */
export function askForVerification(doc, field, failed) {
  const label = fieldLabel(field)
  return new Promise((resolve) => {
    const form = doc.createElement('form')
    form.setAttribute('data-session-recovery-verify', '')
    form.style.cssText = 'position:fixed;inset:auto 0 0 0;z-index:2147483647;padding:16px;background:#fff;color:#111;border-top:1px solid #ccc;font:16px/1.4 system-ui,sans-serif;text-align:center'
    const text = doc.createElement('label')
    text.textContent = `Confirm your ${label} to continue`
    text.style.cssText = 'display:block;margin:0 0 8px'
    const input = doc.createElement('input')
    input.name = 'verification'
    input.required = true
    input.type = /e-?mail/i.test(label) ? 'email' : /date|birth/i.test(label) ? 'date' : 'text'
    text.append(doc.createElement('br'), input)
    const button = doc.createElement('button')
    button.type = 'submit'
    button.textContent = 'Continue'
    if (failed) {
      const note = doc.createElement('p')
      note.setAttribute('role', 'alert')
      note.textContent = `That ${label} does not match. Try again.`
      form.append(note)
    }
    form.append(text, button)
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      form.remove()
      resolve(input.value)
    })
    doc.body.append(form)
    input.focus()
  })
}

/**
 * @typedef {{ status: 'saved', entryId: string, seq: number }
 *   | { status: 'sent', entryId: string, seq: number }
 *   | { status: 'unchanged' }
 *   | { status: 'dropped' }
 *   | { status: 'continued_elsewhere', entryId: string }
 *   | { status: 'failed', code: string, message: string }} SaveOutcome
 *
 * @typedef {{
 *   save(pageKey: string, userData: Record<string, unknown>): Promise<SaveOutcome>,
 *   flush(): Promise<SaveOutcome>,
 *   sendUnsaved(): boolean,
 *   resumed(entry: { entry_id: string }, saveToken: string | undefined): void,
 *   requestLink(request: { channel: 'email' | 'sms', to?: string, resumeUrl?: string }): Promise<{ channel: string, expiresAt: string }>,
 *   handoff(request?: { resumeUrl?: string }): Promise<{ url: string, short_url: string, expires_at: string, svg: string }>,
 *   forget(): void,
 *   dispose(): void,
 *   readonly entryId: string | null,
 * }} Autosave
 */

/**
 * Saves the user's progress from the page, through the API's public routes: a
 * project that turned browser saves on (`PUT /v1/projects/{project_id}/browser-saves`)
 * and lists this page's origin needs no backend for it.
 *
 * - `save(pageKey, userData)`: call it on each page change. Saves are debounced
 *   (`debounceMs`, default 1000) and never overlap; what resolves is the outcome of
 *   the request that carried this content, or newer. The first save creates the
 *   entry; its `entry_id` and save token are kept in `storage` (default
 *   localStorage) under `session-recovery:<projectId>:<flowId>`, with the last
 *   `seq`, so a reload and the site's other tabs go on saving to it. `entry_id`,
 *   `current_page_key` and `session_recovery_error` in `userData` are not saved
 *   as user data. Content equal to the last saved is not sent again (`unchanged`).
 * - `flush()`: sends what is waiting now; resolves like `save`.
 * - On `pagehide`, and when the page is hidden, content not saved yet goes with
 *   `navigator.sendBeacon`, which outlives the page (outcome `sent`). Nothing goes
 *   when all is saved, nor before the entry exists.
 * - `sendUnsaved()`: what those listeners call; returns whether a beacon went.
 * - `resumed(entry, saveToken)`: after a resume (`resumeFromUrl` calls it when
 *   given this object), saves go to that entry with that token.
 * - `requestLink({ channel, to, resumeUrl })`: "send me a link". Sends what is
 *   waiting, then asks the API to mint a link to the entry (a short one for
 *   `sms`) and put a `Resume Link Requested` event on the deployment's bus, which
 *   the team's own rule delivers to `to` (an email address, or an E.164 number
 *   for sms) or to the address it holds. `resumeUrl`, the page the link opens,
 *   must be on one of the project's origins; by default, this page's origin.
 *   Resolves with `{ channel, expiresAt }`: the link itself never comes back to
 *   the page. Rejects with a SessionRecoveryError: `no_entry` before the first
 *   save, `continued_elsewhere` once the page's token was ended (see below),
 *   `too_many_link_requests` after 3 requests for the entry in an hour,
 *   or any code of a save. Never retried: the user asks again. The link works
 *   once (see resumeFromUrl).
 * - `handoff({ resumeUrl })`: "continue on your phone". Sends what is waiting,
 *   then asks the API for a link to the entry to show as a QR code
 *   (`POST /v1/entries/{entry_id}/handoff`). Resolves with
 *   `{ url, short_url, expires_at, svg }`: `svg` is the QR code of `short_url`
 *   (a smaller code than the full link's), an `<svg>` element as a string to
 *   put in the page. The link is single-use (see resumeFromUrl) and valid 10
 *   minutes unless the deployment sets another lifetime; once the other device
 *   opens it, this page's next save resolves `continued_elsewhere`. Rejects as
 *   `requestLink` does, and with `too_many_handoffs` after 10 for the entry in
 *   an hour. Never retried.
 * - `forget()`: the next save starts a new entry ("start over").
 * - `entryId`: the entry saves go to, or null before the first.
 *
 * Outcomes never reject, so a page may call `save` without awaiting it; each
 * failure also goes to `onError` as a SessionRecoveryError. A 503, a 429 or a
 * network failure is retried 5 times with exponential backoff (0.5 s to 16 s,
 * jittered, longer if Retry-After says so); other refusals are not retried.
 * `entry_not_found` makes the next save start a new entry. `invalid_save_token`
 * means the entry was resumed on another device (which ends the save token
 * this page holds), or its links were revoked: the page stops saving, reports
 * `continued_elsewhere` once through `onError`, and every later `save` resolves
 * `{ status: 'continued_elsewhere', entryId }` without a request (in every tab
 * of the site); tell the user the flow continued on another device, and offer
 * `forget()` to start over. `stale_save` (another tab or device stored a higher `seq`) is moved past:
 * see `seq` below. The save token goes only to the API: it is never logged.
 *
 * `seq`: each save sends max(Date.now(), last seq + 1). The last seq is stored
 * before the request goes, so numbers keep rising across reloads and tabs, and
 * milliseconds since 1970 keep them rising across devices whose clocks agree.
 * On 409 stale_save the next try jumps 1 s, then 2 s, 4 s... past the refused
 * number, 20 times at most, which moves past a clock up to 12 days behind.
 *
 * @param {{
 *   apiUrl: string, projectId: string, flowId: string,
 *   storage?: Storage | null, debounceMs?: number,
 *   fetch?: typeof fetch, sendBeacon?: (url: string, body: string) => boolean,
 *   onError?: (error: SessionRecoveryError) => void,
 *   clock?: { now(): number, setTimeout(fn: () => void, ms: number): unknown, clearTimeout(id: unknown): void },
 *   random?: () => number, listen?: boolean,
 * }} options `apiUrl` is the ApiUrl output (the routes' base). `storage: null`
 *   keeps the entry in memory only. `listen: false` adds no pagehide and
 *   visibilitychange listeners: call `sendUnsaved()` yourself when the page goes.
 *   `clock` and `random` are for tests.
 * @returns {Autosave}
 */
export function createAutosave({
  apiUrl,
  projectId,
  flowId,
  storage,
  debounceMs = 1000,
  fetch: fetchFn = (...args) => globalThis.fetch(...args),
  sendBeacon = (url, body) => globalThis.navigator.sendBeacon(url, body),
  onError = () => undefined,
  clock = { now: () => Date.now(), setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms), clearTimeout: (id) => globalThis.clearTimeout(id) },
  random = Math.random,
  listen = true,
}) {
  if (!apiUrl || !projectId || !flowId) throw new TypeError('createAutosave needs apiUrl, projectId and flowId')
  if (storage === undefined) {
    try {
      storage = globalThis.localStorage ?? null
    } catch {
      // Storage blocked by the browser's settings: the entry is kept in memory.
      storage = null
    }
  }
  const saver = createSaver({
    apiUrl, projectId, flowId, routes: ROUTE_PATHS, storage, fetch: fetchFn, sendBeacon, clock, random, debounceMs,
    onFailure: ({ code, message }) => onError(new SessionRecoveryError(code, message)),
  })
  /**
   * The link routes of a page (link requests, hand-offs): what is waiting is
   * saved first, then one request with the entry's save token, never retried.
   * `invalid_save_token` means the flow continued on another device.
   */
  const askForLink = async (route, okStatus, extra, resumeUrl) => {
    await saver.flush()
    const current = saver.current()
    if (!current) throw new SessionRecoveryError('no_entry', 'Nothing is saved yet: a link needs a saved entry.')
    if (current.ended) throw new SessionRecoveryError('continued_elsewhere', CONTINUED_ELSEWHERE)
    const body = { project_id: projectId, flow_id: flowId, save_token: current.saveToken, ...extra }
    if (resumeUrl !== undefined) body.resume_url = resumeUrl
    const url = String(apiUrl).replace(/\/+$/, '') + ROUTE_PATHS[route].replace('{entry_id}', encodeURIComponent(current.entryId))
    let res
    try {
      res = await fetchFn(url, simplePost(body))
    } catch (error) {
      throw new SessionRecoveryError('network_error', `The API could not be reached (${error?.message ?? error}).`)
    }
    let data = null
    try {
      data = await res.json()
    } catch {
      // Not JSON: handled below.
    }
    if (res.status === okStatus && typeof data?.expires_at === 'string') return data
    const code = errorCodeOf(res.status, data)
    if (code === 'invalid_save_token') {
      saver.markEnded(current.entryId)
      throw new SessionRecoveryError('continued_elsewhere', CONTINUED_ELSEWHERE, res.status)
    }
    throw new SessionRecoveryError(code, typeof data?.error?.message === 'string' ? data.error.message : `HTTP ${res.status}`, res.status)
  }
  const onPageHide = () => saver.sendUnsaved()
  const onVisibility = () => {
    if (document.visibilityState === 'hidden') saver.sendUnsaved()
  }
  if (listen) {
    window.addEventListener('pagehide', onPageHide)
    document.addEventListener('visibilitychange', onVisibility)
  }
  return {
    save: saver.save,
    flush: saver.flush,
    sendUnsaved: saver.sendUnsaved,
    resumed: (entry, saveToken) => saver.resumed(entry.entry_id, saveToken),
    async requestLink({ channel, to, resumeUrl } = {}) {
      const extra = { channel }
      if (to !== undefined) extra.to = to
      const data = await askForLink('linkRequests', 202, extra, resumeUrl)
      return { channel: data.channel, expiresAt: data.expires_at }
    },
    async handoff({ resumeUrl } = {}) {
      const { url, short_url, expires_at } = await askForLink('handoff', 201, {}, resumeUrl)
      if (typeof url !== 'string' || typeof short_url !== 'string') throw new SessionRecoveryError('unexpected_response', 'The endpoint answered without a link.', 201)
      return { url, short_url, expires_at, svg: await QRCode.toString(short_url, { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }) }
    },
    forget: saver.forget,
    dispose() {
      saver.dispose()
      if (listen) {
        window.removeEventListener('pagehide', onPageHide)
        document.removeEventListener('visibilitychange', onVisibility)
      }
    },
    get entryId() {
      return saver.entryId()
    },
  }
}
