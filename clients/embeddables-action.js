// Built from clients/src/ by `npm run build:clients`; to change this file, change those.
// session-recovery: restore a user's answers from a resume link.
//
// An Embeddables Action, triggered on "Embeddable Load". Paste this whole file
// into the Action and replace the three @TODO values. It is the guide's Action
// (same output(userData, helperFunctions, triggerContext), same work: read the
// link, POST it to load-entry-data, setUserData, goToPage) with these additions:
//
// - It reads links that were damaged on the way: an expires_at whose "+hh:mm"
//   offset arrives as " hh:mm" (the link was built without URL-encoding and the
//   "+" was decoded as a space), parameter names behind an "&" that a mail
//   system rewrote as "&amp;", and values encoded twice by a link tracker.
//   Each repair gives back exactly the string that was signed. A link with some
//   but not all three parameters is reported (incomplete_link), not ignored.
// - The body is sent as Content-Type: text/plain, which makes the call a CORS
//   "simple" request: no preflight round trip before the answers load. The
//   endpoint parses text/plain bodies as JSON.
// - Each error code gets one clear console message. The token is never logged.
// - On failure it calls helperFunctions.setUserData({ session_recovery_error: code }),
//   so the Embeddable can show a message (e.g. a component that is visible when
//   session_recovery_error is set) and offer to start over.
// - output() returns a Promise of the outcome, for pages that call it themselves:
//   { status: 'no_link' } | { status: 'restored', entry } | { status: 'failed', code, message },
//   where entry is the user data it set.
//
// After a restore the page keeps nothing of the link:
// - token, entry_id and expires_at leave the address bar (history.replaceState),
//   under their damaged names too; every other parameter and the fragment stay.
//   Analytics tags that read the page URL must load after this Action has run.
// - This visit's attribution is never replaced by the saved one: for utm_*, gclid
//   and fbclid, the values in the page URL, or those already in userData, stay.
// - The user data gets session_recovery_resumed_at (an ISO 8601 instant): this
//   visit came from a resume link.
// - When the project takes browser saves, the resume answers a save token: it is
//   kept in localStorage, so embeddables-save-action.js goes on saving to this entry.
// - A link the page asked for ("Send me a link", link-requests) carries
//   sr_confirm=1 and works once. So that a mail scanner that runs the page does
//   not use it up, the Action posts it only after the person clicks "Continue"
//   on a small panel it adds at the foot of the page. To use a button of your
//   own Embeddable instead, set window.SessionRecoveryConfirm to a function
//   returning a Promise that resolves on that button's click, before this
//   Action runs. Such a link opened a second time fails with link_used.

// @TODO: Replace these with your own values
const EMBEDDABLE_ID = '<EMBEDDABLE_ID>'              // Your Embeddable ID (sent as flow_id)
const PROJECT_ID = '<PROJECT_ID>'                    // Your Project ID
const LOAD_ENTRY_DATA_URL = '<LOAD_ENTRY_DATA_URL>'  // The LoadEntryDataUrl output of your session-recovery stack
const TOKEN_URL_PARAM_KEY = 'token'
const ENTRY_ID_URL_PARAM_KEY = 'entry_id'
const EXPIRY_URL_PARAM_KEY = 'expires_at'

// What each error code means for the team reading the console.
const SESSION_RECOVERY_HINTS = {
  incomplete_link: 'the link lacks token, entry_id or expires_at (it was probably cut off when it was copied or sent)',
  invalid_request: 'the endpoint refused the link\'s parameters as malformed; check that the backend URL-encodes token, entry_id and expires_at',
  invalid_token: 'the token does not match: the link was altered, PROJECT_ID is not the project whose Token Signing Secret signed it, or that secret was revoked or replaced',
  link_revoked: 'this link has been revoked; send the user a new one',
  link_used: 'this link was already used (a link the page asked for works once); the user can ask for a new one',
  token_expired: 'the link has expired; send the user a new one',
  entry_not_found: 'no saved entry of this Embeddable has this entry_id (wrong EMBEDDABLE_ID, or the entry was erased or is past retention)',
  forbidden: 'the project does not accept calls from this page\'s origin; add it to the project\'s allowed origins',
  payload_too_large: 'the request body was too large (over 4 KiB); the link parameters are far longer than they should be',
  unsupported_media_type: 'the endpoint refused the Content-Type; this snippet sends text/plain, so the endpoint is too old or is not session-recovery',
  rate_limited: 'too many requests right now; the user can open the link again in a moment',
  service_unavailable: 'the service is busy; the user can open the link again in a moment',
  internal_error: 'the service failed; its logs have the details',
  network_error: 'the endpoint could not be reached. If the console also shows a CORS error, add this page\'s origin to the stack\'s allowedOrigins; otherwise check LOAD_ENTRY_DATA_URL and the network',
  unexpected_response: 'the endpoint answered with something other than the load-entry-data JSON; check LOAD_ENTRY_DATA_URL',
}

// All Actions must contain a function called output()
function output(userData, helperFunctions, triggerContext) {
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


  function fail(code, status, message) {
    const detail = [status ? 'HTTP ' + status : '', message || ''].filter(Boolean).join(': ')
    console.error('Session recovery failed (' + code + '): ' + (SESSION_RECOVERY_HINTS[code] || 'unknown error') + (detail ? ' [' + detail + ']' : ''))
    helperFunctions.setUserData({ session_recovery_error: code })
    return { status: 'failed', code, message: message || SESSION_RECOVERY_HINTS[code] || code }
  }

  const search = window.location.search
  const { token, entryId, expiresAt } = readLinkParameters(search, {
    token: TOKEN_URL_PARAM_KEY,
    entryId: ENTRY_ID_URL_PARAM_KEY,
    expiresAt: EXPIRY_URL_PARAM_KEY,
  })

  // None of the three: a new user, nothing to restore.
  if (!token && !entryId && !expiresAt) return Promise.resolve({ status: 'no_link' })
  // Some but not all: a damaged link. Say so rather than silently starting afresh.
  if (!token || !entryId || !expiresAt) return Promise.resolve(fail('incomplete_link'))

  // A single-use link: only once the person asks to continue (a mail scanner that runs the page never does).
  const singleUse = needsConfirmation(search)
  const confirmed = singleUse
    ? Promise.resolve().then(() => (typeof window.SessionRecoveryConfirm === 'function' ? window.SessionRecoveryConfirm() : confirmByClick(document)))
    : Promise.resolve()
  return confirmed.then(() => {
    console.info('Session recovery: restoring the saved entry from the link')
    return fetch(LOAD_ENTRY_DATA_URL, simplePost({
      flow_id: EMBEDDABLE_ID,
      project_id: PROJECT_ID,
      entry_id: entryId,
      token,
      expires_at: expiresAt,
    }))
  }).then(async (res) => {
    let data = null
    try { data = await res.json() } catch { /* not JSON: handled below */ }

    // If the User Data is successfully retrieved,
    // set the user data and navigate to the user's current page
    if (res.ok && data && data.entry) {
      const link = [TOKEN_URL_PARAM_KEY, ENTRY_ID_URL_PARAM_KEY, EXPIRY_URL_PARAM_KEY, 'sr_confirm']
      // First, so nothing that runs on the page change below reads the token in the address bar.
      try {
        window.history.replaceState(window.history.state, '', withoutLinkParameters(window.location.href, link))
      } catch (err) {
        console.warn('Session recovery: the link could not be removed from the address bar:', err && err.message)
      }
      try {
        adoptResumedEntry(window.localStorage, saveStateKey(PROJECT_ID, EMBEDDABLE_ID), data.entry.entry_id, data.save_token)
      } catch {
        // localStorage blocked: saves of this visit start a new entry.
      }
      const restored = resumedUserData(data.entry, search, userData, new Date().toISOString())
      helperFunctions.setUserData(restored)
      window.Savvy.goToPage(EMBEDDABLE_ID, data.entry.current_page_key)
      console.info('Session recovery: restored the saved entry; going to ' + data.entry.current_page_key)
      return { status: 'restored', entry: restored }
    }
    const code = errorCodeOf(res.status, data)
    if (code === 'link_revoked' && singleUse) return fail('link_used', res.status, 'This link was already used; ask for a new one.')
    return fail(code, res.status, data && data.error && data.error.message)
  }, (err) => fail('network_error', 0, err && err.message)).catch((err) => {
    // setUserData or goToPage threw: a problem in the page, not in the link.
    console.error('Session recovery: the page could not apply the result:', err)
    return { status: 'failed', code: 'client_error', message: String((err && err.message) || err) }
  })
}
