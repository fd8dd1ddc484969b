/** How a batched DynamoDB call retries what DynamoDB left unprocessed. */
export interface BatchRetryOptions {
  /** Calls in all, the first included. @default 4 */
  readonly attempts?: number;
  /** Backoff ceiling before the first retry, doubled each time, with full jitter. @default 50 */
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

/**
 * Sends `items` and then, with jittered exponential backoff, whatever each call
 * reports as unprocessed (DynamoDB's answer to a partition at its limit: the
 * rest of a BatchGetItem or BatchWriteItem succeeded). Returns what is still
 * unprocessed after the last attempt: an empty list when everything went
 * through. Four attempts wait about 175 ms on average, at most 350 ms.
 */
export const sendWithRetries = async <T>(
  items: readonly T[],
  send: (items: readonly T[]) => Promise<readonly T[]>,
  options: BatchRetryOptions = {},
): Promise<readonly T[]> => {
  const attempts = options.attempts ?? 4;
  const base = options.baseDelayMs ?? 50;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  let left = items;
  for (let attempt = 0; attempt < attempts && left.length > 0; attempt++) {
    if (attempt > 0) await sleep(random() * base * 2 ** (attempt - 1));
    left = await send(left);
  }
  return left;
};

/** `items` in consecutive slices of at most `size`. */
export const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};
