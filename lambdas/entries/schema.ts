import { MAX_PAGE_KEY_LENGTH, PAGE_KEY_PATTERN } from '../domain/entries';
import { idParams, idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';

export const putEntryBodySchema = {
  type: 'object',
  required: ['project_id', 'flow_id', 'current_page_key', 'user_data'],
  additionalProperties: false,
  properties: {
    project_id: idSchema,
    flow_id: idSchema,
    current_page_key: { type: 'string', minLength: 1, maxLength: MAX_PAGE_KEY_LENGTH, pattern: PAGE_KEY_PATTERN },
    user_data: { type: 'object' },
  },
} as const;

const entry = idParams('entry_id');
const project = idParams('project_id');

export const routeSchemas = {
  putEntry: { pathParameters: entry, body: putEntryBodySchema },
  getEntry: { pathParameters: entry, queryStringParameters: project },
  deleteEntry: { pathParameters: entry, queryStringParameters: project },
  revokeLinks: {
    pathParameters: entry,
    body: { type: 'object', required: ['project_id'], additionalProperties: false, properties: { project_id: idSchema } },
  },
  completeEntry: {
    pathParameters: entry,
    body: { type: 'object', required: ['project_id'], additionalProperties: false, properties: { project_id: idSchema } },
  },
} as const satisfies RouteSchemasOf<'entries'>;

export const fieldRules = {
  ...ID_RULES,
  current_page_key: `must be 1 to ${MAX_PAGE_KEY_LENGTH} characters with no control characters`,
} as const;
