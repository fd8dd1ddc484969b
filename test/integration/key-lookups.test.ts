import { randomBytes } from 'node:crypto';
import { secretsManager } from '../../lambdas/adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { computeToken } from '../../lambdas/domain/token';
import { countCalls } from '../../dev-support/call-counter';
import { controlClock } from '../support/clock';
import { type Handler, errorOf, invoke } from '../support/http';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, seedScenario, uid } from '../support/seed';
import { putProjectSecret } from '../../local/bootstrap';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { routeEvent } from '../fixtures/admin-events';
import { lambda, testEnvironment } from '../support/lambdas';

// The defaults a deployment gets: 60 s TTL, 10 lookups a second with a burst of 20.
const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '60', KEY_LOOKUP_RATE: undefined, KEY_LOOKUP_BURST: undefined });
const current = await lambda('load-entry-data', env);
const legacy = await lambda('legacy-load-entry-data', env);
const saves = await lambda('browser-saves', env);
const linkRequests = await lambda('link-requests', env);

const EXPIRES = '2099-08-01T00:00:00.000Z';
const clock = controlClock();
const sm = countCalls(secretsManager);
afterAll(() => {
  sm.detach();
  clock.restore();
});

const randomId = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;
const currentBody = (projectId: string, token = 'a'.repeat(64)) => ({
  flow_id: 'flow_x',
  project_id: projectId,
  entry_id: 'entry_x',
  token,
  expires_at: EXPIRES,
});
const legacyBody = (flowId: string) => ({ flow_id: flowId, entry_id: 'entry_x', token: 'a'.repeat(64), expires: EXPIRES });

describe.each([
  ['the current contract', (id: string) => invoke(current, loadEntryEvent(currentBody(id))), 'proj'],
  ['the legacy contract', (id: string) => invoke(legacy, functionUrlEvent('POST', '/', legacyBody(id))), 'flow'],
])('unknown ids on %s', (_name, post, prefix) => {
  beforeEach(() => {
    // A full bucket: the window of a previous test has passed.
    clock.advance(60_000);
    sm.reset();
  });

  it('cost one GetSecretValue each, and none again within the TTL', async () => {
    const ids = Array.from({ length: 20 }, () => randomId(prefix));
    for (const id of ids) expect((await post(id)).status).toBe(401);
    expect(sm.calls).toHaveLength(20);
    for (const id of ids) expect(errorOf(await post(id)).code).toBe('invalid_token');
    expect(sm.calls).toHaveLength(20);
  });

  it('are read at most 20 at once and 10 a second after that; past it the answer is 503 with Retry-After and no read', async () => {
    const wrong = await post(randomId(prefix));
    expect(wrong.status).toBe(401);
    sm.reset();
    const replies = [];
    for (let i = 0; i < 200; i++) replies.push(await post(randomId(prefix)));
    // One token was spent on `wrong`.
    expect(replies.slice(0, 19).map((r) => r.json)).toEqual(Array(19).fill(wrong.json));
    for (const reply of replies.slice(19)) {
      expect([reply.status, errorOf(reply).code, reply.headers['retry-after']]).toEqual([503, 'service_unavailable', '1']);
    }
    expect(sm.calls).toHaveLength(19);
    clock.advance(1_000);
    for (let i = 0; i < 50; i++) await post(randomId(prefix));
    expect(sm.calls).toHaveLength(29);
  });
});

it('10,000 unknown ids never evict a busy project: its keys stay cached and it keeps resuming with no read', async () => {
  const s = await seedScenario();
  try {
    const valid = currentBody(s.projectId, computeToken(s.credential.secret, s.entryId, EXPIRES));
    const body = { ...valid, flow_id: s.flowId, entry_id: s.entryId };
    expect((await invoke(current, loadEntryEvent(body))).status).toBe(200);
    sm.reset();
    for (let i = 0; i < 10_000; i++) {
      // Spread over 50 s of the clock, so the bucket lets 20 + 10 × 50 of them be read.
      if (i % 200 === 0) clock.advance(1_000);
      await invoke(current, loadEntryEvent(currentBody(randomId('proj'))));
    }
    expect(sm.calls.length).toBeLessThanOrEqual(20 + 10 * 50);
    const reads = sm.calls.length;
    expect((await invoke(current, loadEntryEvent(body))).status).toBe(200);
    expect(sm.calls).toHaveLength(reads);
  } finally {
    await s.cleanup();
  }
}, 120_000);

it('a legacy flow with a key costs its two reads (the key, and its project for the allowed origins) once per TTL', async () => {
  const s = await seedScenario();
  const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);
  const flowKey = `legacy-${uid('k')}`;
  await store.put(s.flowId, s.projectId, flowKey, new Date());
  try {
    clock.advance(60_000);
    sm.reset();
    const body = { flow_id: s.flowId, entry_id: s.entryId, token: computeToken(flowKey, s.entryId, EXPIRES), expires: EXPIRES };
    for (let i = 0; i < 5; i++) expect((await invoke(legacy, functionUrlEvent('POST', '/', body))).status).toBe(200);
    expect(sm.calls).toEqual(['GetSecretValueCommand', 'GetSecretValueCommand']);
  } finally {
    await store.retire(s.flowId);
    await s.cleanup();
  }
});

describe('a flood of unknown project ids (issue 26, item 5)', () => {
  beforeEach(() => {
    clock.advance(60_000);
    sm.reset();
  });

  it('never turns a valid link of a project in the project index into a refusal: 30 random ids spend the bound, then the link answers 200', async () => {
    const s = await seedScenario();
    try {
      const body = { ...currentBody(s.projectId, computeToken(s.credential.secret, s.entryId, EXPIRES)), flow_id: s.flowId, entry_id: s.entryId };
      const flood = [];
      for (let i = 0; i < 30; i++) flood.push((await invoke(current, loadEntryEvent(currentBody(randomId('proj'))))).status);
      expect(flood.slice(20)).toEqual(Array(10).fill(503));
      // The project was not cached on this instance: its keys are read past the bound, because the index lists it.
      const reply = await invoke(current, loadEntryEvent(body));
      expect(reply.status).toBe(200);
      expect(sm.calls).toHaveLength(20 + 1);
    } finally {
      await s.cleanup();
    }
  });

  it('answers a valid link of a project missing from the index (one that predates it) 503 with Retry-After past the bound, never 401', async () => {
    const projectId = uid('proj');
    const flowId = uid('flow');
    const entryId = uid('entry');
    const key = credential();
    // Written as before the index existed: the secret alone.
    await putProjectSecret(secretsManager, process.env.SECRET_PREFIX as string, { schema_version: 1, project_id: projectId, credentials: [key] });
    await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_1', userData: {} });
    try {
      const body = { ...currentBody(projectId, computeToken(key.secret, entryId, EXPIRES)), flow_id: flowId, entry_id: entryId };
      for (let i = 0; i < 30; i++) await invoke(current, loadEntryEvent(currentBody(randomId('proj'))));
      const limited = await invoke(current, loadEntryEvent(body));
      expect([limited.status, errorOf(limited).code, limited.headers['retry-after']]).toEqual([503, 'service_unavailable', '1']);
      // The retry it asks for, a second later, is read within the bound and resumes.
      clock.advance(1_000);
      expect((await invoke(current, loadEntryEvent(body))).status).toBe(200);
    } finally {
      await deleteEntry(entryId);
      await deleteProject(projectId);
    }
  });
});

describe('a flood of unknown project ids on the page routes (F6): create and link requests read the project index too', () => {
  const SITE = 'https://quiz.example';
  let octet = 0;
  /** A request from a page, from a loopback address of its own so no source bound is reached. */
  const fromPage = (handler: Handler, route: 'createEntry' | 'linkRequests', path: Record<string, string>, body: unknown) => {
    const event = routeEvent(route, path, body, {}, { origin: SITE });
    const sourceIp = `127.9.${Math.floor(Math.random() * 250)}.${(++octet % 250) + 1}`;
    return invoke(handler, { ...event, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, sourceIp } } });
  };
  const createBody = (projectId: string) => ({ project_id: projectId, flow_id: 'flow_x', current_page_key: 'page_1', user_data: { step: 1 } });
  /** A project in the index (as the credentials route makes one) with browser saves on, not yet cached by any instance. */
  const savesProject = async () => {
    const projectId = uid('proj');
    await seedProject(projectId, [credential()], { allowed_origins: [SITE], browser_saves: true });
    return projectId;
  };

  beforeEach(() => {
    clock.advance(60_000);
    sm.reset();
  });

  it('a create for a real project answers 201 after 30 random ids spent the lookup bound (the random ones past it 503)', async () => {
    const projectId = await savesProject();
    const entries: string[] = [];
    try {
      const flood = [];
      for (let i = 0; i < 30; i++) flood.push((await fromPage(saves, 'createEntry', {}, createBody(randomId('proj')))).status);
      expect(flood.slice(20)).toEqual(Array(10).fill(503));

      const reply = await fromPage(saves, 'createEntry', {}, { ...createBody(projectId), flow_id: uid('flow') });

      expect(reply.status).toBe(201);
      entries.push((reply.json as { entry_id: string }).entry_id);
    } finally {
      for (const entryId of entries) await deleteEntry(entryId);
      await deleteProject(projectId);
    }
  });

  it('a link request for a real project answers 202 after 30 random ids spent the lookup bound (the random ones past it 503)', async () => {
    const projectId = await savesProject();
    const flowId = uid('flow');
    const created = await fromPage(saves, 'createEntry', {}, { ...createBody(projectId), flow_id: flowId });
    expect(created.status).toBe(201);
    const { entry_id: entryId, save_token: saveToken } = created.json as { entry_id: string; save_token: string };
    try {
      const flood = [];
      for (let i = 0; i < 30; i++) {
        const body = { project_id: randomId('proj'), flow_id: flowId, save_token: saveToken, channel: 'email' };
        flood.push((await fromPage(linkRequests, 'linkRequests', { entry_id: entryId }, body)).status);
      }
      expect(flood.slice(20)).toEqual(Array(10).fill(503));

      const reply = await fromPage(
        linkRequests,
        'linkRequests',
        { entry_id: entryId },
        { project_id: projectId, flow_id: flowId, save_token: saveToken, channel: 'email' },
      );

      expect(reply.status).toBe(202);
    } finally {
      await deleteEntry(entryId);
      await deleteProject(projectId);
    }
  });
});
