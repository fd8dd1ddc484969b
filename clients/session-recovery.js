// Built from clients/src/ by `npm run build:clients`; to change this file, change those.
/**
 * session-recovery in the browser, for sites that are not built on Embeddables.
 * A framework-free ES module with no dependencies and no build step on your side:
 *
 *   import { resumeFromUrl, SessionRecoveryError } from './session-recovery.js'
 *
 *   try {
 *     const entry = await resumeFromUrl({
 *       endpoint: 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1/load-entry-data', // LoadEntryDataUrl
 *       flowId: 'flow_onboarding',
 *       projectId: 'proj_aaabbbccc',
 *     })
 *     if (entry) showPage(entry.current_page_key, entry) // null: the URL holds no resume link
 *   } catch (error) {
 *     if (!(error instanceof SessionRecoveryError)) throw error
 *     showMessage(error.code) // e.g. 'token_expired'
 *   }
 *
 * The contract of `resumeFromUrl`:
 * - It resolves with the entry, `{ ...saved user data, entry_id, current_page_key }`,
 *   exactly as the endpoint returns it.
 * - It resolves with `null` when the URL holds none of token, entry_id, expires_at
 *   (a new visitor).
 * - It rejects with a `SessionRecoveryError` on every failure. Its `code` is the
 *   endpoint's error code (`invalid_request`, `invalid_token`, `token_expired`,
 *   `link_revoked`, `entry_not_found`, `forbidden`, `payload_too_large`,
 *   `unsupported_media_type`, `service_unavailable`, `internal_error`), or one
 *   of the client's own: `incomplete_link` (one or two of the three parameters
 *   are missing), `network_error` (no response, which includes a call the
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

/** A resume that failed; `code` says why (see above). */
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

// The resume link's parameters in `search` (a query string), repairing the damage
// links suffer in transit. Each repair gives back exactly the string that was
// signed. A missing parameter is ''.
function readLinkParameters(search, names) {
  const params = new Map()
  for (const [name, value] of new URLSearchParams(search)) {
    // "&" rewritten as "&amp;" (or "&#38;") turns "&entry_id=" into a parameter named "amp;entry_id".
    params.set(name.replace(/^(?:amp;|#0*38;|#x0*26;)+/i, ''), value)
  }
  const clean = (value) => {
    if (value === undefined) return ''
    let v = value.trim()
    // Encoded twice by a link tracker: "%252B01%253A00" reaches us as "%2B01%3A00".
    for (let i = 0; i < 2 && /%[0-9A-Fa-f]{2}/.test(v); i++) {
      try { v = decodeURIComponent(v) } catch { break }
    }
    return v
  }
  return {
    token: clean(params.get(names.token)),
    entryId: clean(params.get(names.entryId)),
    // A "+01:00" offset sent unencoded arrives as " 01:00": in a query string "+" means a space.
    expiresAt: clean(params.get(names.expiresAt)).replace(/^([0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9:.]+) ([0-9]{2}:[0-9]{2})$/, '$1+$2'),
  }
}

// The fetch() options that post a link's parameters to the endpoint.
function resumeRequest(body) {
  return {
    method: 'POST',
    // text/plain keeps this a CORS "simple" request: no preflight.
    headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
    body: JSON.stringify(body),
    credentials: 'omit',
    // The page URL holds the token: never send it on as a Referer.
    referrerPolicy: 'no-referrer',
  }
}

// The error code of an answer that holds no entry: the endpoint's own, else
// rate_limited for API Gateway's 429 (whose body has no code), else unexpected_response.
function errorCodeOf(status, data) {
  const error = data && data.error
  if (error && typeof error.code === 'string') return error.code
  return status === 429 ? 'rate_limited' : 'unexpected_response'
}

/**
 * The resume parameters of `url`, repaired. Missing ones are ''.
 * @param {string} [url] defaults to the page's URL
 * @returns {{ token: string, entryId: string, expiresAt: string }}
 */
export function readResumeLink(url = window.location.href) {
  return readLinkParameters(new URL(url).search, { token: 'token', entryId: 'entry_id', expiresAt: 'expires_at' })
}

/**
 * Loads the entry a resume link points to. See the module comment for what it
 * resolves with and how it fails.
 * @param {{ endpoint: string, flowId: string, projectId: string, url?: string }} options
 *   `endpoint` is the full load-entry-data URL; `url` defaults to the page's URL.
 * @returns {Promise<Record<string, unknown> & { entry_id: string, current_page_key: string } | null>}
 */
export async function resumeFromUrl({ endpoint, flowId, projectId, url = window.location.href }) {
  if (!endpoint || !flowId || !projectId) throw new TypeError('resumeFromUrl needs endpoint, flowId and projectId')
  const { token, entryId, expiresAt } = readResumeLink(url)
  if (!token && !entryId && !expiresAt) return null
  if (!token || !entryId || !expiresAt) {
    throw new SessionRecoveryError('incomplete_link', 'The link lacks token, entry_id or expires_at.')
  }

  let res
  try {
    res = await fetch(endpoint, resumeRequest({ flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt }))
  } catch (error) {
    throw new SessionRecoveryError('network_error', `The endpoint could not be reached (${error?.message ?? error}).`)
  }
  let data = null
  try {
    data = await res.json()
  } catch {
    // Not JSON: handled below.
  }
  if (res.ok && data?.entry) return data.entry
  const code = errorCodeOf(res.status, data)
  if (code === 'rate_limited') throw new SessionRecoveryError(code, 'Too many requests; retry shortly.', res.status)
  if (code === 'unexpected_response') throw new SessionRecoveryError(code, `The endpoint answered HTTP ${res.status} without the expected JSON.`, res.status)
  throw new SessionRecoveryError(code, String(data.error.message ?? ''), res.status)
}
