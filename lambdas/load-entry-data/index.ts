import { dynamodb, secretsManager } from '../shared/aws/clients';
import { DynamoDbEntryReader } from '../shared/aws/dynamodb-entry-reader';
import { SecretsManagerKeySource } from '../shared/aws/secrets-manager-key-source';
import { booleanEnv, listEnv, numberEnv, requireEnv } from '../shared/config';
import { httpPipeline } from '../shared/http/pipeline';
import { jsonResult, type HttpResult, type JsonEvent } from '../shared/http/types';
import { KeyCache } from '../shared/key-cache';
import { STALE_KEYS_SERVED } from '../shared/log-schema';
import { logger } from '../shared/logger';
import { recordVerification } from '../shared/verification-outcome';
import { type LoadEntryRequest, resumeEntry } from '../shared/resume';
import { fieldHints, fieldRules } from './schema';
import { validateEvent } from './validators.gen.js';

const config = {
  tableName: requireEnv('TABLE_NAME'),
  consistentReads: booleanEnv('CONSISTENT_READS', false),
  secretPrefix: requireEnv('SECRET_PREFIX'),
  environment: requireEnv('DEPLOYMENT_ENVIRONMENT'),
  allowedOrigins: listEnv('ALLOWED_ORIGINS', ['*']),
  keyCacheTtlMs: numberEnv('KEY_CACHE_TTL_SECONDS', 60) * 1000,
  keyMissRefreshMs: numberEnv('KEY_MISS_REFRESH_SECONDS', 5) * 1000,
  keyMaxStalenessMs: numberEnv('KEY_MAX_STALENESS_SECONDS', 900) * 1000,
  maxBodyBytes: numberEnv('MAX_BODY_BYTES', 4096),
};

const keys = new KeyCache(new SecretsManagerKeySource(secretsManager, config.secretPrefix, config.environment), {
  ttlMs: config.keyCacheTtlMs,
  missRefreshIntervalMs: config.keyMissRefreshMs,
  maxStalenessMs: config.keyMaxStalenessMs,
  maxProjects: 10_000,
  onStaleServed: (projectId, ageMs) => logger.warn(STALE_KEYS_SERVED, { project_id: projectId, age_ms: ageMs }),
});
const entries = new DynamoDbEntryReader(dynamodb, config.tableName, config.consistentReads);

/** `POST /v1/load-entry-data`: returns the saved entry a valid resume link points to. */
const loadEntryData = async (event: JsonEvent<LoadEntryRequest>): Promise<HttpResult> => {
  logger.appendKeys({ project_id: event.body.project_id, flow_id: event.body.flow_id });
  const { entry, credentialId } = await recordVerification(() =>
    resumeEntry(event.body, { keys, entries, now: Date.now }, { origin: event.headers?.origin }),
  );
  logger.appendKeys({ credential_id: credentialId });
  return jsonResult(200, { entry });
};

export const handler = httpPipeline(loadEntryData, {
  validateEvent,
  fieldRules,
  fieldHints,
  maxBodyBytes: config.maxBodyBytes,
  cors: { allowedOrigins: config.allowedOrigins, methods: 'POST,OPTIONS' },
});
