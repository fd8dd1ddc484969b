import { CreateSecretCommand, DeleteSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { mintSaveToken, saveGenOf } from '../../lambdas/domain/save-token';
import { SAVE_KEY_SCOPE } from '../../lambdas/domain/saves';
import { STALE_KEYS_SERVED } from '../../lambdas/runtime/log-schema';
import { captureLogRecords } from '../support/capture-lines';
import { errorOf, invoke } from '../support/http';
import { controlClock } from '../support/clock';
import { credential, deleteEntry, deleteProject, secrets, seedProject, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { lambda, testEnvironment } from '../support/lambdas';

// A save key of this file's own, so rotating it disturbs no other test.
const SAVE_KEY = `session-recovery-test/save-key-rotation-${uid('k')}`;
const K1 = 'k1'.repeat(20);
const K2 = 'k2'.repeat(20);
await secrets.send(new CreateSecretCommand({ Name: SAVE_KEY, SecretString: JSON.stringify({ current: K1 }) }));
const env = testEnvironment({ SAVE_KEY_SECRET: SAVE_KEY, KEY_CACHE_TTL_SECONDS: '60' });
const saves = await lambda('browser-saves', env);

const SITE = 'https://quiz.example';
const projectId = uid('proj');
const flowId = uid('flow');
const clock = controlClock();
beforeAll(async () => {
  await seedProject(projectId, [credential()], { allowed_origins: [SITE], browser_saves: true });
});
afterAll(async () => {
  clock.restore();
  for (const entryId of made) await deleteEntry(entryId);
  await deleteProject(projectId);
  await secrets.send(new DeleteSecretCommand({ SecretId: SAVE_KEY, ForceDeleteWithoutRecovery: true }));
});

const page = { origin: SITE };
const draft = { project_id: projectId, flow_id: flowId, current_page_key: 'page_1', user_data: { a: 1 } };
const made: string[] = [];
const create = async () => {
  const reply = await invoke(saves, routeEvent('createEntry', {}, draft, {}, page));
  expect(reply.status).toBe(201);
  const entry = reply.json as { entry_id: string; save_token: string };
  made.push(entry.entry_id);
  return entry;
};
let seq = 0;
const save = (entry: { entry_id: string }, token: string) =>
  invoke(saves, routeEvent('saveProgress', { entry_id: entry.entry_id }, { ...draft, save_token: token, seq: ++seq }, {}, page));
const setKey = (doc: object) => secrets.send(new PutSecretValueCommand({ SecretId: SAVE_KEY, SecretString: JSON.stringify(doc) }));

it('rotates with an overlap: tokens signed with either key verify while both are listed, and only the current one after', async () => {
  const old = await create();
  await setKey({ current: K2, previous: K1 });
  // Within the key cache TTL this instance still signs with K1; past it, it reads both keys and signs with K2.
  clock.advance(60_000);
  const fresh = await create();
  expect(fresh.save_token).not.toBe(old.save_token);
  expect((await save(old, old.save_token)).status).toBe(200);
  expect((await save(fresh, fresh.save_token)).status).toBe(200);

  await setKey({ current: K2 });
  clock.advance(60_000);
  const refused = await save(old, old.save_token);
  expect([refused.status, errorOf(refused).code]).toEqual([401, 'invalid_save_token']);
  expect((await save(fresh, fresh.save_token)).status).toBe(200);
});

it('a token signed with a save key this instance has not read yet makes it re-read the key at once, at most once per miss-refresh interval', async () => {
  // This instance holds K2, read in the test above.
  const entry = await create();
  const claims = { projectId, flowId, entryId: entry.entry_id, gen: saveGenOf(entry.save_token)! };
  const K3 = 'k3'.repeat(20);
  const K4 = 'k4'.repeat(20);
  // Another instance has read the rotated key and signed the page's token with it.
  await setKey({ current: K3, previous: K2 });
  expect((await save(entry, mintSaveToken({ id: 'current', secret: K3 }, claims))).status).toBe(200);

  await setKey({ current: K4, previous: K3 });
  const signedWithK4 = mintSaveToken({ id: 'current', secret: K4 }, claims);
  clock.advance(4_999);
  const refused = await save(entry, signedWithK4);
  expect([refused.status, errorOf(refused).code]).toEqual([401, 'invalid_save_token']);
  clock.advance(1);
  expect((await save(entry, signedWithK4)).status).toBe(200);
});

it("a project's changed origins reach browser saves within the key cache TTL", async () => {
  // Past the TTL, so that this instance reads the project's settings afresh with the first create.
  clock.advance(60_000);
  const entry = await create();
  await seedProject(projectId, [credential()], { allowed_origins: ['https://new.example'], browser_saves: true });
  clock.advance(59_999);
  expect((await save(entry, entry.save_token)).status).toBe(200);
  clock.advance(1);
  const refused = await save(entry, entry.save_token);
  expect([refused.status, errorOf(refused).code]).toEqual([403, 'forbidden']);

  await seedProject(projectId, [credential()], { allowed_origins: [SITE], browser_saves: true });
  clock.advance(60_000);
});

it('turning browser saves off reaches each instance within the key cache TTL', async () => {
  const entry = await create();
  await seedProject(projectId, [credential()], { allowed_origins: [SITE], browser_saves: false });
  expect((await save(entry, entry.save_token)).status).toBe(200);
  clock.advance(60_000);
  const refused = await save(entry, entry.save_token);
  expect([refused.status, errorOf(refused).code]).toEqual([403, 'browser_saves_disabled']);
});

it('a token signed with a new key verifies at once on an instance that still holds the old one: it re-reads the key after a token fails', async () => {
  await seedProject(projectId, [credential()], { allowed_origins: [SITE], browser_saves: true });
  await setKey({ current: K2 });
  clock.advance(60_000);
  const entry = await create();
  const K3 = 'k3'.repeat(20);
  await setKey({ current: K3, previous: K2 });
  // Another instance, which read the key after the rotation, gave the page this token.
  const token = mintSaveToken({ id: 'current', secret: K3 }, { projectId, flowId, entryId: entry.entry_id, gen: saveGenOf(entry.save_token)! });
  expect((await save(entry, token)).status).toBe(200);
});

it('never signs with a save key shorter than 32 characters (the instance keeps the key it had), and signs with one of 32', async () => {
  await seedProject(projectId, [credential()], { allowed_origins: [SITE], browser_saves: true });
  await setKey({ current: K2 });
  clock.advance(60_000);
  await create();
  const signedWith = (key: string, entry: { entry_id: string; save_token: string }) =>
    mintSaveToken({ id: 'current', secret: key }, { projectId, flowId, entryId: entry.entry_id, gen: saveGenOf(entry.save_token)! });
  for (const [key, used] of [
    ['k'.repeat(31), K2],
    ['k'.repeat(32), 'k'.repeat(32)],
  ]) {
    await setKey({ current: key });
    clock.advance(60_000);
    let entry: Awaited<ReturnType<typeof create>> | undefined;
    const lines = await captureLogRecords(async () => (entry = await create()));
    expect(entry!.save_token).toBe(signedWith(used, entry!));
    // The short key is not read as one: the warning names the error, so it is not taken for an outage, and keeps the request's project.
    const stale = lines.filter((l) => l.message === STALE_KEYS_SERVED);
    expect(stale.map((l) => [l.secret, l.project_id, l.error_name])).toEqual(used === K2 ? [[SAVE_KEY_SCOPE, projectId, 'CorruptSecretError']] : []);
  }
  await setKey({ current: K2 });
});
