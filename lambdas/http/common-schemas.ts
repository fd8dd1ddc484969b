import { MAX_PAGE_KEY_LENGTH, PAGE_KEY_PATTERN } from '../domain/entries';
import { ID_PATTERN, MAX_ID_LENGTH } from '../domain/grammar';
import { ID_RULE } from '../domain/resume';

/** An id under the shared grammar (entry, flow, project). */
export const idSchema = { type: 'string', minLength: 1, maxLength: MAX_ID_LENGTH, pattern: ID_PATTERN } as const;

/** A path or query object holding these ids. */
export const idParams = <const N extends readonly string[]>(...names: N) =>
  ({
    type: 'object',
    required: names,
    properties: Object.fromEntries(names.map((n) => [n, idSchema])) as { readonly [K in N[number]]: typeof idSchema },
  }) as const;

export const ID_RULES = { flow_id: ID_RULE, project_id: ID_RULE, entry_id: ID_RULE } as const;

/** An entry's body, as PUT /v1/entries/{entry_id} takes it and browser-saves creates one (a handler folder never imports another's). */
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
