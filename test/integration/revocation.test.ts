import { computeToken } from '../../lambdas/domain/token';
import { controlClock } from '../support/clock';
import type { Handler } from '../support/http';
import { errorOf, invoke } from '../support/http';
import { credential, seedProject, seedScenario } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';

// The default key cache TTL, crossed by moving the clock rather than by waiting.
process.env.KEY_CACHE_TTL_SECONDS = '60';
const { handler } = (await import('../../lambdas/load-entry-data/index')) as { handler: Handler };
const clock = controlClock();
afterAll(() => clock.restore());

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

    clock.advance(59_999);
    expect((await invoke(handler, loadEntryEvent(body))).status).toBe(200);
    clock.advance(1);
    const reply = await invoke(handler, loadEntryEvent(body));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
  } finally {
    await s.cleanup();
  }
});

it('a newly created credential verifies at once, unless a failed token made this instance refetch within the last miss-refresh interval (5 s)', async () => {
  const s = await seedScenario();
  try {
    const body = (secret: string) => ({
      flow_id: s.flowId,
      project_id: s.projectId,
      entry_id: s.entryId,
      token: computeToken(secret, s.entryId, FUTURE),
      expires_at: FUTURE,
    });
    expect((await invoke(handler, loadEntryEvent(body(s.credential.secret)))).status).toBe(200);
    clock.advance(10_000);

    const second = credential({ label: 'second' });
    await seedProject(s.projectId, [s.credential, second]);
    // The key cache still holds the old set: the miss refetches it, once.
    expect((await invoke(handler, loadEntryEvent(body(second.secret)))).status).toBe(200);

    const third = credential({ label: 'third' });
    await seedProject(s.projectId, [s.credential, second, third]);
    clock.advance(4_999);
    expect(errorOf(await invoke(handler, loadEntryEvent(body(third.secret)))).code).toBe('invalid_token');
    clock.advance(1);
    expect((await invoke(handler, loadEntryEvent(body(third.secret)))).status).toBe(200);
  } finally {
    await s.cleanup();
  }
});
