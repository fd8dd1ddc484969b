import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AwsClients, dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntryReader } from '../adapters/dynamodb-entry-reader';
import { expiredLinkEvents } from '../adapters/event-bus';
import { LegacyKeySource } from '../adapters/legacy-key-source';
import { SecretsManagerLegacyKeyReader } from '../adapters/secrets-manager-legacy-key-store';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import { ApiError, errorNames } from '../domain/errors';
import type { KeySet } from '../domain/ports';
import { resumeLogKeys } from '../domain/recovery';
import { type LegacyLoadEntryRequest, type ResumeDeps, resumeLegacyEntry } from '../domain/resume';
import { recordVerification } from '../domain/verification-outcome';
import { httpPipeline } from '../http/pipeline';
import { LEGACY_ROUTE } from '../http/routes';
import { type HttpResult, type JsonEvent, jsonResult } from '../http/types';
import { type Environment, processEnvironment, eventBusSettings, setting } from '../runtime/environment';
import { UNKNOWN_FLOW } from '../runtime/log-schema';
import { logger } from '../runtime/logger';
import { keyCacheSettings, publicKeyCache } from '../runtime/public-key-cache';
import { type DeprecationSettings, deprecationHeaders, migrationNotice } from './deprecation';
import { fieldHints, fieldRules } from './schema';
import { validateEvent } from './validators.gen.js';

/** What the legacy contract works with: its settings and adapters. */
export interface LegacyLoadEntryDataDeps extends DeprecationSettings {
  /** false (LEGACY_ENABLED): every request gets 410. */
  readonly enabled: boolean;
  /** Origins a browser may resume from (ALLOWED_ORIGINS). */
  readonly allowedOrigins: readonly string[];
  /** The current contract's URL, named in the migration notice (CURRENT_ENDPOINT_URL). */
  readonly currentEndpoint?: string;
  readonly resume: ResumeDeps;
}

/** The legacy contract as the construct deploys it: settings read from `env` once, adapters over `clients`. */
export const fromEnvironment = (env: Environment = processEnvironment(), clients: AwsClients = { dynamodb, secretsManager }): LegacyLoadEntryDataDeps => {
  const tableName = setting('TABLE_NAME', env);
  const secretPrefix = setting('SECRET_PREFIX', env);
  return {
    enabled: setting('LEGACY_ENABLED', env),
    allowedOrigins: setting('ALLOWED_ORIGINS', env),
    sunset: setting('LEGACY_SUNSET', env),
    migrationGuideUrl: setting('LEGACY_MIGRATION_GUIDE_URL', env),
    currentEndpoint: setting('CURRENT_ENDPOINT_URL', env),
    resume: {
      keys: publicKeyCache(
        new LegacyKeySource(
          new SecretsManagerLegacyKeyReader(clients.secretsManager, secretPrefix),
          new SecretsManagerProjectReader(clients.secretsManager, secretPrefix),
        ),
        keyCacheSettings(env),
      ),
      entries: new DynamoDbEntryReader(clients.dynamodb, tableName, setting('CONSISTENT_READS', env)),
      // Read at each call, not bound at init, so a test's controlled clock applies.
      now: () => Date.now(),
      // Off by default: only then does an expired link cost more than its 401 (a read, a conditional write, an event).
      expiredLinks: setting('EXPIRED_LINK_EVENTS', env)
        ? expiredLinkEvents(eventBusSettings(env), tableName, (error) => logger.warn('expired link event not put', errorNames(error)), clients)
        : undefined,
      earlyResumeSeconds: setting('EARLY_RESUME_SECONDS', env),
    },
  };
};

type LegacyEvent = JsonEvent<LegacyLoadEntryRequest> & Pick<APIGatewayProxyEventV2, 'rawPath'>;

const hostOf = (event: unknown): string | undefined => (event as APIGatewayProxyEventV2).requestContext?.domainName;

/**
 * The flow as the request's log line names it: the `flow_id` dimension of the
 * `LegacyCalls` metric, so operators see which flows still depend on the route.
 * Flows without a legacy key share one value, so a caller cannot create metrics.
 * A flow with a key also names the project the key belongs to.
 */
const logKeyOwner = ({ projectId }: KeySet, flowId: string): void => {
  if (projectId !== undefined) logger.appendKeys({ flow_id: flowId, project_id: projectId });
};

/** The legacy contract's handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: LegacyLoadEntryDataDeps) => {
  /** When the operator has switched the route off, every request gets 410, before any parsing. */
  const killSwitch: MiddlewareObj = {
    before: () => {
      if (!deps.enabled) {
        throw new ApiError(
          'gone',
          'The legacy load_entry_data endpoint has been switched off. Use the current endpoint (see the migration guide in the Link header).',
        );
      }
    },
  };

  /** The legacy `load_entry_data` contract on a Lambda Function URL: `POST /` with `{flow_id, entry_id, token, expires}`. */
  const legacyLoadEntryData = async (event: LegacyEvent): Promise<HttpResult> => {
    const method = event.requestContext.http.method;
    if (method === 'GET' && event.rawPath === '/migration-guide') {
      return { statusCode: 200, headers: { 'Content-Type': 'text/markdown; charset=utf-8' }, body: migrationNotice(deps.currentEndpoint, deps.sunset) };
    }
    if (method !== 'POST' || event.rawPath !== '/') {
      throw new ApiError('not_found', 'Nothing here: POST the legacy request body to / .');
    }
    // Named `unknown` until the key lookup says otherwise, so a lookup that fails still counts as a call.
    logger.appendKeys({ flow_id: UNKNOWN_FLOW });
    const { entry, attribution } = await recordVerification(() =>
      resumeLegacyEntry(event.body, deps.resume, {
        origin: event.headers?.origin,
        userAgent: event.headers?.['user-agent'],
        onKeys: (keySet) => logKeyOwner(keySet, event.body.flow_id),
      }),
    );
    // Mint never signs with legacy keys, so legacy links have no record and no campaign: only scanners are told apart.
    logger.appendKeys(resumeLogKeys(attribution));
    return jsonResult(200, { entry });
  };

  return httpPipeline(legacyLoadEntryData, {
    validateEvent,
    fieldRules,
    fieldHints,
    maxBodyBytes: LEGACY_ROUTE.maxBodyBytes,
    cors: { allowedOrigins: deps.allowedOrigins, methods: 'POST,OPTIONS' },
    extraHeaders: (event) => deprecationHeaders(deps, hostOf(event)),
    gates: [killSwitch],
  });
};
