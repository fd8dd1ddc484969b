import { setting } from './environment';
import { KeyCache } from './key-cache';
import { STALE_KEYS_SERVED } from './log-schema';
import { logger } from './logger';
import { errorNames } from '../domain/errors';
import type { ProjectIndex, SigningKeySource } from '../domain/ports';
import { onProjectChanged } from '../domain/project-changes';

/**
 * The key cache of a public Lambda, configured from the environment the
 * construct sets (KEY_CACHE_TTL_SECONDS, KEY_MISS_REFRESH_SECONDS,
 * KEY_MAX_STALENESS_SECONDS, KEY_LOOKUP_RATE, KEY_LOOKUP_BURST). A key served
 * stale while Secrets Manager is down (or the secret cannot be read as one) is
 * logged as STALE_KEYS_SERVED, naming the scope under the key the source gives
 * (`project_id`, `flow_id`, or `secret` for the deployment's save key) and the
 * error by name, so the StaleKeysServed metric filter counts it. With the
 * project index (`index`, complete per PROJECT_INDEX_COMPLETE), listed
 * projects are read without the lookup bound; an index that cannot be read is
 * logged by the error's name, and the bound then applies as without one. A
 * project cache forgets a project as soon as this process changes it.
 */
export const publicKeyCache = (source: SigningKeySource, index?: ProjectIndex): KeyCache => {
  const cache = new KeyCache(source, {
    ttlMs: setting('KEY_CACHE_TTL_SECONDS') * 1000,
    missRefreshIntervalMs: setting('KEY_MISS_REFRESH_SECONDS') * 1000,
    maxStalenessMs: setting('KEY_MAX_STALENESS_SECONDS') * 1000,
    maxKnownScopes: 10_000,
    maxUnknownScopes: 10_000,
    lookups: { ratePerSecond: setting('KEY_LOOKUP_RATE'), burst: setting('KEY_LOOKUP_BURST') },
    index: index && { source: index, complete: setting('PROJECT_INDEX_COMPLETE') },
    onIndexUnread: (error) => logger.warn('project index not read', errorNames(error)),
    // The error's name tells an outage (TimeoutError, a throttle) from a secret that cannot be read as one (CorruptSecretError).
    onStaleServed: (scope, ageMs, error) =>
      logger.warn(STALE_KEYS_SERVED, { [source.scope]: scope, age_ms: ageMs, ...errorNames(error) }),
  });
  // A project this process changed is read afresh: locally, where every route runs in one process, a change made
  // through the admin routes (browser saves turned on, origins, a credential revoked) takes effect at once.
  if (source.scope === 'project_id') onProjectChanged((projectId) => cache.forget(projectId));
  return cache;
};
