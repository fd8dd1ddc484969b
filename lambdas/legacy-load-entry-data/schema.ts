import { EXPIRES_AT_PATTERN, MAX_EXPIRES_AT_LENGTH, TOKEN_PATTERN } from '../domain/grammar';
import { idSchema, ID_RULES } from '../http/common-schemas';
import { expiresAtRule, TOKEN_RULE } from '../domain/resume';

/** The legacy body: `expires` (not `expires_at`) and no `project_id`. */
export const legacyBodySchema = {
  type: 'object',
  required: ['flow_id', 'entry_id', 'token', 'expires'],
  additionalProperties: false,
  properties: {
    flow_id: idSchema,
    entry_id: idSchema,
    token: { type: 'string', minLength: 64, maxLength: 64, pattern: TOKEN_PATTERN },
    expires: { type: 'string', minLength: 20, maxLength: MAX_EXPIRES_AT_LENGTH, pattern: EXPIRES_AT_PATTERN },
  },
} as const;

/** A Function URL sends every path and method to the Lambda: only `POST /` carries a body to check. */
export const legacyEventSchema = {
  type: 'object',
  if: {
    type: 'object',
    required: ['requestContext', 'rawPath'],
    properties: {
      requestContext: {
        type: 'object',
        required: ['http'],
        properties: { http: { type: 'object', required: ['method'], properties: { method: { const: 'POST' } } } },
      },
      rawPath: { const: '/' },
    },
  },
  then: { required: ['body'], properties: { body: legacyBodySchema } },
} as const;

export const fieldRules = {
  flow_id: ID_RULES.flow_id,
  entry_id: ID_RULES.entry_id,
  token: TOKEN_RULE,
  expires: expiresAtRule,
} as const;

export const fieldHints = {
  expires_at: 'unknown field "expires_at": the legacy endpoint takes "expires" (the current endpoint takes "expires_at")',
  project_id: 'unknown field "project_id": the legacy endpoint takes none; send project_id to the current endpoint, /v1/load-entry-data, instead',
} as const;
