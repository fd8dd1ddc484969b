import { MAX_PAGE_KEY_LENGTH } from '../domain/entries';
import { SAVE_TOKEN_SCHEMA } from '../domain/save-token';
import { idParams, ID_RULES, putEntryBodySchema } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';

/** A new entry from the page: what an admin save takes, without an entry id (the server makes it). */
export const createEntryBodySchema = putEntryBodySchema;

export const saveProgressBodySchema = {
  type: 'object',
  required: ['project_id', 'flow_id', 'save_token', 'seq', 'current_page_key', 'user_data'],
  additionalProperties: false,
  properties: {
    ...putEntryBodySchema.properties,
    save_token: SAVE_TOKEN_SCHEMA,
    seq: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER },
  },
} as const;

export const routeSchemas = {
  createEntry: { body: createEntryBodySchema },
  saveProgress: { pathParameters: idParams('entry_id'), body: saveProgressBodySchema },
} as const satisfies RouteSchemasOf<'browser-saves'>;

export const fieldRules = {
  ...ID_RULES,
  current_page_key: `must be 1 to ${MAX_PAGE_KEY_LENGTH} characters with no control characters`,
  save_token: 'must be the save_token this entry was created or resumed with',
  seq: `must be a whole number from 1 to ${Number.MAX_SAFE_INTEGER}, higher than the last save's`,
} as const;
