import { idParams, idSchema, ID_RULES } from '../http/common-schemas';
import type { RouteSchema } from '../http/route-schema';
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

export const routeSchemas: Record<string, RouteSchema> = {
  'PUT /v1/legacy/flows/{flow_id}/key': { pathParameters: idParams('flow_id'), body: importLegacyKeyBodySchema },
  'DELETE /v1/legacy/flows/{flow_id}/key': { pathParameters: idParams('flow_id') },
};

export const fieldRules = {
  ...ID_RULES,
  secret: `must be ${MIN_LEGACY_SECRET_LENGTH} to ${MAX_LEGACY_SECRET_LENGTH} printable ASCII characters with no spaces`,
} as const;
