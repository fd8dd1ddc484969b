import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntryReader } from '../adapters/dynamodb-entry-reader';
import { DynamoDbEntrySaves } from '../adapters/dynamodb-entry-saves';
import { DynamoDbProjectIndex } from '../adapters/dynamodb-project-index';
import { DynamoDbResumeNotes } from '../adapters/dynamodb-resume-notes';
import { DynamoDbRequestLog } from '../adapters/dynamodb-link-limits';
import { VERIFY_ATTEMPTS_KEY_PREFIX } from '../adapters/naming';
import { SaveKeySource } from '../adapters/save-key-source';
import { SecretsManagerKeySource } from '../adapters/secrets-manager-key-source';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import { expiredLinkEvents } from '../adapters/event-bus';
import { errorNames } from '../domain/errors';
import { eventBusSettings, setting } from '../runtime/environment';
import { httpPipeline } from '../http/pipeline';
import type { RouteEvent } from '../http/route-schema';
import { jsonResult, type HttpResult } from '../http/types';
import { logger } from '../runtime/logger';
import { publicKeyCache } from '../runtime/public-key-cache';
import { recordVerification } from '../domain/verification-outcome';
import { type ResumeAttribution, resumeLogKeys } from '../domain/recovery';
import { resumeEntry, type ResumeSaves, type VerificationDeps } from '../domain/resume';
import { currentSaveKey, SAVE_KEY_SCOPE } from '../domain/saves';
import { fieldHints, fieldRules, type routeSchemas } from './schema';
import { validateEvent } from './validators.gen.js';

const config = {
  tableName: setting('TABLE_NAME'),
  consistentReads: setting('CONSISTENT_READS'),
  secretPrefix: setting('SECRET_PREFIX'),
  environment: setting('DEPLOYMENT_ENVIRONMENT'),
  allowedOrigins: setting('ALLOWED_ORIGINS'),
  saveKeySecret: setting('SAVE_KEY_SECRET'),
  earlyResumeSeconds: setting('EARLY_RESUME_SECONDS'),
};

// The project index lets a real project's keys be read however many unknown ids arrive (README, Caching).
const keys = publicKeyCache(
  new SecretsManagerKeySource(new SecretsManagerProjectReader(secretsManager, config.secretPrefix), config.environment),
  new DynamoDbProjectIndex(dynamodb, config.tableName),
);
const entries = new DynamoDbEntryReader(dynamodb, config.tableName, config.consistentReads);
const resumeNotes = new DynamoDbResumeNotes(dynamodb, config.tableName);
// Off by default: only then does an expired link cost more than its 401 (a read, a conditional write, an event).
const expiredLinks = setting('EXPIRED_LINK_EVENTS')
  ? expiredLinkEvents(eventBusSettings(), config.tableName, (error) => logger.warn('expired link event not put', errorNames(error)))
  : undefined;
// Read only when a person resumes a browser-saves project's entry, then cached like the projects' keys.
const saveKeys = publicKeyCache(new SaveKeySource(secretsManager, config.saveKeySecret));
// A person's resume of a browser-saves project's entry hands the device a new save token, ending the ones before.
const saves: ResumeSaves = { key: () => currentSaveKey({ saveKeys }), rotation: new DynamoDbEntrySaves(dynamodb, config.tableName) };
// A flow whose resume policy names a verify field: digests under the save key, and each entry's attempts in the hour.
const verification: VerificationDeps = {
  keys: async () => (await saveKeys.lookup(SAVE_KEY_SCOPE)).keySet.keys,
  attempts: new DynamoDbRequestLog(dynamodb, config.tableName, VERIFY_ATTEMPTS_KEY_PREFIX),
};

/**
 * Notes a person's resume through a campaign link, for a later completion to be
 * attributed to (POST /v1/entries/{entry_id}/complete), and counts the entry in
 * the campaign's entries resumed the first time. Never fails the resume: a note
 * not written is logged, by the error's name only, and the resume answered.
 */
const noteResume = async (entryId: string, projectId: string, { kind, record }: ResumeAttribution, retainUntil: number | undefined): Promise<void> => {
  if (kind !== 'human' || record?.campaign === undefined) return;
  try {
    await resumeNotes.noteResume(entryId, { projectId, campaign: record.campaign, resumedAt: Math.floor(Date.now() / 1000) }, retainUntil);
  } catch (error) {
    logger.warn('resume not noted for completions', errorNames(error));
  }
};

/** `POST /v1/load-entry-data`: returns the saved entry a valid resume link points to. */
const loadEntryData = async (event: RouteEvent<typeof routeSchemas.loadEntryData>): Promise<HttpResult> => {
  logger.appendKeys({ project_id: event.body.project_id, flow_id: event.body.flow_id });
  const projectId = event.body.project_id;
  // A browser-saves project's resuming device carries on saving the entry; the seed's client code ignores the extra field.
  const { entry, credentialId, saveToken: token, attribution, retainUntil } = await recordVerification(() =>
    resumeEntry(event.body, { keys, entries, now: Date.now, expiredLinks, saves, verification, earlyResumeSeconds: config.earlyResumeSeconds }, { origin: event.headers?.origin, userAgent: event.headers?.['user-agent'] }),
  );
  logger.appendKeys({ credential_id: credentialId, ...resumeLogKeys(attribution) });
  await noteResume(entry.entry_id, projectId, attribution, retainUntil);
  return jsonResult(200, token === undefined ? { entry } : { entry, save_token: token });
};

export const handler = httpPipeline(loadEntryData, {
  validateEvent,
  fieldRules,
  fieldHints,
  maxBodyBytes: 4096,
  cors: { allowedOrigins: config.allowedOrigins, methods: 'POST,OPTIONS' },
});
