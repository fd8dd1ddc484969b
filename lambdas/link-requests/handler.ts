import { type AwsClients, dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbCappedCounter, DynamoDbRequestLog, dynamoDbSaveGenerations } from '../adapters/dynamodb-link-limits';
import { linksMintedCounter } from '../adapters/dynamodb-campaign-counters';
import { eventBridge, eventBus } from '../adapters/event-bus';
import { RequestProjectReads } from '../adapters/request-project-reads';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import { HANDOFFS_KEY_PREFIX, LIMIT_KEY_PREFIXES, LINK_REQUESTS_KEY_PREFIX } from '../adapters/naming';
import { type HandoffDeps, handOff } from '../domain/handoff';
import { type LinkRequestDeps, requestLink } from '../domain/link-requests';
import { DAY_MS } from '../domain/request-limits';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { jsonResult } from '../http/types';
import { type Environment, processEnvironment, eventBusSettings, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { keyCacheSettings } from '../runtime/public-key-cache';
import { projectKeyCache, saveKeyCache } from '../wiring/key-caches';
import { mintDependencies, mintPolicy, type MintSettings } from '../wiring/minting';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

/** What the link-request and hand-off routes work with: their settings and adapters. */
export interface LinkRequestsHandlerDeps {
  /** Origins a browser may ask from (ALLOWED_ORIGINS); a project's own list narrows it. */
  readonly allowedOrigins: readonly string[];
  readonly links: LinkRequestDeps;
  readonly handoffs: HandoffDeps;
  /** Told when a request begins, before anything is read for it (RequestProjectReads.begin). */
  readonly beginRequest?: () => void;
}

/** The link-request route as the construct deploys it: settings read from `env` once, adapters over `clients`. */
export const fromEnvironment = (
  env: Environment = processEnvironment(),
  clients: AwsClients = { dynamodb, secretsManager, eventBridge },
): LinkRequestsHandlerDeps => {
  const tableName = setting('TABLE_NAME', env);
  const projects = { secretPrefix: setting('SECRET_PREFIX', env), environment: setting('DEPLOYMENT_ENVIRONMENT', env), tableName };
  const cacheSettings = keyCacheSettings(env);
  const mint: MintSettings = {
    defaultTtlSeconds: setting('MINT_DEFAULT_TTL_SECONDS', env),
    maxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS', env),
    shortLinkBaseUrl: setting('SHORT_LINK_BASE_URL', env),
  };
  const log = (prefix: string, windowMs?: number) => new DynamoDbRequestLog(clients.dynamodb, tableName, prefix, windowMs);
  // One GetSecretValue where a new instance made two: mint takes the project's secret as admission read it for the same request.
  const projectReads = new RequestProjectReads(new SecretsManagerProjectReader(clients.secretsManager, projects.secretPrefix));
  const links: LinkRequestDeps = {
    // Admission as the save routes: the cached project settings (browser saves on, its origins) and save key, and the project index.
    projects: projectKeyCache(clients, projects, cacheSettings, projectReads),
    saveKeys: saveKeyCache(clients, setting('SAVE_KEY_SECRET', env), cacheSettings),
    requestLog: log(LINK_REQUESTS_KEY_PREFIX),
    saveGens: dynamoDbSaveGenerations(clients.dynamodb, tableName),
    limits: {
      perSource: { log: log(LIMIT_KEY_PREFIXES.sourceLinks), perHour: setting('LINK_REQUESTS_PER_SOURCE_HOUR', env) },
      perRecipient: {
        // Kept a day: the longer of its two windows.
        log: log(LIMIT_KEY_PREFIXES.recipient, DAY_MS),
        perHour: setting('LINK_REQUESTS_PER_RECIPIENT_HOUR', env),
        perDay: setting('LINK_REQUESTS_PER_RECIPIENT_DAY', env),
      },
      perProject: {
        counter: new DynamoDbCappedCounter(clients.dynamodb, tableName, LIMIT_KEY_PREFIXES.projectLinks),
        perDay: setting('LINK_REQUESTS_PER_PROJECT_DAY', env),
      },
    },
    // As mint does: the newest key, read for this request (by admission, on a new instance, or now), so a link is never
    // signed with a key revoked a moment ago.
    mint: mintDependencies(clients, projects, mint, (projectId) => projectReads.sinceBegin(projectId)),
    policy: (now) => mintPolicy(mint, now),
    events: eventBus(eventBusSettings(env), clients.eventBridge),
    // Read at each call, not bound at load, so a test's controlled clock applies.
    now: () => Date.now(),
  };
  return {
    allowedOrigins: setting('ALLOWED_ORIGINS', env),
    links,
    // Hand-offs share the admission and the mint; their only bound is the entry's own count.
    handoffs: {
      projects: links.projects,
      saveKeys: links.saveKeys,
      handoffLog: log(HANDOFFS_KEY_PREFIX),
      saveGens: links.saveGens,
      mint: links.mint,
      lifetimeSeconds: setting('HANDOFF_TTL_SECONDS', env),
      counters: linksMintedCounter(clients.dynamodb, tableName),
      now: () => Date.now(),
    },
    beginRequest: () => projectReads.begin(),
  };
};

/** The link-request route's handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: LinkRequestsHandlerDeps) => {
  /** A page asks for its user's resume link to be sent. Ids and the channel are logged; the address never. */
  const routes: RouteHandlers<'link-requests', typeof routeSchemas> = {
    linkRequests: async ({ pathParameters, body, headers, requestContext }) => {
      deps.beginRequest?.();
      logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, entry_id: pathParameters.entry_id, channel: body.channel });
      return jsonResult(202, await requestLink(pathParameters.entry_id, body, deps.links, { origin: headers.origin, sourceIp: requestContext.http.sourceIp }));
    },
    /** A page asks for its entry's link to show as a QR code. Ids are logged; the link never. */
    handoff: async ({ pathParameters, body, headers, requestContext }) => {
      deps.beginRequest?.();
      logger.appendKeys({ project_id: body.project_id, flow_id: body.flow_id, entry_id: pathParameters.entry_id });
      return jsonResult(201, await handOff(pathParameters.entry_id, body, deps.handoffs, { origin: headers.origin, sourceIp: requestContext.http.sourceIp }));
    },
  };

  return httpPipeline(dispatch(routes), {
    validateEvent: routeValidator<'link-requests'>(routeValidators),
    fieldRules,
    maxBodyBytes: bodyLimits('link-requests'),
    cors: { allowedOrigins: deps.allowedOrigins, methods: 'POST,OPTIONS' },
  });
};
