import { idParams, idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';
import { LEGACY_SECRET_PATTERN, MAX_LEGACY_SECRET_LENGTH, MIN_LEGACY_SECRET_LENGTH } from '../domain/legacy-keys';

export const importLegacyKeyBodySchema = {
  type: 'object',
  required: ['secret', 'project_id'],
  additionalProperties: false,
  properties: {
    // The one project whose entries (of this flow) the key opens, and whose allowed origins apply.
    project_id: idSchema,
    secret: {
      type: 'string',
      minLength: MIN_LEGACY_SECRET_LENGTH,
      maxLength: MAX_LEGACY_SECRET_LENGTH,
      pattern: LEGACY_SECRET_PATTERN,
    },
  },
} as const;

export const routeSchemas = {
  importLegacyKey: { pathParameters: idParams('flow_id'), body: importLegacyKeyBodySchema },
  retireLegacyKey: { pathParameters: idParams('flow_id') },
} as const satisfies RouteSchemasOf<'legacy-keys'>;

export const fieldRules = {
  ...ID_RULES,
  secret: `must be ${MIN_LEGACY_SECRET_LENGTH} to ${MAX_LEGACY_SECRET_LENGTH} printable ASCII characters with no spaces`,
} as const;
