// What the three browser clients share, written once. `npm run build:clients`
// (scripts/clients.ts) copies each function below into clients/*.js where a
// `//#include` line names it: an Action is pasted into Embeddables as one
// self-contained script, so no client can import this file.

// The resume link's parameters in `search` (a query string), repairing the damage
// links suffer in transit. Each repair gives back exactly the string that was
// signed. A missing parameter is ''.
export function readLinkParameters(search, names) {
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
export function resumeRequest(body) {
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
export function errorCodeOf(status, data) {
  const error = data && data.error
  if (error && typeof error.code === 'string') return error.code
  return status === 429 ? 'rate_limited' : 'unexpected_response'
}
