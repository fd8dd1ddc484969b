import { EXPIRES_AT_PATTERN, MAX_EXPIRES_AT_LENGTH } from '../domain/grammar';
import { idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';
import { expiresAtRule } from '../domain/resume';

/** The mint request, for `POST /v1/tokens` and for direct invocation alike. */
export const mintBodySchema = {
  type: 'object',
  required: ['project_id', 'entry_id'],
  additionalProperties: false,
  properties: {
    project_id: idSchema,
    entry_id: idSchema,
    // Binds v2 tokens to one flow; seed tokens cannot carry it.
    flow_id: idSchema,
    expires_at: { type: 'string', minLength: 20, maxLength: MAX_EXPIRES_AT_LENGTH, pattern: EXPIRES_AT_PATTERN },
    // Bounded by the deployment's linkMaxLifetime, which mint checks and names when it is exceeded.
    ttl_seconds: { type: 'integer', minimum: 1 },
    resume_url: { type: 'string', minLength: 1, maxLength: 2048 },
  },
} as const;

export const routeSchemas = {
  mint: { body: mintBodySchema },
} as const satisfies RouteSchemasOf<'mint'>;

export const fieldRules = {
  ...ID_RULES,
  expires_at: expiresAtRule,
  ttl_seconds: 'must be a whole number of seconds, at least 1',
  resume_url: 'must be a URL of at most 2048 characters',
} as const;
