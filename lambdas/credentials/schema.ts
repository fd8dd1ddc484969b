import { idParams, idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';
import { ORIGIN_PATTERN } from '../domain/origin-policy';
import { CREDENTIAL_ID_PATTERN, MAX_ALLOWED_ORIGINS } from '../domain/project-keys';
import { FIELD_PATTERN, FIELD_RULE, MAX_FIELD_LENGTH, MAX_WITHHELD_FIELDS } from '../domain/resume-policy';

export const createCredentialBodySchema = {
  type: 'object',
  required: ['label'],
  additionalProperties: false,
  properties: {
    label: { type: 'string', minLength: 1, maxLength: 128, pattern: '^[^\\u0000-\\u001f\\u007f]+$' },
    environment: { ...idSchema, maxLength: 64 },
    replace: { type: 'boolean' },
    algorithm: { enum: ['sha256', 'hmac-sha256'] },
    // A sending provider that signs links in its own templates: mint never signs with its credential.
    provider: { ...idSchema, maxLength: 64 },
  },
} as const;

const originList = {
  type: 'array',
  minItems: 1,
  maxItems: MAX_ALLOWED_ORIGINS,
  items: { type: 'string', maxLength: 262, pattern: ORIGIN_PATTERN },
} as const;

/**
 * `allowed_origins`, the name every answer of these routes uses; `origins`, its older name, is still taken. Exactly
 * one of the two is required: the handler says so, naming `allowed_origins`.
 */
export const allowedOriginsBodySchema = {
  type: 'object',
  additionalProperties: false,
  properties: { allowed_origins: originList, origins: originList },
} as const;

export const browserSavesBodySchema = {
  type: 'object',
  required: ['enabled'],
  additionalProperties: false,
  properties: {
    enabled: { type: 'boolean' },
    // ISO 3166 alpha-2 codes; which ones name a country is checked by the handler (recipients.ts).
    sms_countries: { type: 'array', maxItems: 250, uniqueItems: true, items: { type: 'string', pattern: '^[A-Z]{2}$' } },
  },
} as const;

const field = { type: 'string', minLength: 1, maxLength: MAX_FIELD_LENGTH, pattern: FIELD_PATTERN } as const;

/** A flow's resume policy (docs/withheld-fields.md, docs/second-factor.md): an empty list and no verify_field clear it. */
export const resumePolicyBodySchema = {
  type: 'object',
  required: ['withheld_fields'],
  additionalProperties: false,
  properties: {
    withheld_fields: { type: 'array', maxItems: MAX_WITHHELD_FIELDS, items: field },
    verify_field: field,
  },
} as const;

const project = idParams('project_id');
const projectFlow = idParams('project_id', 'flow_id');

export const routeSchemas = {
  createCredential: { pathParameters: project, body: createCredentialBodySchema },
  listCredentials: { pathParameters: project },
  getAllowedOrigins: { pathParameters: project },
  setAllowedOrigins: { pathParameters: project, body: allowedOriginsBodySchema },
  clearAllowedOrigins: { pathParameters: project },
  getBrowserSaves: { pathParameters: project },
  setBrowserSaves: { pathParameters: project, body: browserSavesBodySchema },
  getResumePolicy: { pathParameters: projectFlow },
  setResumePolicy: { pathParameters: projectFlow, body: resumePolicyBodySchema },
  clearResumePolicy: { pathParameters: projectFlow },
  revokeCredential: {
    pathParameters: {
      type: 'object',
      required: ['project_id', 'credential_id'],
      properties: { project_id: idSchema, credential_id: { type: 'string', pattern: CREDENTIAL_ID_PATTERN } },
    },
  },
} as const satisfies RouteSchemasOf<'credentials'>;

export const fieldRules = {
  ...ID_RULES,
  label: 'must be 1 to 128 characters with no control characters',
  environment: 'must be an id of at most 64 characters',
  credential_id: 'must look like cred_ followed by 20 hex digits',
  algorithm: 'must be "sha256" (the seed\'s tokens, the default) or "hmac-sha256" (v2 tokens)',
  provider: 'must be an id of at most 64 characters naming the sending provider, e.g. braze',
  allowed_origins: `must list 1 to ${MAX_ALLOWED_ORIGINS} origins such as https://www.example.com or https://*.example.com`,
  origins: `must list 1 to ${MAX_ALLOWED_ORIGINS} origins such as https://www.example.com or https://*.example.com`,
  enabled: 'must be true or false',
  sms_countries: 'must list distinct ISO 3166 alpha-2 country codes in capitals, such as ["GB","US"]',
  withheld_fields: `must list at most ${MAX_WITHHELD_FIELDS} fields, each of which ${FIELD_RULE}`,
  verify_field: FIELD_RULE,
} as const;
