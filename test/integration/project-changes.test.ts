/**
 * A change to a project made through the admin routes takes effect at once on the instance that made it, for every
 * route: locally every route runs in one process, so `projects browser-saves enable` and the printed resume agree
 * at once. A change made elsewhere (another instance) takes effect within the key cache TTL.
 */
import { computeToken } from '../../lambdas/domain/token';
import { controlClock } from '../support/clock';
import { errorOf, invoke } from '../support/http';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { lambda, testEnvironment } from '../support/lambdas';

const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '60' });
const admin = await lambda('credentials', env);
const loadEntryData = await lambda('load-entry-data', env);
const saves = await lambda('browser-saves', env);

const SITE = 'https://quiz.example';
const FUTURE = '2099-05-01T00:00:00.000Z';
// Two projects: one changed only through the admin route, one only written to directly. (moto loses track of the
// current version when the two kinds of write are mixed in one secret, which AWS does not.)
const viaAdmin = uid('proj');
const elsewhere = uid('proj');
const flowId = uid('flow');
const signing = { [viaAdmin]: credential(), [elsewhere]: credential() };
const entries = { [viaAdmin]: uid('entry'), [elsewhere]: uid('entry') };
const made: string[] = [];
const clock = controlClock();

beforeAll(async () => {
  for (const projectId of [viaAdmin, elsewhere]) {
    await seedProject(projectId, [signing[projectId]], { allowed_origins: [SITE] });
    await seedEntry({ entryId: entries[projectId], projectId, flowId, currentPageKey: 'page_2', userData: { a: 1 } });
  }
});
afterAll(async () => {
  clock.restore();
  for (const id of [...Object.values(entries), ...made]) await deleteEntry(id);
  for (const projectId of [viaAdmin, elsewhere]) await deleteProject(projectId);
});

/** Whether a resume from the project's page answers a save token (`undefined`: the resume failed). */
const resumeGivesSaveToken = async (projectId: string): Promise<boolean | undefined> => {
  const entryId = entries[projectId];
  const body = {
    flow_id: flowId,
    project_id: projectId,
    entry_id: entryId,
    token: computeToken(signing[projectId].secret, entryId, FUTURE),
    expires_at: FUTURE,
  };
  const reply = await invoke(loadEntryData, loadEntryEvent(body, { origin: SITE }));
  return reply.status === 200 ? 'save_token' in (reply.json as object) : undefined;
};
/** The status of a create from the project's page, and its error code. */
const create = async (projectId: string): Promise<[number, string | undefined]> => {
  const reply = await invoke(
    saves,
    routeEvent('createEntry', {}, { project_id: projectId, flow_id: flowId, current_page_key: 'page_1', user_data: {} }, {}, { origin: SITE }),
  );
  if (reply.status === 201) made.push((reply.json as { entry_id: string }).entry_id);
  return [reply.status, reply.status === 201 ? undefined : errorOf(reply).code];
};
const setBrowserSaves = async (enabled: boolean) => {
  const reply = await invoke(admin, routeEvent('setBrowserSaves', { project_id: viaAdmin }, { enabled }));
  expect([reply.status, reply.json]).toEqual([200, { enabled, sms_countries: [] }]);
};

it('browser saves turned on or off through the admin route: the resume and a create agree at once on this instance', async () => {
  // Both routes hold the project's settings (off) in their key caches.
  expect([await resumeGivesSaveToken(viaAdmin), await create(viaAdmin)]).toEqual([false, [403, 'browser_saves_disabled']]);

  await setBrowserSaves(true);
  expect([await resumeGivesSaveToken(viaAdmin), await create(viaAdmin)]).toEqual([true, [201, undefined]]);

  await setBrowserSaves(false);
  expect([await resumeGivesSaveToken(viaAdmin), await create(viaAdmin)]).toEqual([false, [403, 'browser_saves_disabled']]);
});

it('a credential revoked through the admin route stops verifying at once on this instance', async () => {
  const other = await invoke(admin, routeEvent('createCredential', { project_id: viaAdmin }, { label: 'other', replace: false }));
  registerSensitive((other.json as { secret: string }).secret);
  expect(await resumeGivesSaveToken(viaAdmin)).toBe(false);
  const reply = await invoke(admin, routeEvent('revokeCredential', { project_id: viaAdmin, credential_id: signing[viaAdmin].credential_id }));
  expect(reply.status).toBe(204);
  expect(await resumeGivesSaveToken(viaAdmin)).toBeUndefined();
});

it('a change another instance made (written to the secret directly) takes effect here within the key cache TTL', async () => {
  expect([await resumeGivesSaveToken(elsewhere), await create(elsewhere)]).toEqual([false, [403, 'browser_saves_disabled']]);
  await seedProject(elsewhere, [signing[elsewhere]], { allowed_origins: [SITE], browser_saves: true });
  expect([await resumeGivesSaveToken(elsewhere), await create(elsewhere)]).toEqual([false, [403, 'browser_saves_disabled']]);
  clock.advance(59_999);
  expect(await resumeGivesSaveToken(elsewhere)).toBe(false);
  clock.advance(1);
  expect([await resumeGivesSaveToken(elsewhere), await create(elsewhere)]).toEqual([true, [201, undefined]]);
});
