import { type Environment, setting } from './environment';
import { KeyCache } from './key-cache';
import { STALE_KEYS_SERVED } from './log-schema';
import { logger } from './logger';
import { errorNames } from '../domain/errors';
import type { ProjectIndex, SigningKeySource } from '../domain/ports';
import { onProjectChanged } from '../domain/project-changes';

/** How a public Lambda's key caches keep keys, from the settings the construct sets. */
export interface KeyCacheSettings {
  readonly ttlSeconds: number;
  readonly missRefreshSeconds: number;
  readonly maxStalenessSeconds: number;
  readonly lookupRate: number;
  readonly lookupBurst: number;
  /** PROJECT_INDEX_COMPLETE: an id the project index does not list is unknown, with no key read. */
  readonly projectIndexComplete: boolean;
}

/** The key cache settings of an environment (KEY_CACHE_TTL_SECONDS, KEY_MISS_REFRESH_SECONDS, KEY_MAX_STALENESS_SECONDS, KEY_LOOKUP_RATE, KEY_LOOKUP_BURST, PROJECT_INDEX_COMPLETE). */
export const keyCacheSettings = (env: Environment): KeyCacheSettings => ({
  ttlSeconds: setting('KEY_CACHE_TTL_SECONDS', env),
  missRefreshSeconds: setting('KEY_MISS_REFRESH_SECONDS', env),
  maxStalenessSeconds: setting('KEY_MAX_STALENESS_SECONDS', env),
  lookupRate: setting('KEY_LOOKUP_RATE', env),
  lookupBurst: setting('KEY_LOOKUP_BURST', env),
  projectIndexComplete: setting('PROJECT_INDEX_COMPLETE', env),
});

/**
 * The key cache of a public Lambda, kept as `settings` say. A key served
 * stale while Secrets Manager is down (or the secret cannot be read as one) is
 * logged as STALE_KEYS_SERVED, naming the scope under the key the source gives
 * (`project_id`, `flow_id`, or `secret` for the deployment's save key) and the
 * error by name, so the StaleKeysServed metric filter counts it. With the
 * project index (`index`, complete per PROJECT_INDEX_COMPLETE), listed
 * projects are read without the lookup bound; an index that cannot be read is
 * logged by the error's name, and the bound then applies as without one. A
 * project cache forgets a project as soon as this process changes it.
 */
export const publicKeyCache = (source: SigningKeySource, settings: KeyCacheSettings, index?: ProjectIndex): KeyCache => {
  const cache = new KeyCache(source, {
    ttlMs: settings.ttlSeconds * 1000,
    missRefreshIntervalMs: settings.missRefreshSeconds * 1000,
    maxStalenessMs: settings.maxStalenessSeconds * 1000,
    maxKnownScopes: 10_000,
    maxUnknownScopes: 10_000,
    lookups: { ratePerSecond: settings.lookupRate, burst: settings.lookupBurst },
    index: index && { source: index, complete: settings.projectIndexComplete },
    onIndexUnread: (error) => logger.warn('project index not read', errorNames(error)),
    // The error's name tells an outage (TimeoutError, a throttle) from a secret that cannot be read as one (CorruptSecretError).
    onStaleServed: (scope, ageMs, error) => logger.warn(STALE_KEYS_SERVED, { [source.scope]: scope, age_ms: ageMs, ...errorNames(error) }),
  });
  // A project this process changed is read afresh: locally, where every route runs in one process, a change made
  // through the admin routes (browser saves turned on, origins, a credential revoked) takes effect at once.
  // A legacy flow's key set carries its project's settings (origins, resume policy): it is read afresh too.
  if (source.scope !== 'secret') onProjectChanged((projectId) => (source.scope === 'project_id' ? cache.forget(projectId) : cache.forgetProject(projectId)));
  return cache;
};
