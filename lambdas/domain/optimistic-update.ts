import { ApiError } from './errors';
import type { VersionedStore } from './ports';

export interface OptimisticUpdateOptions {
  /**
   * Attempts before giving up with 503. Ten attempts wait about 2.3 s in backoff
   * on average (at most 4.7 s), so the 503 comes from here, well inside the
   * deadline every request is answered by (ANSWER_DEADLINE_MS, runtime/deadline.ts).
   * @default 10
   */
  readonly maxAttempts?: number;
  /** Backoff ceiling of the first retry, doubled each time up to 1 s, with full jitter. @default 25 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
  /**
   * What to throw when every attempt lost its race. Default: 503. A bound on
   * requests answers 429 instead: so many at once for one key is itself a caller
   * sending too much.
   */
  readonly contended?: () => ApiError;
}

/**
 * Read-modify-write with retries: reads the current value, lets `change` derive
 * the new one, and writes it only if nobody wrote in between. A lost race starts
 * over from a fresh read, so concurrent changes never overwrite one another.
 * `change` may throw an ApiError to refuse the change; nothing is written then.
 */
export const updateOptimistically = async <T, R>(
  store: VersionedStore<T>,
  key: string,
  change: (current: T | undefined) => { value: T; result: R },
  options: OptimisticUpdateOptions = {},
): Promise<R> => {
  const maxAttempts = options.maxAttempts ?? 10;
  const base = options.baseDelayMs ?? 25;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const random = options.random ?? Math.random;
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const current = await store.read(key);
    const { value, result } = change(current?.value);
    if (await store.compareAndSwap(key, value, current?.version, current)) return result;
    if (attempt + 1 < maxAttempts) await sleep(random() * Math.min(1000, base * 2 ** Math.min(attempt, 10)));
  }
  throw (
    options.contended?.() ??
    new ApiError('service_unavailable', 'Too many concurrent changes to this project. Retry shortly.', {
      retryAfterSeconds: 1,
    })
  );
};
