// Built from clients/src/ by `npm run build:clients`; to change this file, change those.
// session-recovery: save the user's progress from the browser, with no backend.
//
// An Embeddables Action, triggered on page change (each time the user moves to
// another page of the Embeddable). Paste this whole file into the Action and
// replace the three @TODO values. It goes with embeddables-action.js, the resume
// on Embeddable Load, which hands it the resumed entry.
//
// - The first save creates the entry: the API makes its entry_id and a save
//   token, both kept in localStorage under "session-recovery:<PROJECT_ID>:<EMBEDDABLE_ID>".
//   entry_id is also set in the user data, so your backend can mint a link to it.
// - Each later save sends the page and the user data to that entry, with the save
//   token and a number (seq) higher than any before. After a resume it saves to
//   the resumed entry, with the save token the resume answered.
// - The page saved is userData.current_page_key: Embeddables keeps the page the
//   user is on in the user data (the resume sets it from the entry). entry_id,
//   current_page_key and session_recovery_error are not saved as user data.
// - Saves wait 500 ms for another page change, never overlap, and are not sent
//   again when nothing changed. What is not saved when the page goes away
//   (pagehide, or the tab is hidden) goes with navigator.sendBeacon.
// - A 503, a 429 or a network failure is retried with backoff; every other
//   refusal gets one console message saying what to do. The save token is never logged.
// - When the entry is resumed on another device (or its links are revoked), the
//   save token kept here ends: the API refuses it (401 invalid_save_token). The
//   Action then stops saving this entry, in every tab of the site, and sets
//   session_recovery_error: 'continued_elsewhere' in the user data, so the
//   Embeddable can tell the user the flow continued on another device (a
//   component visible when session_recovery_error is set) and offer to start
//   over (remove the localStorage key above; the next save starts a new entry).
//   It never starts a new entry silently.
// - output() returns a Promise of the outcome: { status: 'saved', entryId, seq } |
//   { status: 'unchanged' } | { status: 'continued_elsewhere', entryId } |
//   { status: 'failed', code, message } | { status: 'no_page' }.
//
// The project must take browser saves: list this page's origin in the project's
// own allowed origins (PUT /v1/projects/{project_id}/allowed-origins), then
// PUT /v1/projects/{project_id}/browser-saves {"enabled": true}.

// @TODO: Replace these with your own values
const EMBEDDABLE_ID = '<EMBEDDABLE_ID>'  // Your Embeddable ID (sent as flow_id)
const PROJECT_ID = '<PROJECT_ID>'        // Your Project ID
const API_URL = '<API_URL>'              // The ApiUrl output of your session-recovery stack
const SAVE_DEBOUNCE_MS = 500

// What each error code means for the team reading the console.
const SAVE_HINTS = {
  browser_saves_disabled: 'the project does not take saves from the browser; turn them on (PUT /v1/projects/{project_id}/browser-saves)',
  forbidden: 'the project does not accept saves from this page\'s origin; add it to the project\'s own allowed origins',
  continued_elsewhere: 'the entry was resumed on another device (or its links were revoked), which ended this page\'s save token; this page no longer saves it',
  invalid_save_token: 'the save token kept for this entry is not valid',
  entry_not_found: 'the entry saved to is gone (erased, or past retention); the next save starts a new entry',
  stale_save: 'another tab or device keeps saving this entry with higher numbers; the next save tries again',
  invalid_request: 'the API refused the save as malformed; check EMBEDDABLE_ID, PROJECT_ID and the page keys',
  payload_too_large: 'the user data is over the 64 KiB a browser save may carry',
  unsupported_media_type: 'the API refused the Content-Type; this snippet sends text/plain, so API_URL is not session-recovery',
  rate_limited: 'too many requests, even after retries; the next page change saves again',
  service_unavailable: 'the service is busy, even after retries; the next page change saves again',
  network_error: 'the API could not be reached, even after retries. If the console also shows a CORS error, add this page\'s origin to the stack\'s allowedOrigins; otherwise check API_URL and the network',
  internal_error: 'the service failed; its logs have the details',
  not_found: 'API_URL does not point at the API (use the ApiUrl output)',
  unexpected_response: 'the API answered with something other than its JSON; check API_URL',
}

// All Actions must contain a function called output()
function output(userData, helperFunctions, triggerContext) {
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
  const ROUTE_PATHS = { createEntry: '/v1/entries', saveProgress: '/v1/entries/{entry_id}/progress' }

  const pageKey = userData && userData.current_page_key
  if (typeof pageKey !== 'string' || pageKey === '') {
    console.warn('Session recovery: the user data has no current_page_key, so there is no page to save')
    return Promise.resolve({ status: 'no_page' })
  }

  // Embeddables may run this script afresh on every trigger: the saver lives on the page.
  const savers = window.__sessionRecoverySavers || (window.__sessionRecoverySavers = {})
  const key = saveStateKey(PROJECT_ID, EMBEDDABLE_ID)
  if (!savers[key]) {
    let storage = null
    try { storage = window.localStorage } catch { /* blocked: the entry is kept in memory */ }
    const saver = createSaver({
      apiUrl: API_URL,
      projectId: PROJECT_ID,
      flowId: EMBEDDABLE_ID,
      routes: ROUTE_PATHS,
      storage,
      fetch: (url, init) => window.fetch(url, init),
      sendBeacon: (url, body) => window.navigator.sendBeacon(url, body),
      clock: { now: () => Date.now(), setTimeout: (fn, ms) => window.setTimeout(fn, ms), clearTimeout: (id) => window.clearTimeout(id) },
      random: Math.random,
      debounceMs: SAVE_DEBOUNCE_MS,
      onFailure: ({ code, message }) => {
        console.error('Session recovery: the progress could not be saved (' + code + '): ' + (SAVE_HINTS[code] || 'unknown error') + ' [' + message + ']')
      },
    })
    window.addEventListener('pagehide', () => saver.sendUnsaved())
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'hidden') saver.sendUnsaved()
    })
    savers[key] = saver
  }

  return savers[key].save(pageKey, userData).then((outcome) => {
    if (outcome.status === 'saved' && userData.entry_id !== outcome.entryId) helperFunctions.setUserData({ entry_id: outcome.entryId })
    if (outcome.status === 'continued_elsewhere' && userData.session_recovery_error !== 'continued_elsewhere') {
      helperFunctions.setUserData({ session_recovery_error: 'continued_elsewhere' })
    }
    return outcome
  })
}
