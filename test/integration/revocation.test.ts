import { secretsManager } from '../../lambdas/adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { computeToken } from '../../lambdas/domain/token';
import { controlClock } from '../support/clock';
import { errorOf, invoke } from '../support/http';
import { credential, seedProject, seedScenario, uid } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { lambda, testEnvironment } from '../support/lambdas';

// The default key cache TTL, crossed by moving the clock rather than by waiting.
const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '60' });
const handler = await lambda('load-entry-data', env);
const legacy = await lambda('legacy-load-entry-data', env);
const legacyKeys = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);
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

it('a retired legacy key keeps verifying only until the key cache expires, then fails', async () => {
  const s = await seedScenario();
  const legacyKey = `legacy-${uid('k')}`;
  await legacyKeys.put(s.flowId, s.projectId, legacyKey, new Date());
  try {
    const body = { flow_id: s.flowId, entry_id: s.entryId, token: computeToken(legacyKey, s.entryId, FUTURE), expires: FUTURE };
    const post = () => invoke(legacy, functionUrlEvent('POST', '/', body));
    expect((await post()).status).toBe(200);

    await legacyKeys.retire(s.flowId);
    expect((await post()).status).toBe(200);
    clock.advance(59_999);
    expect((await post()).status).toBe(200);
    clock.advance(1);
    const reply = await post();
    expect([reply.status, errorOf(reply).code]).toEqual([401, 'invalid_token']);
  } finally {
    await s.cleanup();
  }
});

it("a project's changed origin list reaches load-entry-data within the key cache TTL", async () => {
  const s = await seedScenario();
  try {
    const body = {
      flow_id: s.flowId,
      project_id: s.projectId,
      entry_id: s.entryId,
      token: computeToken(s.credential.secret, s.entryId, FUTURE),
      expires_at: FUTURE,
    };
    const from = (origin: string) => invoke(handler, loadEntryEvent(body, { origin }));
    expect((await from('https://other.example')).status).toBe(200);

    await seedProject(s.projectId, [s.credential], { allowed_origins: ['https://quiz.example'] });
    expect((await from('https://other.example')).status).toBe(200);
    clock.advance(59_999);
    expect((await from('https://other.example')).status).toBe(200);
    clock.advance(1);
    const refused = await from('https://other.example');
    expect([refused.status, errorOf(refused).code]).toEqual([403, 'forbidden']);
    expect((await from('https://quiz.example')).status).toBe(200);
  } finally {
    await s.cleanup();
  }
});
