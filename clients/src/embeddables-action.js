//#if current
// session-recovery: restore a user's answers from a resume link.
//
// An Embeddables Action, triggered on "Embeddable Load". Paste this whole file
// into the Action and replace the three @TODO values. It is the guide's Action
// (same output(userData, helperFunctions, triggerContext), same work: read the
// link, POST it to load-entry-data, setUserData, goToPage) with these additions:
//#endif
//#if legacy
// session-recovery: restore a user's answers from a resume link, LEGACY contract.
//
// For pages set up before 26 May 2026 whose links are signed with a per-flow
// legacy key. It posts {flow_id, entry_id, token, expires} (no project_id) to the
// legacy endpoint. New integrations use embeddables-action.js instead; see
// docs/migrating-from-legacy.md.
//
// An Embeddables Action, triggered on "Embeddable Load". Paste this whole file
// into the Action and replace the two @TODO values. It is the guide's legacy
// Action (same output(userData, helperFunctions, triggerContext), same work)
// with the additions of embeddables-action.js:
//#endif
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
//#if current
// - When the project takes browser saves, the resume answers a save token: it is
//   kept in localStorage, so embeddables-save-action.js goes on saving to this entry.
// - A link the page asked for ("Send me a link", link-requests) carries
//   sr_confirm=1 and works once. So that a mail scanner that runs the page does
//   not use it up, the Action posts it only after the person clicks "Continue"
//   on a small panel it adds at the foot of the page. To use a button of your
//   own Embeddable instead, set window.SessionRecoveryConfirm to a function
//   returning a Promise that resolves on that button's click, before this
//   Action runs. Such a link opened a second time fails with link_used.
//#endif

// @TODO: Replace these with your own values
//#if current
const EMBEDDABLE_ID = '<EMBEDDABLE_ID>'              // Your Embeddable ID (sent as flow_id)
const PROJECT_ID = '<PROJECT_ID>'                    // Your Project ID
const LOAD_ENTRY_DATA_URL = '<LOAD_ENTRY_DATA_URL>'  // The LoadEntryDataUrl output of your session-recovery stack
//#endif
//#if legacy
const EMBEDDABLE_ID = '<EMBEDDABLE_ID>'                            // Your Embeddable ID (sent as flow_id)
const LEGACY_LOAD_ENTRY_DATA_URL = '<LEGACY_LOAD_ENTRY_DATA_URL>'  // The LegacyLoadEntryDataUrl output of your session-recovery stack
//#endif
const TOKEN_URL_PARAM_KEY = 'token'
const ENTRY_ID_URL_PARAM_KEY = 'entry_id'
const EXPIRY_URL_PARAM_KEY = 'expires_at'

// What each error code means for the team reading the console.
const SESSION_RECOVERY_HINTS = {
  incomplete_link: 'the link lacks token, entry_id or expires_at (it was probably cut off when it was copied or sent)',
  invalid_request: 'the endpoint refused the link\'s parameters as malformed; check that the backend URL-encodes token, entry_id and expires_at',
//#if current
  invalid_token: 'the token does not match: the link was altered, PROJECT_ID is not the project whose Token Signing Secret signed it, or that secret was revoked or replaced',
  link_revoked: 'this link has been revoked; send the user a new one',
  link_used: 'this link was already used (a link the page asked for works once); the user can ask for a new one',
//#endif
//#if legacy
  invalid_token: 'the token does not match: the link was altered, or it was not signed with this flow\'s legacy key (the legacy endpoint never accepts Token Signing Secrets), or that key was retired',
//#endif
  token_expired: 'the link has expired; send the user a new one',
  entry_not_found: 'no saved entry of this Embeddable has this entry_id (wrong EMBEDDABLE_ID, or the entry was erased or is past retention)',
//#if current
  forbidden: 'the project does not accept calls from this page\'s origin; add it to the project\'s allowed origins',
//#endif
//#if legacy
  gone: 'the legacy endpoint has been switched off; move this Embeddable to the current endpoint (embeddables-action.js)',
  not_found: 'LEGACY_LOAD_ENTRY_DATA_URL does not point at the legacy endpoint\'s root',
//#endif
  payload_too_large: 'the request body was too large (over 4 KiB); the link parameters are far longer than they should be',
  unsupported_media_type: 'the endpoint refused the Content-Type; this snippet sends text/plain, so the endpoint is too old or is not session-recovery',
  rate_limited: 'too many requests right now; the user can open the link again in a moment',
  service_unavailable: 'the service is busy; the user can open the link again in a moment',
  internal_error: 'the service failed; its logs have the details',
//#if current
  network_error: 'the endpoint could not be reached. If the console also shows a CORS error, add this page\'s origin to the stack\'s allowedOrigins; otherwise check LOAD_ENTRY_DATA_URL and the network',
  unexpected_response: 'the endpoint answered with something other than the load-entry-data JSON; check LOAD_ENTRY_DATA_URL',
//#endif
//#if legacy
  network_error: 'the endpoint could not be reached. If the console also shows a CORS error, add this page\'s origin to the stack\'s allowedOrigins; otherwise check LEGACY_LOAD_ENTRY_DATA_URL and the network',
  unexpected_response: 'the endpoint answered with something other than the load-entry-data JSON; check LEGACY_LOAD_ENTRY_DATA_URL',
//#endif
}

// All Actions must contain a function called output()
function output(userData, helperFunctions, triggerContext) {
  //#include linkParameterName

  //#include readLinkParameters

  //#include withoutLinkParameters

  //#include resumedUserData

  //#include simplePost

  //#include errorCodeOf

//#if current
  //#include saveStateKey

  //#include adoptResumedEntry

  //#include needsConfirmation

  //#include confirmByClick

//#endif

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

//#if legacy
  console.warn('Session recovery: this page uses the deprecated legacy endpoint; migrate to the current one (see docs/migrating-from-legacy.md)')
  console.info('Session recovery: restoring the saved entry from the link')
//#endif
//#if current
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
//#endif
//#if legacy
  return fetch(LEGACY_LOAD_ENTRY_DATA_URL, simplePost({
    flow_id: EMBEDDABLE_ID,
    entry_id: entryId,
    token,
    expires: expiresAt,  // Note: "expires", not "expires_at"
  })).then(async (res) => {
//#endif
    let data = null
    try { data = await res.json() } catch { /* not JSON: handled below */ }

    // If the User Data is successfully retrieved,
    // set the user data and navigate to the user's current page
    if (res.ok && data && data.entry) {
//#if current
      const link = [TOKEN_URL_PARAM_KEY, ENTRY_ID_URL_PARAM_KEY, EXPIRY_URL_PARAM_KEY, 'sr_confirm']
//#endif
//#if legacy
      const link = [TOKEN_URL_PARAM_KEY, ENTRY_ID_URL_PARAM_KEY, EXPIRY_URL_PARAM_KEY]
//#endif
      // First, so nothing that runs on the page change below reads the token in the address bar.
      try {
        window.history.replaceState(window.history.state, '', withoutLinkParameters(window.location.href, link))
      } catch (err) {
        console.warn('Session recovery: the link could not be removed from the address bar:', err && err.message)
      }
//#if current
      try {
        adoptResumedEntry(window.localStorage, saveStateKey(PROJECT_ID, EMBEDDABLE_ID), data.entry.entry_id, data.save_token)
      } catch {
        // localStorage blocked: saves of this visit start a new entry.
      }
//#endif
      const restored = resumedUserData(data.entry, search, userData, new Date().toISOString())
      helperFunctions.setUserData(restored)
      window.Savvy.goToPage(EMBEDDABLE_ID, data.entry.current_page_key)
      console.info('Session recovery: restored the saved entry; going to ' + data.entry.current_page_key)
      return { status: 'restored', entry: restored }
    }
    const code = errorCodeOf(res.status, data)
//#if current
    if (code === 'link_revoked' && singleUse) return fail('link_used', res.status, 'This link was already used; ask for a new one.')
//#endif
    return fail(code, res.status, data && data.error && data.error.message)
  }, (err) => fail('network_error', 0, err && err.message)).catch((err) => {
    // setUserData or goToPage threw: a problem in the page, not in the link.
    console.error('Session recovery: the page could not apply the result:', err)
    return { status: 'failed', code: 'client_error', message: String((err && err.message) || err) }
  })
}
