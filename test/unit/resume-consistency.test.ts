import { KeyCache } from '../../lambdas/runtime/key-cache';
import type { EntryReader, KeySet, SigningKeySource, StoredEntry } from '../../lambdas/domain/ports';
import { resumeEntry } from '../../lambdas/domain/resume';
import { computeToken } from '../../lambdas/domain/token';
import { linkDigest } from '../../lambdas/domain/link-digest';

const SECRET = 'tss_unit_secret';
const EXPIRES = '2099-01-01T00:00:00Z';
const saved: StoredEntry = { entryId: 'entry_1', projectId: 'proj_1', flowId: 'flow_1', currentPageKey: 'page_2', userData: { a: 1 } };

/** A table whose eventually consistent reads still see `stale` (the state before the last write). */
class LaggingReader implements EntryReader {
  reads: Array<'eventual' | 'strong'> = [];
  constructor(
    readonly mayReadStale: boolean,
    private readonly stale: StoredEntry | undefined,
    private readonly fresh: StoredEntry | undefined,
  ) {}
  async getEntry(_id: string, options?: { consistent?: boolean }) {
    const strong = options?.consistent ?? !this.mayReadStale;
    this.reads.push(strong ? 'strong' : 'eventual');
    return strong ? this.fresh : this.stale;
  }
}

const keys = new KeyCache(
  { scope: 'project_id', loadKeys: async (): Promise<KeySet> => ({ keys: [{ id: 'cred_1', secret: SECRET }] }) } satisfies SigningKeySource,
  { ttlMs: 60_000, missRefreshIntervalMs: 5_000, maxStalenessMs: 900_000, maxKnownScopes: 10, maxUnknownScopes: 10, lookups: { ratePerSecond: 10, burst: 20 } },
);
const request = { flow_id: 'flow_1', project_id: 'proj_1', entry_id: 'entry_1', token: computeToken(SECRET, 'entry_1', EXPIRES), expires_at: EXPIRES };
const resume = (entries: EntryReader) => resumeEntry(request, { keys, entries, now: Date.now });

describe('eventually consistent entry reads', () => {
  it('a resume that succeeds costs one eventually consistent read', async () => {
    const entries = new LaggingReader(true, saved, saved);
    await expect(resume(entries)).resolves.toMatchObject({ credentialId: 'cred_1' });
    expect(entries.reads).toEqual(['eventual']);
  });

  it('an entry saved a moment ago, not yet visible to the cheap read, is still found', async () => {
    const entries = new LaggingReader(true, undefined, saved);
    await expect(resume(entries)).resolves.toMatchObject({ entry: { current_page_key: 'page_2' } });
    expect(entries.reads).toEqual(['eventual', 'strong']);
  });

  it('a link minted after revoke-links, whose allowlisting the cheap read missed, still works', async () => {
    const revoked = { ...saved, linksValidAfter: '2026-01-01T00:00:00Z' };
    const entries = new LaggingReader(true, revoked, { ...revoked, allowedLinks: [linkDigest(request.token)] });
    await expect(resume(entries)).resolves.toMatchObject({ credentialId: 'cred_1' });
    expect(entries.reads).toEqual(['eventual', 'strong']);
  });

  it('a refusal is answered only once a strongly consistent read confirms it', async () => {
    const entries = new LaggingReader(true, undefined, undefined);
    await expect(resume(entries)).rejects.toMatchObject({ code: 'entry_not_found' });
    expect(entries.reads).toEqual(['eventual', 'strong']);
    const revoked = { ...saved, linksValidAfter: '2026-01-01T00:00:00Z' };
    await expect(resume(new LaggingReader(true, revoked, revoked))).rejects.toMatchObject({ code: 'link_revoked' });
  });

  it('what the default allows: a revoke-links the cheap read has not seen yet (within about a second) does not bite yet', async () => {
    const entries = new LaggingReader(true, saved, { ...saved, linksValidAfter: '2026-01-01T00:00:00Z' });
    await expect(resume(entries)).resolves.toMatchObject({ credentialId: 'cred_1' });
    const strict = new LaggingReader(false, saved, { ...saved, linksValidAfter: '2026-01-01T00:00:00Z' });
    await expect(resume(strict)).rejects.toMatchObject({ code: 'link_revoked' });
  });

  it('with consistent reads configured, one strong read decides', async () => {
    const entries = new LaggingReader(false, undefined, undefined);
    await expect(resume(entries)).rejects.toMatchObject({ code: 'entry_not_found' });
    expect(entries.reads).toEqual(['strong']);
  });
});

describe('a resume whose save rotation other resumes keep winning', () => {
  const CHROME = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
  const savesKeys = new KeyCache(
    {
      scope: 'project_id',
      loadKeys: async (): Promise<KeySet> => ({ keys: [{ id: 'cred_1', secret: SECRET }], browserSaves: true }),
    } satisfies SigningKeySource,
    {
      ttlMs: 60_000,
      missRefreshIntervalMs: 5_000,
      maxStalenessMs: 900_000,
      maxKnownScopes: 10,
      maxUnknownScopes: 10,
      lookups: { ratePerSecond: 10, burst: 20 },
    },
  );

  it('answers the entry with no save token (one of the others holds it), never a 5xx, after three tries', async () => {
    let attempts = 0;
    // Each try finds the entry rotated again by another resume of the same link (a team's link, which stays valid).
    const rotation = {
      rotateSaveGen: async () => ({ current: { ...saved, saveGen: `gen_${attempts++}` } }),
    };
    const result = await resumeEntry(
      request,
      {
        keys: savesKeys,
        entries: new LaggingReader(false, saved, saved),
        now: Date.now,
        saves: { key: async () => ({ id: 'save', secret: 's'.repeat(64) }), rotation },
      },
      { userAgent: CHROME },
    );
    expect([result.entry, result.saveToken, attempts]).toEqual([{ a: 1, entry_id: 'entry_1', current_page_key: 'page_2' }, undefined, 3]);
  });
});
