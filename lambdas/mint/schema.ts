import { EXPIRES_AT_PATTERN, MAX_EXPIRES_AT_LENGTH } from '../domain/grammar';
import { MAX_BATCH_LINKS } from '../domain/minting';
import { idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';
import { expiresAtRule } from '../domain/resume';

const expiresAtSchema = { type: 'string', minLength: 20, maxLength: MAX_EXPIRES_AT_LENGTH, pattern: EXPIRES_AT_PATTERN } as const;
// Bounded by the deployment's linkMaxLifetime, which mint checks and names when it is exceeded.
const ttlSecondsSchema = { type: 'integer', minimum: 1 } as const;
const resumeUrlSchema = { type: 'string', minLength: 1, maxLength: 2048 } as const;
/** Recorded with the link (its short-link record), for attribution. */
const campaignSchema = { ...idSchema, maxLength: 64 } as const;
/** Also store a short link that redirects to `url` (for SMS): needs resume_url. */
const shortSchema = { type: 'boolean' } as const;

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
    expires_at: expiresAtSchema,
    ttl_seconds: ttlSecondsSchema,
    resume_url: resumeUrlSchema,
    campaign: campaignSchema,
    short: shortSchema,
  },
} as const;

/** One row of a batch. Checked row by row (validateRow), so a bad row gets its own error and the others are minted. */
export const batchRowSchema = {
  type: 'object',
  required: ['entry_id'],
  additionalProperties: false,
  properties: { entry_id: idSchema, flow_id: idSchema, expires_at: expiresAtSchema },
} as const;

/** `POST /v1/tokens/batch`, and a direct invocation whose payload has `links`. */
export const batchBodySchema = {
  type: 'object',
  required: ['project_id', 'links'],
  additionalProperties: false,
  properties: {
    project_id: idSchema,
    flow_id: idSchema,
    resume_url: resumeUrlSchema,
    campaign: campaignSchema,
    ttl_seconds: ttlSecondsSchema,
    short: shortSchema,
    // Any value per row here: each is checked against batchRowSchema on its own.
    links: { type: 'array', minItems: 1, maxItems: MAX_BATCH_LINKS, items: {} },
  },
} as const;

/** A direct invocation mints a batch when its payload has `links`, else one link. */
export const invokePayloadSchema = {
  if: { type: 'object', required: ['links'], properties: { links: true } },
  then: batchBodySchema,
  else: mintBodySchema,
} as const;

export const routeSchemas = {
  mint: { body: mintBodySchema },
  mintBatch: { body: batchBodySchema },
} as const satisfies RouteSchemasOf<'mint'>;

export const fieldRules = {
  ...ID_RULES,
  expires_at: expiresAtRule,
  ttl_seconds: 'must be a whole number of seconds, at least 1',
  resume_url: 'must be a URL of at most 2048 characters',
  campaign: 'must be at most 64 ASCII letters, digits, "_" and single "-" between them',
  short: 'must be true or false',
  links: `must list 1 to ${MAX_BATCH_LINKS} rows`,
} as const;
