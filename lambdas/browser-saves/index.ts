import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntrySaves } from '../adapters/dynamodb-entry-saves';
import { DynamoDbCappedCounter, DynamoDbRequestLog } from '../adapters/dynamodb-link-limits';
import { DynamoDbProjectIndex } from '../adapters/dynamodb-project-index';
import { LIMIT_KEY_PREFIXES } from '../adapters/naming';
import { SaveKeySource } from '../adapters/save-key-source';
import { SecretsManagerKeySource } from '../adapters/secrets-manager-key-source';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import { createEntryFromBrowser, type SaveDeps, saveProgressFromBrowser } from '../domain/saves';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { jsonResult } from '../http/types';
import { setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { publicKeyCache } from '../runtime/public-key-cache';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

const config = {
  tableName: setting('TABLE_NAME'),
  secretPrefix: setting('SECRET_PREFIX'),
  environment: setting('DEPLOYMENT_ENVIRONMENT'),
  allowedOrigins: setting('ALLOWED_ORIGINS'),
  saveKeySecret: setting('SAVE_KEY_SECRET'),
  retentionDays: setting('ENTRY_RETENTION_DAYS'),
  maxBodyBytes: setting('SAVE_MAX_BODY_BYTES'),
  entriesPerSourceHour: setting('ENTRIES_PER_SOURCE_HOUR'),
  entriesPerProjectDay: setting('ENTRIES_PER_PROJECT_DAY'),
};

// The same key cache as the resume path: one read of a project's secret gives its keys, origins and browser-saves flag.
// With the project index, as the resume path has it: a flood of unknown ids cannot keep a real project's keys from being read.
const deps: SaveDeps = {
  projects: publicKeyCache(
    new SecretsManagerKeySource(new SecretsManagerProjectReader(secretsManager, config.secretPrefix), config.environment),
    new DynamoDbProjectIndex(dynamodb, config.tableName),
  ),
  saveKeys: publicKeyCache(new SaveKeySource(secretsManager, config.saveKeySecret)),
  entries: new DynamoDbEntrySaves(dynamodb, config.tableName),
  now: () => Date.now(),
  retentionSeconds: Math.round(config.retentionDays * 86_400),
  creationLimits: {
    perSource: { log: new DynamoDbRequestLog(dynamodb, config.tableName, LIMIT_KEY_PREFIXES.sourceEntries), perHour: config.entriesPerSourceHour },
    perProject: { counter: new DynamoDbCappedCounter(dynamodb, config.tableName, LIMIT_KEY_PREFIXES.projectEntries), perDay: config.entriesPerProjectDay },
  },
};

/** Pages save their own progress: create an entry, then save to it with its save token. Only ids are logged. */
const routes: RouteHandlers<'browser-saves', typeof routeSchemas> = {
  createEntry: async ({ body, headers, requestContext }) => {
    logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, action: 'create' });
    const created = await createEntryFromBrowser(body, deps, { origin: headers.origin, sourceIp: requestContext.http.sourceIp });
    logger.appendKeys({ entry_id: created.entry_id });
    return jsonResult(201, created);
  },
  saveProgress: async ({ pathParameters, body, headers }) => {
    logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, action: 'progress' });
    return jsonResult(200, await saveProgressFromBrowser(pathParameters.entry_id, body, deps, { origin: headers.origin }));
  },
};

export const handler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'browser-saves'>(routeValidators),
  fieldRules,
  maxBodyBytes: config.maxBodyBytes,
  cors: { allowedOrigins: config.allowedOrigins, methods: 'POST,OPTIONS' },
});
