/** The day the legacy contract stopped being provisioned (the seeds' "May 26, 2026"), as RFC 9745 wants it. */
export const DEPRECATED_SINCE = '@1779753600';

export interface DeprecationSettings {
  /** When the operator will switch the route off, if decided (ISO 8601). */
  readonly sunset?: string;
  /** Where the migration guide lives; defaults to this endpoint's own /migration-guide. */
  readonly migrationGuideUrl?: string;
}

const LOOPBACK = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/** The guide URL for a request: the configured one, or the Function URL's own /migration-guide. */
export const migrationGuideUrl = (settings: DeprecationSettings, host: string | undefined): string => {
  if (settings.migrationGuideUrl) return settings.migrationGuideUrl;
  const h = host ?? 'localhost';
  return `${LOOPBACK.test(h) ? 'http' : 'https'}://${h}/migration-guide`;
};

/**
 * Headers on every legacy response: `Deprecation` (RFC 9745), `Sunset` (RFC 8594)
 * once a date is set, and a `Link` to the migration guide.
 */
export const deprecationHeaders = (settings: DeprecationSettings, host: string | undefined): Record<string, string> => {
  const guide = migrationGuideUrl(settings, host);
  const headers: Record<string, string> = {
    Deprecation: DEPRECATED_SINCE,
    Link: `<${guide}>; rel="deprecation"; type="text/markdown"`,
  };
  if (settings.sunset) {
    headers.Sunset = new Date(settings.sunset).toUTCString();
    headers.Link += `, <${guide}>; rel="sunset"; type="text/markdown"`;
  }
  return headers;
};

/** A short migration guide the endpoint serves itself, so the Link header always resolves. */
export const migrationNotice = (currentEndpoint: string | undefined, sunset: string | undefined): string => `# This endpoint is deprecated

The legacy \`load_entry_data\` contract still works for existing per-flow keys, but it will not accept
Token Signing Secrets and will be switched off${sunset ? ` on ${new Date(sunset).toUTCString()}` : ''}.

Move your page code to the current endpoint${currentEndpoint ? `:\n\n    ${currentEndpoint}` : '.'}

| | Legacy | Current |
|---|---|---|
| expiry field | \`expires\` | \`expires_at\` |
| \`project_id\` in body | not sent | required |
| key | per-flow legacy key | project Token Signing Secret |

Current request body:

    {"flow_id": "...", "project_id": "...", "entry_id": "...", "token": "...", "expires_at": "..."}

The token formula is unchanged: sha256(secret + "---" + entry_id + "---" + expires_at), signed with a
Token Signing Secret of your project. The full guide is docs/migrating-from-legacy.md in session-recovery.
`;
