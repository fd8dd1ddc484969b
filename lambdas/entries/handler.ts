import { type AwsClients, dynamodb } from '../adapters/clients';
import { DynamoDbCampaignCounters } from '../adapters/dynamodb-campaign-counters';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { entryAdmin, type EntryAdminDeps } from '../domain/entry-admin';
import type { StoredEntry } from '../domain/ports';
import { type CampaignFigures, lineCampaign, recoveryRate } from '../domain/recovery';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { jsonResult } from '../http/types';
import { type Environment, processEnvironment, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { fieldRules, MAX_CAMPAIGNS_PAGE, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

/** The entries routes as the construct deploys them: settings read from `env` once, adapters over `clients`. */
export const fromEnvironment = (env: Environment = processEnvironment(), clients: Pick<AwsClients, 'dynamodb'> = { dynamodb }): EntryAdminDeps => {
  const tableName = setting('TABLE_NAME', env);
  return {
    entries: new DynamoDbEntryStore(clients.dynamodb, tableName),
    campaigns: new DynamoDbCampaignCounters(clients.dynamodb, tableName),
    retentionDays: setting('ENTRY_RETENTION_DAYS', env),
    linkMaxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS', env),
    now: () => new Date(),
  };
};

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

const inProject = (projectId: string): string => {
  logger.appendKeys({ project_id: projectId });
  return projectId;
};

/** The entries routes' handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: EntryAdminDeps) => {
  const admin = entryAdmin(deps);

  /** Entries: save progress (PUT), read it back (GET), erase it (DELETE), revoke every link issued so far, record its completion. */
  const routes: RouteHandlers<'entries', typeof routeSchemas> = {
    putEntry: async ({ pathParameters, body }) => {
      const saved = await admin.saveEntry({
        entryId: pathParameters.entry_id,
        projectId: inProject(body.project_id),
        flowId: body.flow_id,
        currentPageKey: body.current_page_key,
        userData: body.user_data,
      });
      return jsonResult(saved.created ? 201 : 200, { entry: present(saved.entry) });
    },
    getEntry: async ({ pathParameters, queryStringParameters }) =>
      jsonResult(200, { entry: present(await admin.getEntry(pathParameters.entry_id, inProject(queryStringParameters.project_id))) }),
    deleteEntry: async ({ pathParameters, queryStringParameters }) => {
      await admin.eraseEntry(pathParameters.entry_id, inProject(queryStringParameters.project_id));
      return { statusCode: 204 };
    },
    revokeLinks: async ({ pathParameters, body }) => {
      const validAfter = await admin.revokeLinks(pathParameters.entry_id, inProject(body.project_id));
      return jsonResult(200, { entry_id: pathParameters.entry_id, links_valid_after: validAfter.toISOString() });
    },
    completeEntry: async ({ pathParameters, body }) => {
      const completion = await admin.completeEntry(pathParameters.entry_id, inProject(body.project_id));
      // The Completions metric counts the first completion's line (lib/constructs/log-metrics.ts).
      logger.appendKeys({ completion: completion.first ? 'new' : 'repeat', campaign: completion.campaign, metric_campaign: lineCampaign(completion) });
      return jsonResult(200, {
        entry_id: pathParameters.entry_id,
        completed_at: completion.completedAt,
        ...(completion.campaign === undefined ? {} : { campaign: completion.campaign }),
      });
    },
    listCampaigns: async ({ pathParameters, queryStringParameters }) => {
      const limit = queryStringParameters?.limit === undefined ? MAX_CAMPAIGNS_PAGE : Number(queryStringParameters.limit);
      const page = await admin.listCampaigns(inProject(pathParameters.project_id), limit, queryStringParameters?.after);
      return jsonResult(200, { campaigns: page.campaigns.map(presentCampaign), ...(page.next === undefined ? {} : { next: page.next }) });
    },
    getCampaign: async ({ pathParameters }) =>
      jsonResult(200, { campaign: presentCampaign(await admin.getCampaign(inProject(pathParameters.project_id), pathParameters.campaign)) }),
  };

  return httpPipeline(dispatch(routes), {
    validateEvent: routeValidator<'entries'>(routeValidators),
    fieldRules,
    maxBodyBytes: bodyLimits('entries'),
  });
};
