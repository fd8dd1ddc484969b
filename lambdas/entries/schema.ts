import { MAX_PAGE_KEY_LENGTH, PAGE_KEY_PATTERN } from '../domain/entries';
import { idParams, idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchema } from '../http/route-schema';

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

export const routeSchemas: Record<string, RouteSchema> = {
  'PUT /v1/entries/{entry_id}': { pathParameters: idParams('entry_id'), body: putEntryBodySchema },
  'GET /v1/entries/{entry_id}': { pathParameters: idParams('entry_id'), queryStringParameters: idParams('project_id') },
  'DELETE /v1/entries/{entry_id}': { pathParameters: idParams('entry_id'), queryStringParameters: idParams('project_id') },
  'POST /v1/entries/{entry_id}/revoke-links': {
    pathParameters: idParams('entry_id'),
    body: { type: 'object', required: ['project_id'], additionalProperties: false, properties: { project_id: idSchema } },
  },
};

export const fieldRules = {
  ...ID_RULES,
  current_page_key: `must be 1 to ${MAX_PAGE_KEY_LENGTH} characters with no control characters`,
} as const;
