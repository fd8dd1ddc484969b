/** `allowed_origins` is the one name of a project's origin list, in the answers and in the PUT body (`origins`, its older name, is still taken). */
import { errorOf, type Handler, invoke } from '../support/http';
import { deleteProject, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';

const credentials = ((await import('../../lambdas/credentials/index')) as { handler: Handler }).handler;
const projectId = uid('proj');
afterAll(async () => {
  await deleteProject(projectId).catch(() => undefined);
});

const put = (body: unknown) => invoke(credentials, routeEvent('setAllowedOrigins', { project_id: projectId }, body));
const get = () => invoke(credentials, routeEvent('getAllowedOrigins', { project_id: projectId }));

it('GET answers the name PUT takes: allowed_origins, null before the project has a list', async () => {
  expect([(await get()).status, (await get()).json]).toEqual([200, { allowed_origins: null }]);
  const set = await put({ allowed_origins: ['https://quiz.example'] });
  expect([set.status, set.json]).toEqual([200, { allowed_origins: ['https://quiz.example'] }]);
  expect((await get()).json).toEqual({ allowed_origins: ['https://quiz.example'] });
});

it('still takes origins, the older name', async () => {
  const set = await put({ origins: ['https://older.example'] });
  expect([set.status, set.json]).toEqual([200, { allowed_origins: ['https://older.example'] }]);
});

it.each([
  ['neither name', {}],
  ['both names', { allowed_origins: ['https://a.example'], origins: ['https://b.example'] }],
])('refuses %s with 400, naming allowed_origins', async (_what, body) => {
  const reply = await put(body);
  expect([reply.status, errorOf(reply)]).toEqual([
    400,
    {
      code: 'invalid_request',
      message:
        'Invalid request: allowed_origins is required (or origins, its older name, but not both) and must list 1 to 50 origins such as https://www.example.com or https://*.example.com.',
    },
  ]);
});

it('explains a bad list under the name it was sent with', async () => {
  const reply = await put({ allowed_origins: ['ftp://a.example'] });
  expect([reply.status, errorOf(reply).message]).toEqual([400, expect.stringMatching(/^Invalid request: allowed_origins must list 1 to 50 origins/)]);
});
