import { createHash } from 'node:crypto';
import { dynamodb } from '../../lambdas/adapters/clients';
import { secretsManager } from '../../lambdas/adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { countCalls } from '../../dev-support/call-counter';
import { errorOf, invoke } from '../support/http';
import { seedProject, seedScenario, uid, seedEntry, deleteEntry } from '../support/seed';
import { functionUrlEvent, FUNCTION_URL_HOST } from '../fixtures/legacy-events';
import { loadEntryEvent } from '../fixtures/events';
import { lambda, testEnvironment } from '../support/lambdas';

// Revocations and retirements visible at once; the cache window is tested elsewhere.
const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '0' });
const legacy = await lambda('legacy-load-entry-data', env);
const current = await lambda('load-entry-data', env);

const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);
const ddbCalls = countCalls(dynamodb);
const EXPIRES = '2099-07-01T00:00:00.000Z';
/** The seed's formula, computed here without the product's code. */
const sha = (secret: string, entryId: string, expires: string) => createHash('sha256').update(`${secret}---${entryId}---${expires}`).digest('hex');

type Scenario = Awaited<ReturnType<typeof seedScenario>>;
let s: Scenario;
let legacyKey: string;
beforeEach(async () => {
  s = await seedScenario({ favourite: 'blue' });
  legacyKey = `legacy-${uid('k')}`;
  await store.put(s.flowId, s.projectId, legacyKey, new Date());
  ddbCalls.reset();
});
afterEach(async () => {
  await s.cleanup();
  await store.retire(s.flowId);
});

const legacyBody = (overrides: Record<string, unknown> = {}) => ({
  flow_id: s.flowId,
  entry_id: s.entryId,
  token: sha(legacyKey, s.entryId, EXPIRES),
  expires: EXPIRES,
  ...overrides,
});
const post = (body: unknown, headers?: Record<string, string>) => invoke(legacy, functionUrlEvent('POST', '/', body, headers));

describe('the legacy contract', () => {
  it("returns the entry for a token signed with the flow's legacy key, with deprecation headers", async () => {
    const reply = await post(legacyBody());
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ entry: { favourite: 'blue', entry_id: s.entryId, current_page_key: 'page_2' } });
    expect(reply.headers.deprecation).toBe('@1779753600');
    expect(reply.headers.link).toBe(`<https://${FUNCTION_URL_HOST}/migration-guide>; rel="deprecation"; type="text/markdown"`);
    expect(reply.headers.sunset).toBeUndefined();
    expect(ddbCalls.calls).toEqual(['GetItemCommand']);
  });

  it("never answers a save token, even for a browser-saves project's entry, and rotates nothing: one GetItem", async () => {
    await seedProject(s.projectId, [s.credential], { allowed_origins: ['https://quiz.example.com'], browser_saves: true });
    const reply = await post(legacyBody(), { origin: 'https://quiz.example.com' });
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ entry: { favourite: 'blue', entry_id: s.entryId, current_page_key: 'page_2' } });
    expect(ddbCalls.calls).toEqual(['GetItemCommand']);
  });

  it('a wrong token is 401 and never reads the entry', async () => {
    const reply = await post(legacyBody({ token: sha('guess', s.entryId, EXPIRES) }));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
    expect(ddbCalls.calls).toEqual([]);
    expect(reply.headers.deprecation).toBe('@1779753600');
  });

  it('an expired legacy link is 401 token_expired', async () => {
    const past = '2021-01-01T00:00:00Z';
    const reply = await post(legacyBody({ expires: past, token: sha(legacyKey, s.entryId, past) }));
    expect(errorOf(reply).code).toBe('token_expired');
  });

  it('the entry must belong to that flow', async () => {
    const otherFlow = uid('flow');
    const otherEntry = uid('entry');
    await seedEntry({ entryId: otherEntry, projectId: s.projectId, flowId: otherFlow, currentPageKey: 'p', userData: {} });
    try {
      const reply = await post(legacyBody({ entry_id: otherEntry, token: sha(legacyKey, otherEntry, EXPIRES) }));
      expect(reply.status).toBe(404);
      expect(errorOf(reply).code).toBe('entry_not_found');
    } finally {
      await deleteEntry(otherEntry);
    }
  });

  it('a body with expires_at gets a 400 that names the right field', async () => {
    const { expires, ...rest } = legacyBody();
    const reply = await post({ ...rest, expires_at: expires });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain('the legacy endpoint takes "expires"');
  });

  it('a malformed token gets a 400 that names the legacy rule, with no mention of v2 tokens (which legacy does not take)', async () => {
    for (const token of ['xyz', `v2.cred_${'0'.repeat(20)}.${'A'.repeat(43)}`]) {
      const reply = await post(legacyBody({ token }));
      expect([reply.status, errorOf(reply)]).toEqual([400, { code: 'invalid_request', message: 'Invalid request: token must be 64 hexadecimal characters.' }]);
    }
  });

  it('a body with project_id points to the current endpoint', async () => {
    const reply = await post(legacyBody({ project_id: s.projectId }));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain('/v1/load-entry-data');
  });

  it('a retired legacy key stops working', async () => {
    await store.retire(s.flowId);
    expect((await post(legacyBody())).status).toBe(401);
  });

  it('answers the CORS preflight itself, deprecation headers included', async () => {
    const reply = await invoke(
      legacy,
      functionUrlEvent('OPTIONS', '/', undefined, { origin: 'https://site.example', 'access-control-request-method': 'POST' }),
    );
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('*');
    expect(reply.headers.deprecation).toBe('@1779753600');
  });

  it('serves its migration guide, naming the current endpoint', async () => {
    const reply = await invoke(legacy, functionUrlEvent('GET', '/migration-guide'));
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toBe('text/markdown; charset=utf-8');
    expect(reply.raw).toContain('`expires_at`');
    expect(reply.raw).toContain('project_id');
  });

  it('answers 404 on other paths', async () => {
    expect((await invoke(legacy, functionUrlEvent('POST', '/load_entry_data', legacyBody()))).status).toBe(404);
    expect((await invoke(legacy, functionUrlEvent('GET', '/'))).status).toBe(404);
  });
});

describe('key separation', () => {
  it("the legacy endpoint accepts only the flow's imported legacy key", async () => {
    const other = `legacy-${uid('k')}`;
    expect((await post(legacyBody({ token: sha(other, s.entryId, EXPIRES) }))).status).toBe(401);
    const flowWithoutKey = uid('flow');
    const reply = await post(legacyBody({ flow_id: flowWithoutKey, token: sha(legacyKey, s.entryId, EXPIRES) }));
    expect(reply.status).toBe(401);
  });

  it('the legacy endpoint never accepts a project Token Signing Secret', async () => {
    const reply = await post(legacyBody({ token: sha(s.credential.secret, s.entryId, EXPIRES) }));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
  });

  it('the current endpoint never accepts a legacy key', async () => {
    const body = { flow_id: s.flowId, project_id: s.projectId, entry_id: s.entryId, token: sha(legacyKey, s.entryId, EXPIRES), expires_at: EXPIRES };
    const reply = await invoke(current, loadEntryEvent(body));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
    // ...while the project's own secret works on the same entry:
    const ok = await invoke(current, loadEntryEvent({ ...body, token: sha(s.credential.secret, s.entryId, EXPIRES) }));
    expect(ok.status).toBe(200);
  });
});

afterAll(() => {
  ddbCalls.detach();
});
