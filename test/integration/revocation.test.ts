import { computeToken } from '../../lambdas/shared/token';
import type { Handler } from '../support/http';
import { errorOf, invoke } from '../support/http';
import { credential, seedProject, seedScenario } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';

// A one-second key cache, so the revocation window can be observed end to end.
process.env.KEY_CACHE_TTL_SECONDS = '1';
const { handler } = (await import('../../lambdas/load-entry-data/index')) as { handler: Handler };

const FUTURE = '2099-06-01T00:00:00Z';

it('a revoked credential keeps verifying only until the key cache expires, then fails', async () => {
  const s = await seedScenario();
  try {
    const body = {
      flow_id: s.flowId,
      project_id: s.projectId,
      entry_id: s.entryId,
      token: computeToken(s.credential.secret, s.entryId, FUTURE),
      expires_at: FUTURE,
    };
    expect((await invoke(handler, loadEntryEvent(body))).status).toBe(200);

    await seedProject(s.projectId, [credential({ label: 'replacement' })]);
    // Within the cache TTL the old key is still in memory: this is the documented window.
    expect((await invoke(handler, loadEntryEvent(body))).status).toBe(200);

    await new Promise((r) => setTimeout(r, 1100));
    const reply = await invoke(handler, loadEntryEvent(body));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
  } finally {
    await s.cleanup();
  }
});
