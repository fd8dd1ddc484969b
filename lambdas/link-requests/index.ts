import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { DynamoDbRequestLog } from '../adapters/dynamodb-link-limits';
import { DynamoDbShortLinkStore } from '../adapters/dynamodb-short-link-store';
import { eventBus } from '../adapters/event-bus';
import { LINK_REQUESTS_KEY_PREFIX } from '../adapters/naming';
import { SaveKeySource } from '../adapters/save-key-source';
import { SecretsManagerKeySource } from '../adapters/secrets-manager-key-source';
import { SecretsManagerProjectReader, SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { type LinkRequestDeps, requestLink } from '../domain/link-requests';
import { mintProjectOf } from '../domain/project-keys';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { routePath } from '../http/routes';
import { jsonResult } from '../http/types';
import { eventBusSettings, setting } from '../runtime/environment';
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
  defaultTtlSeconds: setting('MINT_DEFAULT_TTL_SECONDS'),
  maxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS'),
  shortLinkBase: setting('SHORT_LINK_BASE_URL').replace(/\/+$/, ''),
};
const projectStore = new SecretsManagerProjectStore(secretsManager, config.secretPrefix);

const deps: LinkRequestDeps = {
  // Admission as the save routes: the cached project settings (browser saves on, its origins) and save key.
  projects: publicKeyCache(new SecretsManagerKeySource(new SecretsManagerProjectReader(secretsManager, config.secretPrefix), config.environment)),
  saveKeys: publicKeyCache(new SaveKeySource(secretsManager, config.saveKeySecret)),
  requestLog: new DynamoDbRequestLog(dynamodb, config.tableName, LINK_REQUESTS_KEY_PREFIX),
  mint: {
    // As mint does: read fresh, so a link is never signed with a key revoked a moment ago.
    project: async (projectId) => mintProjectOf((await projectStore.read(projectId))?.value, config.environment),
    links: new DynamoDbEntryStore(dynamodb, config.tableName),
    shortLinks: new DynamoDbShortLinkStore(dynamodb, config.tableName),
    shortUrl: (code) => `${config.shortLinkBase}${routePath('followShortLink').replace('{code}', code)}`,
  },
  policy: (now) => ({ now, defaultTtlSeconds: config.defaultTtlSeconds, maxLifetimeSeconds: config.maxLifetimeSeconds }),
  events: eventBus(eventBusSettings()),
  // Read at each call, not bound at load, so a test's controlled clock applies.
  now: () => Date.now(),
};

/** A page asks for its user's resume link to be sent. Ids and the channel are logged; the address never. */
const routes: RouteHandlers<'link-requests', typeof routeSchemas> = {
  linkRequests: async ({ pathParameters, body, headers }) => {
    logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, entry_id: pathParameters.entry_id, channel: body.channel });
    return jsonResult(202, await requestLink(pathParameters.entry_id, body, deps, { origin: headers.origin }));
  },
};

export const handler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'link-requests'>(routeValidators),
  fieldRules,
  maxBodyBytes: 4096,
  cors: { allowedOrigins: config.allowedOrigins, methods: 'POST,OPTIONS' },
});
