import { setImmediate as tick } from 'node:timers/promises';
import type { KeyProvider, KeySet } from '../../lambdas/domain/ports';
import { createEntryFromBrowser, saveProgressFromBrowser, type SaveDeps } from '../../lambdas/domain/saves';
import { startedAhead } from '../../lambdas/domain/started';

/**
 * Work started ahead (the save key's read, begun before the project is admitted)
 * whose request ends first: its failure must not surface as an unhandled
 * rejection, which in Lambda ends the process and every request it holds.
 */
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => void unhandled.push(reason);
beforeEach(() => {
  unhandled.length = 0;
  process.on('unhandledRejection', onUnhandled);
});
afterEach(() => void process.off('unhandledRejection', onUnhandled));

const keys = (keySet: KeySet): KeyProvider => ({ lookup: async () => ({ keySet, fetched: true }), refreshAfterMiss: async () => undefined });
const failing: KeyProvider = {
  lookup: () => Promise.reject(new Error('Secrets Manager is down')),
  refreshAfterMiss: async () => undefined,
};
const deps = (projects: KeyProvider): SaveDeps => ({
  projects,
  saveKeys: failing,
  entries: { createEntry: async () => true, saveProgress: async () => 'saved' },
  now: Date.now,
  retentionSeconds: 86_400,
  // Never reached: each request here ends before the bounds.
  creationLimits: {
    perSource: { log: { read: async () => undefined, compareAndSwap: async () => true }, perHour: 100 },
    perProject: { counter: { increment: async () => true, decrement: async () => undefined }, perDay: 10_000 },
  },
});
const draft = { project_id: 'proj_1', flow_id: 'flow_1', current_page_key: 'page_1', user_data: {} };

it('a save refused before its save key is needed answers the refusal, and the key read failing leaves nothing unhandled', async () => {
  const disabled = deps(keys({ keys: [], browserSaves: false }));
  await expect(createEntryFromBrowser(draft, disabled, { origin: 'https://quiz.example' })).rejects.toMatchObject({ code: 'browser_saves_disabled' });
  const foreign = deps(keys({ keys: [], browserSaves: true, allowedOrigins: ['https://quiz.example'] }));
  await expect(
    saveProgressFromBrowser('entry_1', { ...draft, save_token: `s1.${'A'.repeat(43)}`, seq: 1 }, foreign, { origin: 'https://elsewhere.example' }),
  ).rejects.toMatchObject({ code: 'forbidden' });
  await tick();
  expect(unhandled).toEqual([]);
});

it('a save that needs the key still fails with the key read failure', async () => {
  const admitted = deps(keys({ keys: [], browserSaves: true, allowedOrigins: ['https://quiz.example'] }));
  await expect(createEntryFromBrowser(draft, admitted, { origin: 'https://quiz.example' })).rejects.toThrow('Secrets Manager is down');
});

it('startedAhead returns the work itself: its value, or its failure to whoever awaits it', async () => {
  await expect(startedAhead(Promise.resolve(7))).resolves.toBe(7);
  await expect(startedAhead(Promise.reject(new Error('no')))).rejects.toThrow('no');
  startedAhead(Promise.reject(new Error('nobody waits for this')));
  await tick();
  expect(unhandled).toEqual([]);
});
