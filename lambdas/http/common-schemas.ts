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
