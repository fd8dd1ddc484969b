import type { EntryReader, KeyProvider, StoredEntry } from '../../lambdas/domain/ports';
import { resumeEntry, resumeLegacyEntry } from '../../lambdas/domain/resume';
import { computeToken } from '../../lambdas/domain/token';

/*
 * The expiry boundary: a link is valid until the instant its expiry names, and
 * not at that instant. Each resume reads the clock once, through `now`.
 */
const SECRET = 'tss_expiry_secret';
const EXPIRES = '2099-01-01T00:00:00Z';
const EXPIRES_MS = Date.parse(EXPIRES);
const saved: StoredEntry = { entryId: 'entry_1', projectId: 'proj_1', flowId: 'flow_1', currentPageKey: 'page_2', userData: { a: 1 } };

/** The project's (or the legacy flow's) one key, already in memory. */
const keys: KeyProvider = {
  lookup: async () => ({ keySet: { keys: [{ id: 'cred_1', secret: SECRET }], projectId: 'proj_1' }, fetched: true }),
  refreshAfterMiss: async () => undefined,
};
const entries: EntryReader = { mayReadStale: false, getEntry: async (id) => (id === saved.entryId ? saved : undefined) };
const token = computeToken(SECRET, 'entry_1', EXPIRES);
const current = (now: number) =>
  resumeEntry({ flow_id: 'flow_1', project_id: 'proj_1', entry_id: 'entry_1', token, expires_at: EXPIRES }, { keys, entries, now: () => now });
const legacy = (now: number) => resumeLegacyEntry({ flow_id: 'flow_1', entry_id: 'entry_1', token, expires: EXPIRES }, { keys, entries, now: () => now });

describe.each([
  ['the current contract', current],
  ['the legacy contract', legacy],
])('a link on %s', (_contract, resume) => {
  it('works one millisecond before its expiry', async () => {
    await expect(resume(EXPIRES_MS - 1)).resolves.toMatchObject({ credentialId: 'cred_1', entry: { entry_id: 'entry_1' } });
  });

  it('is refused at the very millisecond it expires, and after', async () => {
    await expect(resume(EXPIRES_MS)).rejects.toMatchObject({ code: 'token_expired' });
    await expect(resume(EXPIRES_MS + 1)).rejects.toMatchObject({ code: 'token_expired' });
  });
});
