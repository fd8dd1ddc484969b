import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntryReader } from '../adapters/dynamodb-entry-reader';
import { LegacyKeySource } from '../adapters/legacy-key-source';
import { SecretsManagerLegacyKeyReader } from '../adapters/secrets-manager-legacy-key-store';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import { expiredLinkEvents } from '../adapters/event-bus';
import { errorNames } from '../domain/errors';
import { eventBusSettings, setting } from '../runtime/environment';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { type HttpResult, type JsonEvent, jsonResult } from '../http/types';
import { logger } from '../runtime/logger';
import type { KeySet } from '../domain/ports';
import { publicKeyCache } from '../runtime/public-key-cache';
import { UNKNOWN_FLOW } from '../runtime/log-schema';
import { recordVerification } from '../domain/verification-outcome';
import { resumeLogKeys } from '../domain/recovery';
import { type LegacyLoadEntryRequest, resumeLegacyEntry } from '../domain/resume';
import { deprecationHeaders, migrationNotice } from './deprecation';
import { fieldHints, fieldRules } from './schema';
import { validateEvent } from './validators.gen.js';

const config = {
  enabled: setting('LEGACY_ENABLED'),
  tableName: setting('TABLE_NAME'),
  consistentReads: setting('CONSISTENT_READS'),
  secretPrefix: setting('SECRET_PREFIX'),
  allowedOrigins: setting('ALLOWED_ORIGINS'),
  sunset: setting('LEGACY_SUNSET'),
  migrationGuideUrl: setting('LEGACY_MIGRATION_GUIDE_URL'),
  currentEndpoint: setting('CURRENT_ENDPOINT_URL'),
  earlyResumeSeconds: setting('EARLY_RESUME_SECONDS'),
};

const keys = publicKeyCache(
  new LegacyKeySource(
    new SecretsManagerLegacyKeyReader(secretsManager, config.secretPrefix),
    new SecretsManagerProjectReader(secretsManager, config.secretPrefix),
  ),
);
const entries = new DynamoDbEntryReader(dynamodb, config.tableName, config.consistentReads);
// Off by default: only then does an expired link cost more than its 401 (a read, a conditional write, an event).
const expiredLinks = setting('EXPIRED_LINK_EVENTS')
  ? expiredLinkEvents(eventBusSettings(), config.tableName, (error) => logger.warn('expired link event not put', errorNames(error)))
  : undefined;

type LegacyEvent = JsonEvent<LegacyLoadEntryRequest> & Pick<APIGatewayProxyEventV2, 'rawPath'>;

const hostOf = (event: unknown): string | undefined => (event as APIGatewayProxyEventV2).requestContext?.domainName;

/** When the operator has switched the route off, every request gets 410, before any parsing. */
const killSwitch: MiddlewareObj = {
  before: () => {
    if (!config.enabled) {
      throw new ApiError('gone', 'The legacy load_entry_data endpoint has been switched off. Use the current endpoint (see the migration guide in the Link header).');
    }
  },
};

/**
 * The flow as the request's log line names it: the `flow_id` dimension of the
 * `LegacyCalls` metric, so operators see which flows still depend on the route.
 * Flows without a legacy key share one value, so a caller cannot create metrics.
 * A flow with a key also names the project the key belongs to.
 */
const logKeyOwner = ({ projectId }: KeySet, flowId: string): void => {
  if (projectId !== undefined) logger.appendKeys({ flow_id: flowId, project_id: projectId });
};

/** The legacy `load_entry_data` contract on a Lambda Function URL: `POST /` with `{flow_id, entry_id, token, expires}`. */
const legacyLoadEntryData = async (event: LegacyEvent): Promise<HttpResult> => {
  const method = event.requestContext.http.method;
  if (method === 'GET' && event.rawPath === '/migration-guide') {
    return { statusCode: 200, headers: { 'Content-Type': 'text/markdown; charset=utf-8' }, body: migrationNotice(config.currentEndpoint, config.sunset) };
  }
  if (method !== 'POST' || event.rawPath !== '/') {
    throw new ApiError('not_found', 'Nothing here: POST the legacy request body to / .');
  }
  // Named `unknown` until the key lookup says otherwise, so a lookup that fails still counts as a call.
  logger.appendKeys({ flow_id: UNKNOWN_FLOW });
  const { entry, attribution } = await recordVerification(() =>
    resumeLegacyEntry(
      event.body,
      { keys, entries, now: Date.now, expiredLinks, earlyResumeSeconds: config.earlyResumeSeconds },
      { origin: event.headers?.origin, userAgent: event.headers?.['user-agent'], onKeys: (keySet) => logKeyOwner(keySet, event.body.flow_id) },
    ),
  );
  // Mint never signs with legacy keys, so legacy links have no record and no campaign: only scanners are told apart.
  logger.appendKeys(resumeLogKeys(attribution));
  return jsonResult(200, { entry });
};

export const handler = httpPipeline(legacyLoadEntryData, {
  validateEvent,
  fieldRules,
  fieldHints,
  maxBodyBytes: 4096,
  cors: { allowedOrigins: config.allowedOrigins, methods: 'POST,OPTIONS' },
  extraHeaders: (event) => deprecationHeaders(config, hostOf(event)),
  gates: [killSwitch],
});
