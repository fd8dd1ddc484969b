import { countCalls } from '../../dev-support/call-counter';
import { secretsManager } from '../../lambdas/adapters/clients';
import { errorOf, invoke } from '../support/http';
import { seedScenario } from '../support/seed';
import { computeToken } from '../../lambdas/domain/token';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { lambda, testEnvironment } from '../support/lambdas';

// Origins are cached with the keys; no cache here so a change shows at once.
const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '0' });
const credentials = await lambda('credentials', env);
const loadEntryData = await lambda('load-entry-data', env);

const FUTURE = '2099-08-01T00:00:00Z';

it('a project restricts which web origins may call load-entry-data, and falls back to the deployment list', async () => {
  const s = await seedScenario();
  try {
    const body = {
      flow_id: s.flowId,
      project_id: s.projectId,
      entry_id: s.entryId,
      token: computeToken(s.credential.secret, s.entryId, FUTURE),
      expires_at: FUTURE,
    };
    const from = (origin?: string) => invoke(loadEntryData, loadEntryEvent(body, { origin }));

    expect((await invoke(credentials, routeEvent('getAllowedOrigins', { project_id: s.projectId }))).json).toEqual({ allowed_origins: null });
    expect((await from('https://anything.example')).status).toBe(200);

    const set = await invoke(
      credentials,
      routeEvent('setAllowedOrigins', { project_id: s.projectId }, { origins: ['https://quiz.example.com', 'https://*.Brand.example'] }),
    );
    expect(set.status).toBe(200);
    expect(set.json).toEqual({ allowed_origins: ['https://quiz.example.com', 'https://*.brand.example'] });

    // The list is in the project's secret: the one read that fetches the keys fetches it too.
    const sm = countCalls(secretsManager);
    try {
      expect((await from('https://quiz.example.com')).status).toBe(200);
      expect(sm.calls).toEqual(['GetSecretValueCommand']);
    } finally {
      sm.detach();
    }
    expect((await from('https://shop.brand.example')).status).toBe(200);
    const refused = await from('https://evil.example');
    expect(refused.status).toBe(403);
    expect(errorOf(refused)).toEqual({ code: 'forbidden', message: 'This project does not accept requests from the origin https://evil.example.' });
    expect((await from('https://brand.example')).status).toBe(403);
    // Non-browser callers send no Origin: the list is a browser control, not authentication.
    expect((await from(undefined)).status).toBe(200);

    // Keys survive an origins change, and origins survive a credential change.
    await invoke(credentials, routeEvent('createCredential', { project_id: s.projectId }, { label: 'more', replace: false }));
    expect((await invoke(credentials, routeEvent('getAllowedOrigins', { project_id: s.projectId }))).json).toEqual({
      allowed_origins: ['https://quiz.example.com', 'https://*.brand.example'],
    });

    const cleared = await invoke(credentials, routeEvent('clearAllowedOrigins', { project_id: s.projectId }));
    expect(cleared.json).toEqual({ allowed_origins: null });
    expect((await from('https://evil.example')).status).toBe(200);
  } finally {
    await s.cleanup();
  }
});

it.each([
  [{ origins: [] }, 'origins must list 1 to 50'],
  [{ origins: ['https://a.example/path'] }, 'origins must list'],
  [{ origins: ['ftp://a.example'] }, 'origins must list'],
  [{ origins: 'https://a.example' }, 'origins must be of type array'],
])('refuses %j', async (body, message) => {
  const reply = await invoke(credentials, routeEvent('setAllowedOrigins', { project_id: 'proj_x' }, body));
  expect(reply.status).toBe(400);
  expect(errorOf(reply).message).toContain(message);
});

it.each(['https://*.com', 'https://*.vercel.app', 'https://*.co.uk'])(
  "refuses %s, a wildcard over a public suffix (other people's sites), with 400 and stores nothing",
  async (wildcard) => {
    const s = await seedScenario();
    try {
      const project = { project_id: s.projectId };
      expect((await invoke(credentials, routeEvent('setAllowedOrigins', project, { origins: ['https://quiz.example.com'] }))).status).toBe(200);
      const reply = await invoke(credentials, routeEvent('setAllowedOrigins', project, { origins: ['https://quiz.example.com', wildcard] }));
      expect(reply.status).toBe(400);
      const rest = wildcard.slice('https://*.'.length);
      expect(errorOf(reply)).toEqual({
        code: 'invalid_request',
        message: `Invalid request: origins: ${wildcard} would match every site under ${rest}, a public suffix others register names under: list your own domain instead, such as https://*.your-site.${rest}.`,
      });
      expect((await invoke(credentials, routeEvent('getAllowedOrigins', project))).json).toEqual({ allowed_origins: ['https://quiz.example.com'] });
    } finally {
      await s.cleanup();
    }
  },
);

it('takes a wildcard under a name the team registered on a public suffix (https://*.quiz.vercel.app)', async () => {
  const s = await seedScenario();
  try {
    const reply = await invoke(credentials, routeEvent('setAllowedOrigins', { project_id: s.projectId }, { origins: ['https://*.quiz.vercel.app'] }));
    expect(reply.json).toEqual({ allowed_origins: ['https://*.quiz.vercel.app'] });
  } finally {
    await s.cleanup();
  }
});
