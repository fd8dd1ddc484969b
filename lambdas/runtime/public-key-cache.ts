import { numberEnv } from './config';
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
    ttlMs: numberEnv('KEY_CACHE_TTL_SECONDS', 60) * 1000,
    missRefreshIntervalMs: numberEnv('KEY_MISS_REFRESH_SECONDS', 5) * 1000,
    maxStalenessMs: numberEnv('KEY_MAX_STALENESS_SECONDS', 900) * 1000,
    maxKnownScopes: 10_000,
    maxUnknownScopes: 10_000,
    lookups: { ratePerSecond: numberEnv('KEY_LOOKUP_RATE', 10), burst: numberEnv('KEY_LOOKUP_BURST', 20) },
    onStaleServed: (scope, ageMs) => logger.warn(STALE_KEYS_SERVED, { [scopeKey]: scope, age_ms: ageMs }),
  });
