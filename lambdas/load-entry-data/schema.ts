import { EXPIRES_AT_PATTERN, ID_PATTERN, MAX_EXPIRES_AT_LENGTH, MAX_ID_LENGTH, TOKEN_PATTERN } from '../domain/grammar';
import type { RouteSchemasOf } from '../http/route-schema';
import { V2_TOKEN_PATTERN } from '../domain/token-v2';
import { CURRENT_TOKEN_RULE, expiresAtRule, ID_RULE } from '../domain/resume';

/** Longest `verification` value taken: far above any email address or date. */
export const MAX_VERIFICATION_LENGTH = 320;

const id = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, pattern: ID_PATTERN } as const;

/** JSON Schema of the `POST /v1/load-entry-data` body (docs/openapi.yaml mirrors it). */
export const loadEntryDataBodySchema = {
  type: 'object',
  required: ['flow_id', 'project_id', 'entry_id', 'token', 'expires_at'],
  additionalProperties: false,
  properties: {
    flow_id: id,
    project_id: id,
    entry_id: id,
    // The seed's 64-hex token, or a v2 token (see token-v2.ts).
    token: { type: 'string', minLength: 64, maxLength: 72, pattern: `${TOKEN_PATTERN}|${V2_TOKEN_PATTERN}` },
    expires_at: { type: 'string', minLength: 20, maxLength: MAX_EXPIRES_AT_LENGTH, pattern: EXPIRES_AT_PATTERN },
    // The person's value of the flow's verify field (docs/second-factor.md); only flows with one need it.
    verification: { type: 'string', minLength: 1, maxLength: MAX_VERIFICATION_LENGTH },
  },
} as const;

export const routeSchemas = {
  loadEntryData: { body: loadEntryDataBodySchema },
} as const satisfies RouteSchemasOf<'load-entry-data'>;

/**
 * The validator checks the whole event; only the parsed body is constrained. Not
 * by route key: on the Function URL option the same Lambda gets `$default` events.
 */
export const loadEntryDataEventSchema = {
  type: 'object',
  required: ['body'],
  properties: { body: loadEntryDataBodySchema },
} as const;

export const fieldRules = {
  flow_id: ID_RULE,
  project_id: ID_RULE,
  entry_id: ID_RULE,
  token: CURRENT_TOKEN_RULE,
  expires_at: expiresAtRule,
  verification: `must be the person's value of the flow's verify field, 1 to ${MAX_VERIFICATION_LENGTH} characters`,
} as const;

export const fieldHints = {
  expires: 'unknown field "expires": this endpoint takes "expires_at" ("expires" is the legacy contract\'s name)',
} as const;
