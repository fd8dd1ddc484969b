import { LookupLimitedError } from '../../lambdas/domain/errors';
import { KeyCache, type KeyCacheOptions } from '../../lambdas/runtime/key-cache';
import type { KeySet, SigningKeySource } from '../../lambdas/domain/ports';
import type { SigningKey } from '../../lambdas/domain/token';
import { TokenBucket } from '../../lambdas/runtime/token-bucket';

/** A source that knows some scopes and counts its reads per scope. */
class FakeSource implements SigningKeySource {
  readonly scope = 'project_id';
  readonly reads: string[] = [];
  readonly scopes = new Map<string, SigningKey[]>([['p', [{ id: 'k1', secret: 's1' }]]]);
  failWith: unknown;
  async loadKeys(scope: string): Promise<KeySet> {
    this.reads.push(scope);
    await new Promise((r) => setImmediate(r));
    if (this.failWith) throw this.failWith;
    return { keys: [...(this.scopes.get(scope) ?? [])] };
  }
  readsOf(scope: string): number {
    return this.reads.filter((s) => s === scope).length;
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
    maxKnownScopes: 3,
    maxUnknownScopes: 3,
    lookups: { ratePerSecond: 10, burst: 20 },
    now: () => now,
    onStaleServed: (_p, age) => stale.push(age),
    ...overrides,
  });
  return { cache, source, stale, advance: (ms: number) => (now += ms) };
};

describe('KeyCache', () => {
  it('serves from memory within the TTL and refetches after it', async () => {
    const { cache, source, advance } = setup();
    expect(await cache.lookup('p')).toEqual({ keySet: { keys: [{ id: 'k1', secret: 's1' }] }, fetched: true });
    advance(59_999);
    expect(await cache.lookup('p')).toEqual({ keySet: { keys: [{ id: 'k1', secret: 's1' }] }, fetched: false });
    expect(source.reads).toEqual(['p']);
    advance(1);
    expect((await cache.lookup('p')).fetched).toBe(true);
    expect(source.reads).toEqual(['p', 'p']);
  });

  it('shares one fetch between concurrent misses', async () => {
    const { cache, source } = setup();
    const all = await Promise.all([cache.lookup('p'), cache.lookup('p'), cache.lookup('p')]);
    expect(all.map((l) => l.fetched)).toEqual([true, true, true]);
    expect(source.reads).toEqual(['p']);
  });

  it('refetches a known scope on the first miss after a cached lookup, so a newly created key works at once', async () => {
    const { cache, source } = setup();
    await cache.lookup('p');
    source.scopes.set('p', [{ id: 'k2', secret: 's2' }]);
    expect(await cache.refreshAfterMiss('p')).toEqual({ keys: [{ id: 'k2', secret: 's2' }] });
    expect((await cache.lookup('p')).keySet).toEqual({ keys: [{ id: 'k2', secret: 's2' }] });
    expect(source.reads).toEqual(['p', 'p']);
  });

  it('refetches a known scope after misses at most once per miss-refresh interval', async () => {
    const { cache, source, advance } = setup();
    await cache.lookup('p');
    await cache.refreshAfterMiss('p');
    for (let i = 0; i < 100; i++) expect(await cache.refreshAfterMiss('p')).toBeUndefined();
    advance(4_999);
    expect(await cache.refreshAfterMiss('p')).toBeUndefined();
    expect(source.readsOf('p')).toBe(2);
    advance(1);
    expect(await cache.refreshAfterMiss('p')).toBeDefined();
    expect(source.readsOf('p')).toBe(3);
  });

  it('reads an unknown scope once per TTL: a miss never refetches it (negative cache)', async () => {
    const { cache, source, advance } = setup();
    expect(await cache.lookup('nobody')).toEqual({ keySet: { keys: [] }, fetched: true });
    for (let i = 0; i < 50; i++) {
      expect(await cache.lookup('nobody')).toEqual({ keySet: { keys: [] }, fetched: false });
      expect(await cache.refreshAfterMiss('nobody')).toBeUndefined();
    }
    advance(59_999);
    await cache.lookup('nobody');
    expect(source.readsOf('nobody')).toBe(1);
    advance(1);
    await cache.lookup('nobody');
    expect(source.readsOf('nobody')).toBe(2);
  });

  it('what the negative cache costs: a project created after its id was found missing verifies here only once the TTL has passed', async () => {
    const { cache, source, advance } = setup();
    await cache.lookup('late');
    source.scopes.set('late', [{ id: 'k', secret: 's' }]);
    expect(await cache.refreshAfterMiss('late')).toBeUndefined();
    expect((await cache.lookup('late')).keySet.keys).toEqual([]);
    advance(60_000);
    expect((await cache.lookup('late')).keySet.keys).toEqual([{ id: 'k', secret: 's' }]);
  });

  it('bounds reads for scopes not in memory with a token bucket: a burst of 20, then 10 a second; past it, no read at all', async () => {
    const { cache, source, advance } = setup();
    for (let i = 0; i < 20; i++) await cache.lookup(`unknown_${i}`);
    expect(source.reads).toHaveLength(20);
    await expect(cache.lookup('unknown_20')).rejects.toBeInstanceOf(LookupLimitedError);
    await expect(cache.lookup('p')).rejects.toBeInstanceOf(LookupLimitedError);
    expect(source.reads).toHaveLength(20);
    advance(100);
    await cache.lookup('p');
    await expect(cache.lookup('unknown_21')).rejects.toBeInstanceOf(LookupLimitedError);
    expect(source.reads).toHaveLength(21);
    // Scopes already answered are still served from memory while the bucket is empty.
    expect((await cache.lookup('unknown_19')).fetched).toBe(false);
    expect((await cache.lookup('p')).keySet.keys).toHaveLength(1);
  });

  it('refreshes a known scope past its TTL even when the bucket is empty', async () => {
    const { cache, source, advance } = setup({ lookups: { ratePerSecond: 0, burst: 1 } });
    await cache.lookup('p');
    await expect(cache.lookup('unknown')).rejects.toBeInstanceOf(LookupLimitedError);
    advance(60_000);
    expect((await cache.lookup('p')).fetched).toBe(true);
    expect(source.reads).toEqual(['p', 'p']);
  });

  it('10,000 unknown ids never evict a project whose keys verify', async () => {
    const { cache, source, advance } = setup({ lookups: { ratePerSecond: 1e9, burst: 1e9 } });
    await cache.lookup('p');
    for (let i = 0; i < 10_000; i++) await cache.lookup(`random_${i}`);
    advance(1_000);
    expect((await cache.lookup('p')).fetched).toBe(false);
    expect(source.readsOf('p')).toBe(1);
  });

  it('keeps at most maxKnownScopes known scopes, dropping the least recently used', async () => {
    const { cache, source } = setup();
    for (const p of ['a', 'b', 'c', 'd']) source.scopes.set(p, [{ id: p, secret: p }]);
    for (const p of ['a', 'b', 'c']) await cache.lookup(p);
    await cache.lookup('a'); // a is now the most recently used: b goes first
    await cache.lookup('d');
    expect(source.reads).toEqual(['a', 'b', 'c', 'd']);
    await cache.lookup('a');
    await cache.lookup('c');
    expect(source.reads).toHaveLength(4);
    await cache.lookup('b');
    expect(source.reads).toHaveLength(5);
  });

  it('a scope whose keys were all revoked is remembered as unknown', async () => {
    const { cache, source, advance } = setup();
    await cache.lookup('p');
    source.scopes.delete('p');
    advance(60_000);
    expect((await cache.lookup('p')).keySet.keys).toEqual([]);
    expect(await cache.refreshAfterMiss('p')).toBeUndefined();
    expect(source.readsOf('p')).toBe(2);
  });

  it('serves the last keys while the source fails, up to the staleness bound', async () => {
    const { cache, source, stale, advance } = setup();
    await cache.lookup('p');
    source.failWith = new Error('down');
    advance(900_000);
    expect((await cache.lookup('p')).keySet).toEqual({ keys: [{ id: 'k1', secret: 's1' }] });
    expect(stale).toEqual([900_000]);
    advance(1);
    await expect(cache.lookup('p')).rejects.toThrow('down');
  });

  it('fails when the source fails and nothing was cached', async () => {
    const { cache, source } = setup();
    source.failWith = new Error('down');
    await expect(cache.lookup('p')).rejects.toThrow('down');
  });
});

describe('TokenBucket', () => {
  it('allows at most burst + rate × t takes over t seconds', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 20, () => now);
    let taken = 0;
    for (let ms = 0; ms <= 5_000; ms += 10) {
      now = ms;
      while (bucket.take()) taken++;
    }
    expect(taken).toBe(20 + 10 * 5);
  });

  it('does not save up beyond its burst', () => {
    let now = 0;
    const bucket = new TokenBucket(10, 20, () => now);
    now = 3_600_000;
    let taken = 0;
    while (bucket.take()) taken++;
    expect(taken).toBe(20);
  });
});

describe('KeyCache with the project index', () => {
  /** An index that lists `ids` and counts its reads. */
  const fakeIndex = (ids: string[]) => {
    const index = {
      ids: new Set(ids),
      reads: 0,
      failWith: undefined as unknown,
      async read(): Promise<ReadonlySet<string>> {
        index.reads++;
        await new Promise((r) => setImmediate(r));
        if (index.failWith) throw index.failWith;
        return new Set(index.ids);
      },
    };
    return index;
  };
  /** A cache whose bucket is spent, and whose index was read once (by a lookup of `p`, which it lists). */
  const warmed = async (complete: boolean, listed: string[] = ['p']) => {
    const index = fakeIndex(listed);
    const s = setup({ index: { source: index, complete }, lookups: { ratePerSecond: 1, burst: 1 } });
    await s.cache.lookup('p');
    s.source.reads.length = 0;
    index.reads = 0;
    return { ...s, index };
  };

  it('reads a listed project however many unlisted ids spent the bound before it', async () => {
    const { cache, source, index } = await warmed(false, ['p', 'q']);
    source.scopes.set('q', [{ id: 'kq', secret: 'sq' }]);
    for (let i = 0; i < 5; i++) await expect(cache.lookup(`unknown_${i}`)).rejects.toBeInstanceOf(LookupLimitedError);
    expect((await cache.lookup('q')).keySet.keys).toEqual([{ id: 'kq', secret: 'sq' }]);
    expect(source.reads).toEqual(['q']);
    // Read once the bound was spent, and not again within the miss-refresh interval, however many ids it lacks.
    expect(index.reads).toBe(1);
  });

  it('while the index may be incomplete, reads nothing of it until the bound is spent', async () => {
    const index = fakeIndex(['p']);
    const { cache, source } = setup({ index: { source: index, complete: false } });
    for (let i = 0; i < 20; i++) await cache.lookup(`unknown_${i}`);
    expect(index.reads).toBe(0);
    expect(source.reads).toHaveLength(20);
  });

  it('reads an unlisted id within the bound while the index may be incomplete', async () => {
    const { cache, source, advance } = await warmed(false);
    advance(1_000);
    expect((await cache.lookup('unknown_a')).keySet.keys).toEqual([]);
    await expect(cache.lookup('unknown_b')).rejects.toBeInstanceOf(LookupLimitedError);
    expect(source.reads).toEqual(['unknown_a']);
  });

  it('with a complete index, answers an unlisted id with no keys and no read, re-reading the index at most once per miss-refresh interval', async () => {
    const { cache, source, index, advance } = await warmed(true);
    for (let i = 0; i < 50; i++) expect(await cache.lookup(`unknown_${i}`)).toEqual({ keySet: { keys: [] }, fetched: true });
    expect(source.reads).toEqual([]);
    expect(index.reads).toBe(0);
    advance(5_000);
    for (let i = 0; i < 50; i++) await cache.lookup(`unknown_again_${i}`);
    expect(index.reads).toBe(1);
    expect(source.reads).toEqual([]);
  });

  it('finds a project added to the index since its last read, once the miss-refresh interval has passed', async () => {
    const { cache, source, index, advance } = await warmed(true);
    source.scopes.set('new', [{ id: 'kn', secret: 'sn' }]);
    index.ids.add('new');
    expect((await cache.lookup('new')).keySet.keys).toEqual([]);
    advance(5_000);
    expect((await cache.lookup('new')).keySet.keys).toEqual([{ id: 'kn', secret: 'sn' }]);
    expect(source.reads).toEqual(['new']);
  });

  it('re-reads the index once the TTL has passed', async () => {
    const { cache, index, advance } = await warmed(true);
    await cache.lookup('unknown');
    expect(index.reads).toBe(0);
    advance(60_000);
    await cache.lookup('unknown');
    expect(index.reads).toBe(1);
  });

  it('on a new instance reads the secret beside the index, within the bound, so the first request waits for one round trip', async () => {
    const index = fakeIndex(['p']);
    const { cache, source } = setup({ index: { source: index, complete: true } });
    const order: string[] = [];
    const read = index.read.bind(index);
    index.read = async () => {
      order.push('index started');
      const ids = await read();
      order.push('index read');
      return ids;
    };
    const load = source.loadKeys.bind(source);
    source.loadKeys = async (scope) => {
      order.push('secret started');
      return load(scope);
    };
    expect((await cache.lookup('p')).keySet.keys).toHaveLength(1);
    expect(order.indexOf('secret started')).toBeLessThan(order.indexOf('index read'));
  });

  it('falls back to the bound when the index cannot be read, and tells onIndexUnread', async () => {
    const index = fakeIndex(['p']);
    index.failWith = new Error('down');
    const unread: unknown[] = [];
    const { cache, source } = setup({
      index: { source: index, complete: true },
      lookups: { ratePerSecond: 1, burst: 1 },
      onIndexUnread: (e) => unread.push(e),
    });
    expect((await cache.lookup('p')).keySet.keys).toHaveLength(1);
    await expect(cache.lookup('unknown')).rejects.toBeInstanceOf(LookupLimitedError);
    expect(source.reads).toEqual(['p']);
    expect(unread).toEqual([index.failWith]);
  });
});
