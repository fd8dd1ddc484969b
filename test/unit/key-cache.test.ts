import { KeyCache, type KeyCacheOptions } from '../../lambdas/shared/key-cache';
import type { KeySet, SigningKeySource } from '../../lambdas/shared/ports';
import type { SigningKey } from '../../lambdas/shared/token';

class FakeSource implements SigningKeySource {
  calls = 0;
  keys: SigningKey[] = [{ id: 'k1', secret: 's1' }];
  failWith: unknown;
  async loadKeys(): Promise<KeySet> {
    this.calls++;
    await new Promise((r) => setImmediate(r));
    if (this.failWith) throw this.failWith;
    return { keys: [...this.keys] };
  }
}

const setup = (overrides: Partial<KeyCacheOptions> = {}) => {
  let now = 1_000_000;
  const source = new FakeSource();
  const stale: number[] = [];
  const cache = new KeyCache(source, {
    ttlMs: 60_000,
    missRefreshIntervalMs: 5_000,
    maxStalenessMs: 900_000,
    maxProjects: 3,
    now: () => now,
    onStaleServed: (_p, age) => stale.push(age),
    ...overrides,
  });
  return { cache, source, stale, advance: (ms: number) => (now += ms) };
};

describe('KeyCache', () => {
  it('serves from memory within the TTL and refetches after it', async () => {
    const { cache, source, advance } = setup();
    await cache.keys('p');
    advance(59_999);
    await cache.keys('p');
    expect(source.calls).toBe(1);
    advance(1);
    await cache.keys('p');
    expect(source.calls).toBe(2);
  });

  it('shares one fetch between concurrent misses', async () => {
    const { cache, source } = setup();
    await Promise.all([cache.keys('p'), cache.keys('p'), cache.keys('p')]);
    expect(source.calls).toBe(1);
  });

  it('refetches on the first miss, even right after a fetch, so a new key works at once', async () => {
    const { cache, source } = setup();
    await cache.keys('p');
    source.keys = [{ id: 'k2', secret: 's2' }];
    expect(await cache.refreshAfterMiss('p')).toEqual({ keys: [{ id: 'k2', secret: 's2' }] });
    expect(await cache.keys('p')).toEqual({ keys: [{ id: 'k2', secret: 's2' }] });
    expect(source.calls).toBe(2);
  });

  it('refetches after misses at most once per miss-refresh interval', async () => {
    const { cache, source, advance } = setup();
    await cache.keys('p');
    await cache.refreshAfterMiss('p');
    for (let i = 0; i < 100; i++) expect(await cache.refreshAfterMiss('p')).toBeUndefined();
    advance(4_999);
    expect(await cache.refreshAfterMiss('p')).toBeUndefined();
    expect(source.calls).toBe(2);
    advance(1);
    expect(await cache.refreshAfterMiss('p')).toBeDefined();
    expect(source.calls).toBe(3);
  });

  it('serves the last keys while the source fails, up to the staleness bound', async () => {
    const { cache, source, stale, advance } = setup();
    await cache.keys('p');
    source.failWith = new Error('down');
    advance(900_000);
    expect(await cache.keys('p')).toEqual({ keys: [{ id: 'k1', secret: 's1' }] });
    expect(stale).toEqual([900_000]);
    advance(1);
    await expect(cache.keys('p')).rejects.toThrow('down');
  });

  it('fails when the source fails and nothing was cached', async () => {
    const { cache, source } = setup();
    source.failWith = new Error('down');
    await expect(cache.keys('p')).rejects.toThrow('down');
  });

  it('keeps at most maxProjects projects, dropping the oldest', async () => {
    const { cache, source } = setup();
    for (const p of ['a', 'b', 'c', 'd']) await cache.keys(p);
    expect(source.calls).toBe(4);
    await cache.keys('d');
    await cache.keys('b');
    expect(source.calls).toBe(4);
    await cache.keys('a');
    expect(source.calls).toBe(5);
  });
});
