import { SAVE_TOKEN_SCHEMA } from '../domain/save-token';
import { idParams, idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';

export const linkRequestBodySchema = {
  type: 'object',
  required: ['project_id', 'flow_id', 'save_token', 'channel'],
  additionalProperties: false,
  properties: {
    project_id: idSchema,
    flow_id: idSchema,
    save_token: SAVE_TOKEN_SCHEMA,
    channel: { enum: ['email', 'sms'] },
    // An email address (254 at most, RFC 5321) or an E.164 number; which, the channel says (checked by the domain).
    to: { type: 'string', minLength: 1, maxLength: 254 },
    resume_url: { type: 'string', minLength: 1, maxLength: 2048 },
  },
} as const;

export const handoffBodySchema = {
  type: 'object',
  required: ['project_id', 'flow_id', 'save_token'],
  additionalProperties: false,
  properties: {
    project_id: idSchema,
    flow_id: idSchema,
    save_token: SAVE_TOKEN_SCHEMA,
    resume_url: { type: 'string', minLength: 1, maxLength: 2048 },
  },
} as const;

export const routeSchemas = {
  linkRequests: { pathParameters: idParams('entry_id'), body: linkRequestBodySchema },
  handoff: { pathParameters: idParams('entry_id'), body: handoffBodySchema },
} as const satisfies RouteSchemasOf<'link-requests'>;

export const fieldRules = {
  ...ID_RULES,
  save_token: 'must be the save_token this entry was created or resumed with',
  channel: 'must be "email" or "sms"',
  to: 'must be an email address (channel email) or an E.164 phone number (channel sms)',
  resume_url: "must be a URL of at most 2048 characters on one of the project's allowed origins",
} as const;
