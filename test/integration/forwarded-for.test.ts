import { request } from 'node:http';
import { routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { send } from '../attack/support';
import { deleteProject, uid } from '../support/seed';
import { startTestRuntime } from '../support/runtime';

/**
 * The README's promise: only the runtime `npm run load` and `npm run soak` start takes a request's source from
 * `X-Forwarded-For` (sourceFromForwardedFor); a plain `npm start` runtime ignores the header, so the per-source bounds
 * count the socket's address, as behind API Gateway. Seen through the bound of 100 creations an hour per source.
 */
const SITE = 'https://forwarded.example';
/*
 * Both runtimes get the unhurried timeout (startTestRuntime), and with it SDK timeouts that a loaded machine does not outrun: a source's
 * creation log is a compare-and-swap, and an attempt that timed out at the deployed 2 s while the threaded moto still
 * held it could land after the retry and the next creation, writing back the list without that creation's instant
 * (the 101st creation once answered 201).
 */
const projects: string[] = [];
afterAll(async () => {
  for (const projectId of projects) await deleteProject(projectId);
});

/** A creation from a page whose connection comes from `source` and whose X-Forwarded-For claims `claimed`. */
const createFrom = (rt: LocalRuntime, source: string, claimed: string, body: unknown): Promise<{ status: number; code?: string }> =>
  new Promise((resolve, reject) => {
    const text = JSON.stringify(body);
    const url = new URL(`${rt.apiUrl}${routePath('createEntry')}`);
    const headers = { 'content-type': 'application/json', origin: SITE, 'x-forwarded-for': claimed, 'content-length': Buffer.byteLength(text) };
    const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: 'POST', localAddress: source, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, code: (JSON.parse(raw) as { error?: { code?: string } }).error?.code });
      });
    });
    req.on('error', reject);
    req.end(text);
  });

/** 101 creations from one loopback address of this test's own, each claiming another address in X-Forwarded-For. */
const createFromClaimedAddresses = async (rt: LocalRuntime): Promise<{ statuses: number[]; last: { status: number; code?: string } }> => {
  const projectId = uid('proj');
  projects.push(projectId);
  const admin = (method: string, path: string, body: unknown) =>
    send(`${rt.apiUrl}${path}`, JSON.stringify(body), { 'content-type': 'application/json' }, method);
  await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'xff' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE] });
  expect((await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true })).status).toBe(200);
  const statuses: number[] = [];
  const source = `127.${[1, 2, 3].map(() => 1 + Math.floor(Math.random() * 250)).join('.')}`;
  let last: { status: number; code?: string } | undefined;
  for (let i = 0; i < 101; i++) {
    const body = { project_id: projectId, flow_id: 'flow_xff', current_page_key: 'page_1', user_data: {} };
    last = await createFrom(rt, source, `2001:db8:f0f0:${i.toString(16)}::1, 10.0.0.1`, body);
    statuses.push(last.status);
  }
  return { statuses, last: last! };
};

describe('X-Forwarded-For', () => {
  it('is ignored by a runtime started as npm start starts it: 101 creations claiming 101 addresses are one source, the 101st refused', async () => {
    // npm start's options but ports and emulator (local/start.ts): no sourceFromForwardedFor. The bound at its default
    // (the suite raises it: test/setup/test-env.ts).
    const rt = await startTestRuntime({
      settings: { EARLY_RESUME_SECONDS: 0, ENTRIES_PER_SOURCE_HOUR: 100 },
    });
    try {
      const { statuses, last } = await createFromClaimedAddresses(rt);
      expect(statuses.slice(0, 100).every((s) => s === 201)).toBe(true);
      expect([statuses[100], last.code]).toEqual([429, 'too_many_entries']);
    } finally {
      await rt.stop();
    }
  }, 180_000);

  it('is the source for the runtime of npm run load and npm run soak (sourceFromForwardedFor): the same 101 creations are 101 sources', async () => {
    const rt = await startTestRuntime({
      sourceFromForwardedFor: true,
      settings: { ENTRIES_PER_SOURCE_HOUR: 100 },
    });
    try {
      const { statuses } = await createFromClaimedAddresses(rt);
      expect(statuses.every((s) => s === 201)).toBe(true);
    } finally {
      await rt.stop();
    }
  }, 180_000);
});
