import { dynamodb, secretsManager } from '../adapters/clients';
import { linksMintedCounter } from '../adapters/dynamodb-campaign-counters';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { DynamoDbCappedCounter, DynamoDbRequestLog } from '../adapters/dynamodb-link-limits';
import { DynamoDbProjectIndex } from '../adapters/dynamodb-project-index';
import { DynamoDbShortLinkStore } from '../adapters/dynamodb-short-link-store';
import { eventBus } from '../adapters/event-bus';
import { HANDOFFS_KEY_PREFIX, LIMIT_KEY_PREFIXES, LINK_REQUESTS_KEY_PREFIX } from '../adapters/naming';
import { SaveKeySource } from '../adapters/save-key-source';
import { SecretsManagerKeySource } from '../adapters/secrets-manager-key-source';
import { SecretsManagerProjectReader, SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { type HandoffDeps, handOff } from '../domain/handoff';
import { type LinkRequestDeps, requestLink } from '../domain/link-requests';
import { mintProjectOf } from '../domain/project-keys';
import { DAY_MS } from '../domain/request-limits';
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
  perSourceHour: setting('LINK_REQUESTS_PER_SOURCE_HOUR'),
  perRecipientHour: setting('LINK_REQUESTS_PER_RECIPIENT_HOUR'),
  perRecipientDay: setting('LINK_REQUESTS_PER_RECIPIENT_DAY'),
  perProjectDay: setting('LINK_REQUESTS_PER_PROJECT_DAY'),
  handoffSeconds: setting('HANDOFF_TTL_SECONDS'),
};
const projectStore = new SecretsManagerProjectStore(secretsManager, config.secretPrefix);

const deps: LinkRequestDeps = {
  // Admission as the save routes: the cached project settings (browser saves on, its origins) and save key, and the project index.
  projects: publicKeyCache(
    new SecretsManagerKeySource(new SecretsManagerProjectReader(secretsManager, config.secretPrefix), config.environment),
    new DynamoDbProjectIndex(dynamodb, config.tableName),
  ),
  saveKeys: publicKeyCache(new SaveKeySource(secretsManager, config.saveKeySecret)),
  requestLog: new DynamoDbRequestLog(dynamodb, config.tableName, LINK_REQUESTS_KEY_PREFIX),
  limits: {
    perSource: { log: new DynamoDbRequestLog(dynamodb, config.tableName, LIMIT_KEY_PREFIXES.sourceLinks), perHour: config.perSourceHour },
    perRecipient: {
      // Kept a day: the longer of its two windows.
      log: new DynamoDbRequestLog(dynamodb, config.tableName, LIMIT_KEY_PREFIXES.recipient, DAY_MS),
      perHour: config.perRecipientHour,
      perDay: config.perRecipientDay,
    },
    perProject: { counter: new DynamoDbCappedCounter(dynamodb, config.tableName, LIMIT_KEY_PREFIXES.projectLinks), perDay: config.perProjectDay },
  },
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

// Hand-offs share the admission and the mint; their only bound is the entry's own count.
const handoffDeps: HandoffDeps = {
  projects: deps.projects,
  saveKeys: deps.saveKeys,
  handoffLog: new DynamoDbRequestLog(dynamodb, config.tableName, HANDOFFS_KEY_PREFIX),
  mint: deps.mint,
  lifetimeSeconds: config.handoffSeconds,
  counters: linksMintedCounter(dynamodb, config.tableName),
  now: () => Date.now(),
};

/** A page asks for its user's resume link to be sent. Ids and the channel are logged; the address never. */
const routes: RouteHandlers<'link-requests', typeof routeSchemas> = {
  linkRequests: async ({ pathParameters, body, headers, requestContext }) => {
    logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, entry_id: pathParameters.entry_id, channel: body.channel });
    return jsonResult(202, await requestLink(pathParameters.entry_id, body, deps, { origin: headers.origin, sourceIp: requestContext.http.sourceIp }));
  },
  /** A page asks for its entry's link to show as a QR code. Ids are logged; the link never. */
  handoff: async ({ pathParameters, body, headers, requestContext }) => {
    logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, entry_id: pathParameters.entry_id });
    return jsonResult(201, await handOff(pathParameters.entry_id, body, handoffDeps, { origin: headers.origin, sourceIp: requestContext.http.sourceIp }));
  },
};

export const handler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'link-requests'>(routeValidators),
  fieldRules,
  maxBodyBytes: 4096,
  cors: { allowedOrigins: config.allowedOrigins, methods: 'POST,OPTIONS' },
});
