import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { ENTRY_TABLE, PROJECT_INDEX_ATTRIBUTE, PROJECT_INDEX_KEY } from '../../lambdas/adapters/naming';
import { computeToken } from '../../lambdas/domain/token';
import { countCalls } from '../../dev-support/call-counter';
import { controlClock } from '../support/clock';
import { errorOf, invoke } from '../support/http';
import { deleteEntry, deleteProject, seedEntry, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { lambda, testEnvironment } from '../support/lambdas';

// A deployment whose every project is in the project index (projectIndexComplete), with the default key cache.
const env = testEnvironment({ PROJECT_INDEX_COMPLETE: 'true', KEY_LOOKUP_RATE: undefined, KEY_LOOKUP_BURST: undefined });
const credentials = await lambda('credentials', env);
const current = await lambda('load-entry-data', env);

const EXPIRES = '2099-08-01T00:00:00.000Z';
const clock = controlClock();
const sm = countCalls(secretsManager);
const ddb = countCalls(dynamodb);
afterAll(() => {
  sm.detach();
  ddb.detach();
  clock.restore();
});

const unknownBody = () => ({ flow_id: 'flow_x', project_id: uid('proj'), entry_id: 'entry_x', token: 'a'.repeat(64), expires_at: EXPIRES });

/** A project made through the credentials route, as a team makes one, with one entry; its link's body. */
const project = async () => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const reply = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'index test' }));
  expect(reply.status).toBe(201);
  const { secret } = reply.json as { secret: string };
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_1', userData: {} });
  const body = { flow_id: flowId, project_id: projectId, entry_id: entryId, token: computeToken(secret, entryId, EXPIRES), expires_at: EXPIRES };
  return { projectId, body, cleanup: async () => Promise.all([deleteEntry(entryId), deleteProject(projectId)]) };
};

const indexed = async (): Promise<string[]> => {
  const { Item } = await dynamodb.send(
    new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { [ENTRY_TABLE.partitionKey]: { S: PROJECT_INDEX_KEY } }, ConsistentRead: true }),
  );
  return Item?.[PROJECT_INDEX_ATTRIBUTE]?.SS ?? [];
};

beforeEach(() => {
  // Past the TTL and the miss-refresh interval of whatever came before.
  clock.advance(60_000);
});

it("every write to a project's secret lists the project in the index: create, revoke, origins, browser saves", async () => {
  const ids = [uid('proj'), uid('proj'), uid('proj'), uid('proj')];
  try {
    const created = await invoke(credentials, routeEvent('createCredential', { project_id: ids[0] }, { label: 'a' }));
    expect(created.status).toBe(201);
    const credentialId = (created.json as { credential: { credential_id: string } }).credential.credential_id;
    expect((await invoke(credentials, routeEvent('revokeCredential', { project_id: ids[0], credential_id: credentialId }))).status).toBe(204);
    expect((await invoke(credentials, routeEvent('setAllowedOrigins', { project_id: ids[1] }, { origins: ['https://quiz.example'] }))).status).toBe(200);
    expect((await invoke(credentials, routeEvent('clearAllowedOrigins', { project_id: ids[2] }))).status).toBe(200);
    expect((await invoke(credentials, routeEvent('setBrowserSaves', { project_id: ids[3] }, { enabled: false }))).status).toBe(200);
    expect(await indexed()).toEqual(expect.arrayContaining(ids));
  } finally {
    for (const id of ids) await deleteProject(id).catch(() => undefined);
  }
});

it('unknown ids cost no Secrets Manager read, and the index is read again at most once per miss-refresh interval', async () => {
  const p = await project();
  try {
    // A warm instance: it has read the index (and this project's keys).
    expect((await invoke(current, loadEntryEvent(p.body))).status).toBe(200);
    sm.reset();
    ddb.reset();
    for (let i = 0; i < 200; i++) {
      const reply = await invoke(current, loadEntryEvent(unknownBody()));
      expect([reply.status, errorOf(reply).code]).toEqual([401, 'invalid_token']);
    }
    expect(sm.calls).toEqual([]);
    // The index was read a moment ago: no read at all within the interval.
    expect(ddb.calls).toEqual([]);
    clock.advance(5_000);
    for (let i = 0; i < 200; i++) await invoke(current, loadEntryEvent(unknownBody()));
    expect(ddb.calls).toEqual(['GetItemCommand']);
    expect(sm.calls).toEqual([]);
  } finally {
    await p.cleanup();
  }
});

it('a flood of random ids, then a valid link of a project this instance has not cached: 200', async () => {
  const warm = await project();
  const p = await project();
  try {
    expect((await invoke(current, loadEntryEvent(warm.body))).status).toBe(200);
    for (let i = 0; i < 1000; i++) expect((await invoke(current, loadEntryEvent(unknownBody()))).status).toBe(401);
    sm.reset();
    // Created before the flood, so in the index this instance read: its keys are read with no bound.
    expect((await invoke(current, loadEntryEvent(p.body))).status).toBe(200);
    expect(sm.calls).toEqual(['GetSecretValueCommand']);
  } finally {
    await Promise.all([warm.cleanup(), p.cleanup()]);
  }
});

it('a project created after the instance read the index verifies there once the miss-refresh interval has passed', async () => {
  const warm = await project();
  try {
    expect((await invoke(current, loadEntryEvent(warm.body))).status).toBe(200);
    const p = await project();
    try {
      clock.advance(5_000);
      expect((await invoke(current, loadEntryEvent(p.body))).status).toBe(200);
    } finally {
      await p.cleanup();
    }
  } finally {
    await warm.cleanup();
  }
});
