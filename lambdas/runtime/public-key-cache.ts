import { setting } from './environment';
import { KeyCache } from './key-cache';
import { STALE_KEYS_SERVED } from './log-schema';
import { logger } from './logger';
import type { SigningKeySource } from '../domain/ports';

/**
 * The key cache of a public Lambda, configured from the environment the
 * construct sets (KEY_CACHE_TTL_SECONDS, KEY_MISS_REFRESH_SECONDS,
 * KEY_MAX_STALENESS_SECONDS, KEY_LOOKUP_RATE, KEY_LOOKUP_BURST). A key served
 * stale while Secrets Manager is down is logged as STALE_KEYS_SERVED, naming the
 * scope under `scopeKey` (the project, or the legacy flow), so the
 * StaleKeysServed metric filter counts it.
 */
export const publicKeyCache = (source: SigningKeySource, scopeKey: 'project_id' | 'flow_id'): KeyCache =>
  new KeyCache(source, {
    ttlMs: setting('KEY_CACHE_TTL_SECONDS') * 1000,
    missRefreshIntervalMs: setting('KEY_MISS_REFRESH_SECONDS') * 1000,
    maxStalenessMs: setting('KEY_MAX_STALENESS_SECONDS') * 1000,
    maxKnownScopes: 10_000,
    maxUnknownScopes: 10_000,
    lookups: { ratePerSecond: setting('KEY_LOOKUP_RATE'), burst: setting('KEY_LOOKUP_BURST') },
    onStaleServed: (scope, ageMs) => logger.warn(STALE_KEYS_SERVED, { [scopeKey]: scope, age_ms: ageMs }),
  });
