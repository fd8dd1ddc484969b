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

//#include linkParameterName

//#include readLinkParameters

//#include withoutLinkParameters

//#include needsConfirmation

//#include confirmByClick

//#include resumedUserData

//#include simplePost

//#include errorCodeOf

//#include saveStateKey

//#include adoptResumedEntry

//#include createSaver

//#routes createEntry saveProgress linkRequests handoff

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

//#include resumeLinkNames

//#include readResumeLink
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
