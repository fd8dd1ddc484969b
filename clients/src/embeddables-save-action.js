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
  //#include simplePost

  //#include errorCodeOf

  //#include saveStateKey

  //#include adoptResumedEntry

  //#include createSaver

  //#routes createEntry saveProgress

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
