// Built from clients/src/ by `npm run build:clients`; to change this file, change those.
/**
 * session-recovery in the browser, for sites that are not built on Embeddables.
 * A framework-free ES module with no dependencies and no build step on your side.
 * Serve session-recovery-qrcode.js beside it: `autosave.handoff()` imports it
 * from there to draw its QR code (and only then, so other pages never fetch it).
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
 *   (docs/second-factor.md), the endpoint answers `verification_required`: it
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

/**
 * handoff()'s QR code: session-recovery-qrcode.js, the qrcode library's half of
 * this client, imported from beside this file on the first hand-off only (the
 * browser keeps the module after), so a page that never hands off never fetches it.
 */
const loadQrCode = () =>
  import('./session-recovery-qrcode.js').catch((error) => {
    throw new SessionRecoveryError(
      'qr_code_unavailable',
      `The QR code's script could not be loaded: session-recovery-qrcode.js must be served beside session-recovery.js (${error?.message ?? error}).`,
    )
  })

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
 *   `requestLink` does, with `too_many_handoffs` after 10 for the entry in
 *   an hour, and with `qr_code_unavailable` when `session-recovery-qrcode.js`,
 *   which draws the code and is fetched from beside this file on the first
 *   `handoff()` only, cannot be loaded (no link is asked for then). Never retried.
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
   * `invalid_save_token` means the flow continued on another device. `ready`,
   * when given, is awaited just before the request: its rejection sends none.
   */
  const askForLink = async (route, okStatus, extra, resumeUrl, ready) => {
    await saver.flush()
    const current = saver.current()
    if (!current) throw new SessionRecoveryError('no_entry', 'Nothing is saved yet: a link needs a saved entry.')
    if (current.ended) throw new SessionRecoveryError('continued_elsewhere', CONTINUED_ELSEWHERE)
    await ready
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
      // Fetched while what is waiting is saved, and awaited before the link is asked for: a page that cannot draw the code mints none.
      const qrCode = loadQrCode()
      qrCode.catch(() => undefined)
      const { url, short_url, expires_at } = await askForLink('handoff', 201, {}, resumeUrl, qrCode)
      if (typeof url !== 'string' || typeof short_url !== 'string') throw new SessionRecoveryError('unexpected_response', 'The endpoint answered without a link.', 201)
      const { qrCodeSvg } = await qrCode
      return { url, short_url, expires_at, svg: await qrCodeSvg(short_url) }
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
