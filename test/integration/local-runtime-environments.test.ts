import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import path from 'node:path';
import { uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';

/*
 * Staging and production in one account (README): two local runtimes, each as
 * `npm start` runs it with DEPLOYMENT_ENVIRONMENT set, against this test run's
 * one emulator. By default each has its own secrets, table and bus; with a
 * secret prefix set alike, each keeps its own credentials and the project's
 * settings stay with the environment that created its secret.
 */

const root = path.join(import.meta.dirname, '..', '..');
const start = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split('&&')
  .at(-1)!
  .trim()
  .split(' ');
const [, ...START_ARGS] = start;

const freePort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

interface Runtime {
  readonly api: string;
  readonly child: ChildProcessWithoutNullStreams;
}

/** `npm start` for one environment; resolves once it prints that it is running. */
const startRuntime = async (environment: string, extra: Record<string, string> = {}): Promise<Runtime> => {
  const [port, legacyPort] = [await freePort(), await freePort()];
  const child = spawn(
    process.execPath,
    START_ARGS.map((a, i) => (i === START_ARGS.length - 1 ? path.join(root, a) : a)),
    {
      cwd: root,
      // What the test setup set for the in-process Lambdas is emptied: each runtime derives its own names.
      env: {
        ...process.env,
        PORT: String(port),
        LEGACY_PORT: String(legacyPort),
        DEPLOYMENT_ENVIRONMENT: environment,
        SECRET_PREFIX: '',
        TABLE_NAME: '',
        EVENT_BUS_NAME: '',
        SAVE_KEY_SECRET: '',
        ...extra,
      },
    },
  );
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes('Press Ctrl-C to stop.')) resolve();
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => reject(new Error(`npm start (${environment}) exited ${code}: ${out}`)));
  });
  return { api: `http://127.0.0.1:${port}`, child };
};
const stopRuntime = async (r: Runtime | undefined) => {
  if (!r || r.child.exitCode !== null) return;
  const exited = once(r.child, 'exit');
  r.child.kill('SIGTERM');
  await exited;
};

const call = async (r: Runtime, method: string, route: string, body?: unknown) => {
  const res = await fetch(`${r.api}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
};

/** A project with a credential, an entry and a link in one environment. */
const setUp = async (r: Runtime, projectId: string, entryId: string) => {
  const created = await call(r, 'POST', `/v1/projects/${projectId}/credentials`, { label: 'main' });
  expect(created.status).toBe(201);
  registerSensitive(created.body!.secret);
  const origins = await call(r, 'PUT', `/v1/projects/${projectId}/allowed-origins`, { allowed_origins: ['https://www.example.com'] });
  expect(origins.status).toBe(200);
  const put = await call(r, 'PUT', `/v1/entries/${entryId}`, {
    project_id: projectId,
    flow_id: 'flow_1',
    current_page_key: 'page_2',
    user_data: { plan: 'team' },
  });
  expect(put.status).toBeLessThan(300);
  const minted = await call(r, 'POST', '/v1/tokens', { project_id: projectId, entry_id: entryId });
  expect(minted.status).toBe(200);
  registerSensitive(minted.body!.token);
  return { credentialId: (created.body!.credential as { credential_id: string }).credential_id, link: minted.body as { token: string; expires_at: string } };
};
const resume = (r: Runtime, projectId: string, entryId: string, link: { token: string; expires_at: string }) =>
  call(r, 'POST', '/v1/load-entry-data', { flow_id: 'flow_1', project_id: projectId, entry_id: entryId, token: link.token, expires_at: link.expires_at });

describe.each([
  ['by default (each environment its own secret prefix, table and bus)', {}],
  ['with one secret prefix for both (a project secret shared)', { SECRET_PREFIX: `shared-${uid('p')}/` }],
])('staging and production against one emulator, %s', (_how, extra: Record<string, string>) => {
  let production: Runtime | undefined;
  let staging: Runtime | undefined;
  beforeAll(async () => {
    [production, staging] = await Promise.all([startRuntime('production', extra), startRuntime('staging', extra)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([stopRuntime(production), stopRuntime(staging)]);
  });

  it("credentials, origins, browser saves and links of one never affect the other's", async () => {
    const [p, s] = [production!, staging!];
    const projectId = uid('proj');
    const entryId = uid('entry');
    // Production first: with one prefix, it creates the project's secret, so the project's settings are its own.
    const prod = await setUp(p, projectId, entryId);
    const stag = await setUp(s, projectId, entryId).catch(() => undefined);

    // Staging cannot revoke production's credential: it is not one of staging's (404).
    expect((await call(s, 'DELETE', `/v1/projects/${projectId}/credentials/${prod.credentialId}`)).status).toBe(404);
    // Nor change production's origins or browser saves.
    const evil = await call(s, 'PUT', `/v1/projects/${projectId}/allowed-origins`, { allowed_origins: ['https://evil.example'] });
    const saves = await call(s, 'PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true });
    const cleared = await call(s, 'DELETE', `/v1/projects/${projectId}/allowed-origins`);
    if (extra.SECRET_PREFIX) {
      // One secret: staging's writes to production's settings are refused.
      for (const refused of [evil, saves, cleared])
        expect(refused).toEqual({ status: 409, body: { error: { code: 'conflict', message: expect.stringContaining('"production" environment') } } });
    } else {
      // Secrets of their own: staging changed its own project's settings (and cannot clear the origins its browser saves need), none of production's.
      expect([evil.status, saves.status, cleared.status]).toEqual([200, 200, 409]);
    }
    expect((await call(p, 'GET', `/v1/projects/${projectId}/allowed-origins`)).body).toEqual({ allowed_origins: ['https://www.example.com'] });
    expect((await call(p, 'GET', `/v1/projects/${projectId}/browser-saves`)).body).toEqual({ enabled: false, sms_countries: [] });
    expect((await call(p, 'GET', `/v1/projects/${projectId}/credentials`)).body).toEqual({
      credentials: [expect.objectContaining({ credential_id: prod.credentialId, environment: 'production', status: 'active' })],
    });

    // Production's link opens in production, and is nothing to staging.
    expect((await resume(p, projectId, entryId, prod.link)).status).toBe(200);
    expect((await resume(s, projectId, entryId, prod.link)).status).toBe(401);
    if (stag) {
      expect((await resume(p, projectId, entryId, stag.link)).status).toBe(401);
      // Staging revoking its own credential leaves production's links working.
      expect((await call(s, 'DELETE', `/v1/projects/${projectId}/credentials/${stag.credentialId}`)).status).toBe(204);
      expect((await resume(p, projectId, entryId, prod.link)).status).toBe(200);
    }
  }, 60_000);
});

it('two runtimes of one secret prefix, started at once, each keep their own demo credential in the shared demo project', async () => {
  const extra = { SECRET_PREFIX: `shared-${uid('d')}/` };
  const [p, s] = await Promise.all([startRuntime('production', extra), startRuntime('staging', extra)]);
  try {
    const listed = await Promise.all(
      [p, s].map(async (r) => (await call(r, 'GET', '/v1/projects/proj_demo/credentials')).body!.credentials as Array<{ environment: string }>),
    );
    expect(listed.map((credentials) => credentials.map((c) => c.environment))).toEqual([['production'], ['staging']]);
  } finally {
    await Promise.all([stopRuntime(p), stopRuntime(s)]);
  }
}, 120_000);
