import { type AwsClients, dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntrySaves } from '../adapters/dynamodb-entry-saves';
import { DynamoDbCappedCounter, DynamoDbRequestLog } from '../adapters/dynamodb-link-limits';
import { LIMIT_KEY_PREFIXES } from '../adapters/naming';
import { createEntryFromBrowser, type SaveDeps, saveProgressFromBrowser } from '../domain/saves';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { jsonResult } from '../http/types';
import { type Environment, processEnvironment, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { keyCacheSettings } from '../runtime/public-key-cache';
import { projectKeyCache, saveKeyCache } from '../wiring/key-caches';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

/** What the browser-saves routes work with: their settings and adapters. */
export interface BrowserSavesDeps {
  /** Origins a browser may save from (ALLOWED_ORIGINS); a project's own list narrows it. */
  readonly allowedOrigins: readonly string[];
  /** SAVE_MAX_BODY_BYTES, the routes' body limit (routes.ts). */
  readonly maxBodyBytes: number;
  readonly saves: SaveDeps;
}

/** The browser-saves routes as the construct deploys them: settings read from `env` once, adapters over `clients`. */
export const fromEnvironment = (env: Environment = processEnvironment(), clients: AwsClients = { dynamodb, secretsManager }): BrowserSavesDeps => {
  const tableName = setting('TABLE_NAME', env);
  const cacheSettings = keyCacheSettings(env);
  return {
    allowedOrigins: setting('ALLOWED_ORIGINS', env),
    maxBodyBytes: setting('SAVE_MAX_BODY_BYTES', env),
    saves: {
      // The same key cache as the resume path: one read of a project's secret gives its keys, origins and browser-saves flag.
      projects: projectKeyCache(
        clients,
        { secretPrefix: setting('SECRET_PREFIX', env), environment: setting('DEPLOYMENT_ENVIRONMENT', env), tableName },
        cacheSettings,
      ),
      saveKeys: saveKeyCache(clients, setting('SAVE_KEY_SECRET', env), cacheSettings),
      entries: new DynamoDbEntrySaves(clients.dynamodb, tableName),
      now: () => Date.now(),
      retentionSeconds: Math.round(setting('ENTRY_RETENTION_DAYS', env) * 86_400),
      creationLimits: {
        perSource: {
          log: new DynamoDbRequestLog(clients.dynamodb, tableName, LIMIT_KEY_PREFIXES.sourceEntries),
          perHour: setting('ENTRIES_PER_SOURCE_HOUR', env),
        },
        perProject: {
          counter: new DynamoDbCappedCounter(clients.dynamodb, tableName, LIMIT_KEY_PREFIXES.projectEntries),
          perDay: setting('ENTRIES_PER_PROJECT_DAY', env),
        },
      },
    },
  };
};

/** The browser-saves routes' handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: BrowserSavesDeps) => {
  /** Pages save their own progress: create an entry, then save to it with its save token. Only ids are logged. */
  const routes: RouteHandlers<'browser-saves', typeof routeSchemas> = {
    createEntry: async ({ body, headers, requestContext }) => {
      logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, action: 'create' });
      const created = await createEntryFromBrowser(body, deps.saves, { origin: headers.origin, sourceIp: requestContext.http.sourceIp });
      logger.appendKeys({ entry_id: created.entry_id });
      return jsonResult(201, created);
    },
    saveProgress: async ({ pathParameters, body, headers }) => {
      logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, action: 'progress' });
      return jsonResult(200, await saveProgressFromBrowser(pathParameters.entry_id, body, deps.saves, { origin: headers.origin }));
    },
  };

  return httpPipeline(dispatch(routes), {
    validateEvent: routeValidator<'browser-saves'>(routeValidators),
    fieldRules,
    maxBodyBytes: bodyLimits('browser-saves', deps.maxBodyBytes),
    cors: { allowedOrigins: deps.allowedOrigins, methods: 'POST,OPTIONS' },
  });
};
