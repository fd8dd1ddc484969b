import { dynamodb } from '../adapters/clients';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { numberEnv, requireEnv } from '../runtime/config';
import { validateUserData } from '../domain/entries';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { type HttpResult, type JsonEvent, jsonResult } from '../http/types';
import { logger } from '../runtime/logger';
import type { StoredEntry } from '../domain/ports';
import { fieldRules } from './schema';
import { validateEvent } from './validators.gen.js';

const config = {
  tableName: requireEnv('TABLE_NAME'),
  retentionDays: numberEnv('ENTRY_RETENTION_DAYS', 90),
};
const store = new DynamoDbEntryStore(dynamodb, config.tableName);

interface PutEntryBody {
  project_id: string;
  flow_id: string;
  current_page_key: string;
  user_data: Record<string, unknown>;
}

type EntriesEvent = JsonEvent<(Partial<PutEntryBody> & { project_id: string }) | undefined> & {
  pathParameters: { entry_id: string };
  queryStringParameters: { project_id?: string };
};

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

const put = async (entryId: string, body: PutEntryBody): Promise<HttpResult> => {
  validateUserData(body.user_data);
  const now = new Date();
  const saved = await store.saveEntry(
    {
      entryId,
      projectId: body.project_id,
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
};

/** Entries: save progress (PUT), read it back (GET), erase it (DELETE), revoke every link issued so far. */
const entries = async (event: EntriesEvent): Promise<HttpResult> => {
  const entryId = event.pathParameters.entry_id;
  const projectId = event.body?.project_id ?? event.queryStringParameters.project_id!;
  logger.appendKeys({ project_id: projectId });
  switch (event.routeKey) {
    case 'PUT /v1/entries/{entry_id}':
      return put(entryId, event.body as PutEntryBody);
    case 'POST /v1/entries/{entry_id}/revoke-links': {
      const now = new Date();
      if (!(await store.revokeLinks(entryId, projectId, now))) throw notFound();
      return jsonResult(200, { entry_id: entryId, links_valid_after: now.toISOString() });
    }
    case 'GET /v1/entries/{entry_id}': {
      const entry = await store.getEntry(entryId);
      if (!entry || entry.projectId !== projectId) throw notFound();
      return jsonResult(200, { entry: present(entry) });
    }
    default:
      if (!(await store.deleteEntry(entryId, projectId))) throw notFound();
      return { statusCode: 204 };
  }
};

export const handler = httpPipeline(entries, {
  validateEvent,
  fieldRules,
  // Above the user_data limit, so an oversized user_data gets its own precise 413.
  maxBodyBytes: 400 * 1024,
});
