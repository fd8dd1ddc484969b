import { dynamodb } from '../adapters/clients';
import { DynamoDbCampaignCounters } from '../adapters/dynamodb-campaign-counters';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { setting } from '../runtime/environment';
import { validateUserData } from '../domain/entries';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { jsonResult } from '../http/types';
import { logger } from '../runtime/logger';
import type { StoredEntry } from '../domain/ports';
import { type CampaignFigures, lineCampaign, recoveryRate } from '../domain/recovery';
import { fieldRules, MAX_CAMPAIGNS_PAGE, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

const config = {
  tableName: setting('TABLE_NAME'),
  retentionDays: setting('ENTRY_RETENTION_DAYS'),
  // The longest a link minted through the product lives: an erased entry's tombstone outlives every one.
  linkMaxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS'),
};
const store = new DynamoDbEntryStore(dynamodb, config.tableName);
const campaigns = new DynamoDbCampaignCounters(dynamodb, config.tableName);

/** A campaign's figures as the admin API and the CLI show them. */
export const presentCampaign = (f: CampaignFigures) => ({
  campaign: f.campaign,
  links_minted: f.linksMinted,
  entries_resumed: f.entriesResumed,
  completions: f.completions,
  recovery_rate: recoveryRate(f),
});

/** The admin view of an entry. */
const present = (e: StoredEntry) => ({
  entry_id: e.entryId,
  project_id: e.projectId,
  flow_id: e.flowId,
  current_page_key: e.currentPageKey,
  user_data: e.userData,
  created_at: e.createdAt,
  updated_at: e.updatedAt,
  retain_until: e.retainUntil === undefined ? undefined : new Date(e.retainUntil * 1000).toISOString(),
  links_valid_after: e.linksValidAfter,
});

const notFound = () => new ApiError('entry_not_found', 'No entry with this id in this project.');

const inProject = (projectId: string): string => {
  logger.appendKeys({ project_id: projectId });
  return projectId;
};

/** Entries: save progress (PUT), read it back (GET), erase it (DELETE), revoke every link issued so far, record its completion. */
const routes: RouteHandlers<'entries', typeof routeSchemas> = {
  putEntry: async ({ pathParameters, body }) => {
    validateUserData(body.user_data);
    const now = new Date();
    const saved = await store.saveEntry(
      {
        entryId: pathParameters.entry_id,
        projectId: inProject(body.project_id),
        flowId: body.flow_id,
        currentPageKey: body.current_page_key,
        userData: body.user_data,
        retainUntil: Math.floor(now.getTime() / 1000) + Math.round(config.retentionDays * 86400),
      },
      now,
    );
    if (saved === 'conflict') {
      throw new ApiError('conflict', 'This entry id is already used by another project or flow; entries are never moved.');
    }
    return jsonResult(saved.created ? 201 : 200, { entry: present(saved.entry) });
  },
  getEntry: async ({ pathParameters, queryStringParameters }) => {
    const projectId = inProject(queryStringParameters.project_id);
    const entry = await store.getEntry(pathParameters.entry_id);
    if (!entry || entry.projectId !== projectId) throw notFound();
    return jsonResult(200, { entry: present(entry) });
  },
  deleteEntry: async ({ pathParameters, queryStringParameters }) => {
    const now = new Date();
    const keepUntil = Math.floor(now.getTime() / 1000) + config.linkMaxLifetimeSeconds;
    if (!(await store.deleteEntry(pathParameters.entry_id, inProject(queryStringParameters.project_id), now, keepUntil))) throw notFound();
    return { statusCode: 204 };
  },
  revokeLinks: async ({ pathParameters, body }) => {
    const now = new Date();
    if (!(await store.revokeLinks(pathParameters.entry_id, inProject(body.project_id), now))) throw notFound();
    return jsonResult(200, { entry_id: pathParameters.entry_id, links_valid_after: now.toISOString() });
  },
  completeEntry: async ({ pathParameters, body }) => {
    const completion = await store.completeEntry(pathParameters.entry_id, inProject(body.project_id), new Date());
    if (!completion) throw notFound();
    // The Completions metric counts the first completion's line (lib/constructs/log-metrics.ts).
    logger.appendKeys({ completion: completion.first ? 'new' : 'repeat', campaign: completion.campaign, metric_campaign: lineCampaign(completion) });
    return jsonResult(200, { entry_id: pathParameters.entry_id, completed_at: completion.completedAt, ...(completion.campaign === undefined ? {} : { campaign: completion.campaign }) });
  },
  listCampaigns: async ({ pathParameters, queryStringParameters }) => {
    const limit = queryStringParameters?.limit === undefined ? MAX_CAMPAIGNS_PAGE : Number(queryStringParameters.limit);
    const page = await campaigns.list(inProject(pathParameters.project_id), limit, queryStringParameters?.after);
    return jsonResult(200, { campaigns: page.campaigns.map(presentCampaign), ...(page.next === undefined ? {} : { next: page.next }) });
  },
  getCampaign: async ({ pathParameters }) => {
    const figures = await campaigns.read(inProject(pathParameters.project_id), pathParameters.campaign);
    if (!figures) throw new ApiError('not_found', `No link was ever minted in campaign ${pathParameters.campaign} of this project.`);
    return jsonResult(200, { campaign: presentCampaign(figures) });
  },
};

export const handler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'entries'>(routeValidators),
  fieldRules,
  // Above the user_data limit, so an oversized user_data gets its own precise 413.
  maxBodyBytes: 400 * 1024,
});
