import { type AwsClients, dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntryReader } from '../adapters/dynamodb-entry-reader';
import { DynamoDbSaveRotation } from '../adapters/dynamodb-entry-saves';
import { DynamoDbRequestLog } from '../adapters/dynamodb-link-limits';
import { DynamoDbResumeNotes } from '../adapters/dynamodb-resume-notes';
import { VERIFY_ATTEMPTS_KEY_PREFIX } from '../adapters/naming';
import { expiredLinkEvents } from '../adapters/event-bus';
import { errorNames } from '../domain/errors';
import { type ResumeAttribution, type ResumeNotes, resumeLogKeys } from '../domain/recovery';
import { type ResumeDeps, resumeEntry } from '../domain/resume';
import { currentSaveKey, SAVE_KEY_SCOPE } from '../domain/saves';
import { recordVerification } from '../domain/verification-outcome';
import { httpPipeline } from '../http/pipeline';
import type { RouteEvent } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { type HttpResult, jsonResult } from '../http/types';
import { FUNCTION_TIMEOUT_MS, resumeNoteTimeoutMs } from '../runtime/deadline';
import { type Environment, processEnvironment, eventBusSettings, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { keyCacheSettings } from '../runtime/public-key-cache';
import { projectKeyCache, saveKeyCache } from '../wiring/key-caches';
import { fieldHints, fieldRules, type routeSchemas } from './schema';
import { validateEvent } from './validators.gen.js';

/** What the resume route works with: its settings and its adapters. */
export interface LoadEntryDataDeps {
  /** Origins a browser may resume from (ALLOWED_ORIGINS); a project's own list narrows it. */
  readonly allowedOrigins: readonly string[];
  readonly resume: ResumeDeps;
  readonly resumeNotes: ResumeNotes;
}

/**
 * The resume route as the construct deploys it: settings read from `env` once,
 * at init, adapters over `clients` (the instance's SDK clients by default), and
 * the budgets inside a request derived from the function's timeout (the
 * deployed one by default; a local runtime or a test may give a longer one).
 */
export const fromEnvironment = (
  env: Environment = processEnvironment(),
  clients: AwsClients = { dynamodb, secretsManager },
  functionTimeoutMs: number = FUNCTION_TIMEOUT_MS,
): LoadEntryDataDeps => {
  const tableName = setting('TABLE_NAME', env);
  const cacheSettings = keyCacheSettings(env);
  const saveKeys = saveKeyCache(clients, setting('SAVE_KEY_SECRET', env), cacheSettings);
  return {
    allowedOrigins: setting('ALLOWED_ORIGINS', env),
    resume: {
      keys: projectKeyCache(
        clients,
        { secretPrefix: setting('SECRET_PREFIX', env), environment: setting('DEPLOYMENT_ENVIRONMENT', env), tableName },
        cacheSettings,
      ),
      entries: new DynamoDbEntryReader(clients.dynamodb, tableName, setting('CONSISTENT_READS', env)),
      // Read at each call, not bound at init, so a test's controlled clock applies.
      now: () => Date.now(),
      // Off by default: only then does an expired link cost more than its 401 (a read, a conditional write, an event).
      expiredLinks: setting('EXPIRED_LINK_EVENTS', env)
        ? expiredLinkEvents(eventBusSettings(env), tableName, (error) => logger.warn('expired link event not put', errorNames(error)), clients)
        : undefined,
      // A person's resume of a browser-saves project's entry hands the device a new save token, ending the ones before.
      // The save key is read only then, and cached like the projects' keys.
      saves: { key: () => currentSaveKey({ saveKeys }), rotation: new DynamoDbSaveRotation(clients.dynamodb, tableName) },
      // A flow whose resume policy names a verify field: digests under the save key, and each entry's attempts in the hour.
      verification: {
        keys: async () => (await saveKeys.lookup(SAVE_KEY_SCOPE)).keySet.keys,
        attempts: new DynamoDbRequestLog(clients.dynamodb, tableName, VERIFY_ATTEMPTS_KEY_PREFIX),
      },
      earlyResumeSeconds: setting('EARLY_RESUME_SECONDS', env),
    },
    resumeNotes: new DynamoDbResumeNotes(clients.dynamodb, tableName, resumeNoteTimeoutMs(functionTimeoutMs)),
  };
};

/** The resume route's handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: LoadEntryDataDeps) => {
  /**
   * Notes a person's resume through a campaign link, for a later completion to be
   * attributed to (POST /v1/entries/{entry_id}/complete), and counts the entry in
   * the campaign's entries resumed the first time. Never fails the resume: a note
   * not written is logged, by the error's name only, and the resume answered.
   */
  const noteResume = async (entryId: string, projectId: string, { kind, record }: ResumeAttribution, retainUntil: number | undefined): Promise<void> => {
    if (kind !== 'human' || record?.campaign === undefined) return;
    try {
      await deps.resumeNotes.noteResume(entryId, { projectId, campaign: record.campaign, resumedAt: Math.floor(deps.resume.now() / 1000) }, retainUntil);
    } catch (error) {
      logger.warn('resume not noted for completions', errorNames(error));
    }
  };

  /** `POST /v1/load-entry-data`: returns the saved entry a valid resume link points to. */
  const loadEntryData = async (event: RouteEvent<typeof routeSchemas.loadEntryData>): Promise<HttpResult> => {
    logger.appendKeys({ project_id: event.body.project_id, flow_id: event.body.flow_id });
    const projectId = event.body.project_id;
    // A browser-saves project's resuming device carries on saving the entry; the seed's client code ignores the extra field.
    const {
      entry,
      credentialId,
      saveToken: token,
      attribution,
      retainUntil,
    } = await recordVerification(() => resumeEntry(event.body, deps.resume, { origin: event.headers?.origin, userAgent: event.headers?.['user-agent'] }));
    logger.appendKeys({ credential_id: credentialId, ...resumeLogKeys(attribution) });
    await noteResume(entry.entry_id, projectId, attribution, retainUntil);
    return jsonResult(200, token === undefined ? { entry } : { entry, save_token: token });
  };

  return httpPipeline(loadEntryData, {
    validateEvent,
    fieldRules,
    fieldHints,
    maxBodyBytes: bodyLimits('load-entry-data'),
    cors: { allowedOrigins: deps.allowedOrigins, methods: 'POST,OPTIONS' },
  });
};
