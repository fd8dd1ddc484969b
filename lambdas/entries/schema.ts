import { MAX_PAGE_KEY_LENGTH } from '../domain/entries';
import { idParams, idSchema, ID_RULES, putEntryBodySchema } from '../http/common-schemas';
import type { RouteSchemasOf } from '../http/route-schema';

const entry = idParams('entry_id');
const project = idParams('project_id');
/** A campaign's name, as mint takes it. */
export const campaignSchema = { ...idSchema, maxLength: 64 } as const;
/** Most campaigns one page of `GET /v1/projects/{project_id}/campaigns` holds. */
export const MAX_CAMPAIGNS_PAGE = 100;

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
  listCampaigns: {
    pathParameters: project,
    queryStringParameters: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // The `next` of the page before: campaigns whose names sort after it.
        after: campaignSchema,
        limit: { type: 'string', pattern: '^(100|[1-9][0-9]?)$' },
      },
    },
  },
  getCampaign: {
    pathParameters: { type: 'object', required: ['project_id', 'campaign'], properties: { project_id: idSchema, campaign: campaignSchema } },
  },
} as const satisfies RouteSchemasOf<'entries'>;

export const fieldRules = {
  ...ID_RULES,
  current_page_key: `must be 1 to ${MAX_PAGE_KEY_LENGTH} characters with no control characters`,
  campaign: 'must be at most 64 ASCII letters, digits, "_" and single "-" between them',
  after: 'must be a campaign name: at most 64 ASCII letters, digits, "_" and single "-" between them',
  limit: `must be a whole number from 1 to ${MAX_CAMPAIGNS_PAGE}`,
} as const;
