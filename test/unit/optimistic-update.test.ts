import { ApiError } from '../../lambdas/domain/errors';
import { updateOptimistically } from '../../lambdas/domain/optimistic-update';
import type { Versioned, VersionedStore } from '../../lambdas/domain/ports';

/**
 * A store in memory whose value another writer changes after each of our reads,
 * `interference` times in a row, so each of our writes in that span loses.
 */
const contendedStore = (interference: number) => {
  let stored: Versioned<number> | undefined = { value: 0, version: 'v0' };
  const writes: Array<{ value: number; expected: string | undefined; won: boolean }> = [];
  let losses = 0;
  const store: VersionedStore<number> = {
    read: async () => stored,
    compareAndSwap: async (_key, value, expected) => {
      if (losses < interference) {
        losses += 1;
        // The other writer got there first.
        stored = { value: (stored?.value ?? 0) + 100, version: `other${losses}` };
      }
      const won = stored?.version === expected;
      if (won) stored = { value, version: `ours${writes.length}` };
      writes.push({ value, expected, won });
      return won;
    },
  };
  return { store, writes, current: () => stored };
};

const recordSleeps = () => {
  const slept: number[] = [];
  return { slept, sleep: async (ms: number) => void slept.push(ms) };
};
const increment = (current: number | undefined) => ({ value: (current ?? 0) + 1, result: 'done' });

it('writes at once when nobody else writes', async () => {
  const { store, writes, current } = contendedStore(0);
  const { slept, sleep } = recordSleeps();
  expect(await updateOptimistically(store, 'p', increment, { sleep })).toBe('done');
  expect(writes).toEqual([{ value: 1, expected: 'v0', won: true }]);
  expect([current()?.value, slept]).toEqual([1, []]);
});

it("after a lost race starts over from a fresh read, so the other writer's change is kept", async () => {
  const { store, writes, current } = contendedStore(2);
  const { sleep } = recordSleeps();
  expect(await updateOptimistically(store, 'p', increment, { sleep })).toBe('done');
  expect(writes).toEqual([
    { value: 1, expected: 'v0', won: false },
    { value: 101, expected: 'other1', won: false },
    { value: 201, expected: 'other2', won: true },
  ]);
  expect(current()?.value).toBe(201);
});

it('backs off with full jitter, doubling from baseDelayMs up to 1 s', async () => {
  const { store } = contendedStore(9);
  const { slept, sleep } = recordSleeps();
  await updateOptimistically(store, 'p', increment, { sleep, random: () => 0.999, baseDelayMs: 25, maxAttempts: 10 });
  expect(slept.map(Math.round)).toEqual([25, 50, 100, 200, 400, 799, 999, 999, 999]);
  const half = recordSleeps();
  await updateOptimistically(contendedStore(2).store, 'p', increment, { sleep: half.sleep, random: () => 0.5 });
  expect(half.slept).toEqual([12.5, 25]);
});

it('gives up after maxAttempts conflicting writes: 503 service_unavailable with Retry-After 1, having slept only between attempts', async () => {
  const { store, writes, current } = contendedStore(Infinity);
  const { slept, sleep } = recordSleeps();
  const failure = updateOptimistically(store, 'p', increment, { sleep, random: () => 1, maxAttempts: 4 });
  await expect(failure).rejects.toBeInstanceOf(ApiError);
  await expect(failure).rejects.toMatchObject({
    code: 'service_unavailable',
    status: 503,
    retryAfterSeconds: 1,
    message: 'Too many concurrent changes to this project. Retry shortly.',
  });
  expect(writes.map((w) => w.won)).toEqual([false, false, false, false]);
  expect(slept).toEqual([25, 50, 100]);
  // Only the other writer's changes are stored.
  expect(current()).toEqual({ value: 400, version: 'other4' });
});

it('tries 10 times by default', async () => {
  const { store, writes } = contendedStore(Infinity);
  await expect(updateOptimistically(store, 'p', increment, { sleep: async () => undefined })).rejects.toMatchObject({ code: 'service_unavailable' });
  expect(writes).toHaveLength(10);
});

it('writes nothing when the change is refused', async () => {
  const { store, writes } = contendedStore(0);
  const refuse = () => {
    throw new ApiError('conflict', 'no room');
  };
  await expect(updateOptimistically(store, 'p', refuse)).rejects.toMatchObject({ code: 'conflict' });
  expect(writes).toEqual([]);
});
