/**
 * `npm start` keeps its data between runs: the moto it starts records, and the next run replays the last run's
 * writes (local/local-data.ts). These runtimes start moto emulators of their own, as `npm start` does.
 */
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { recordingFile } from '../../local/local-data';
import { freePort } from '../../local/moto';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';

const dir = mkdtempSync(path.join(tmpdir(), 'sr-local-data-'));
const projectId = uid('proj');
const entryId = uid('entry');
const flowId = uid('flow');
let runtime: LocalRuntime | undefined;
// The Lambdas' SDK clients are made once per process, for the emulator they first see: every run here uses one port.
const emulatorPort = await freePort();

afterEach(async () => {
  await runtime?.stop();
  runtime = undefined;
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = (options: { cleanData?: boolean } = {}) => startLocalRuntime({ port: 0, legacyPort: 0, dataDir: dir, emulatorPort, ...options });
const call = async (method: string, route: string, body?: unknown) => {
  const res = await fetch(`${runtime!.apiUrl}${route}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json().catch(() => undefined)) as Record<string, any> };
};
const resume = (link: { token: string; expires_at: string }) =>
  call('POST', '/v1/load-entry-data', { flow_id: flowId, project_id: projectId, entry_id: entryId, token: link.token, expires_at: link.expires_at });

let link: { token: string; expires_at: string };

it('a first run restores nothing; a credential, an entry and a link made in it are kept', async () => {
  runtime = await start();
  expect(runtime.restoredWrites).toBe(0);
  const created = await call('POST', `/v1/projects/${projectId}/credentials`, { label: 'kept' });
  expect(created.status).toBe(201);
  registerSensitive(created.json.secret);
  expect(
    (await call('PUT', `/v1/entries/${entryId}`, { project_id: projectId, flow_id: flowId, current_page_key: 'page_2', user_data: { name: 'Ada' } })).status,
  ).toBe(201);
  const minted = await call('POST', '/v1/tokens', { project_id: projectId, entry_id: entryId });
  expect(minted.status).toBe(200);
  link = minted.json as typeof link;
  registerSensitive(link.token);
  expect((await resume(link)).status).toBe(200);
}, 60_000);

it("the next run replays the last run's writes: the same link resumes the same entry", async () => {
  // A line cut off by a crash mid-write is skipped, not fatal.
  appendFileSync(recordingFile(dir), '{"headers": {"X-Amz-Target": "DynamoDB_20120810.PutItem"}, "meth');
  runtime = await start();
  expect(runtime.restoredWrites).toBeGreaterThan(5);
  expect(await resume(link)).toEqual({ status: 200, json: { entry: { name: 'Ada', entry_id: entryId, current_page_key: 'page_2' } } });
  const listed = await call('GET', `/v1/projects/${projectId}/credentials`);
  expect((listed.json.credentials as Array<{ label: string }>).map((c) => c.label)).toEqual(['kept']);
}, 60_000);

it("replays only the writes of a recording: not its reads, the event bus or moto's own API", async () => {
  const targets = readFileSync(recordingFile(dir), 'utf8')
    .trim()
    .split('\n')
    .map((line) => (JSON.parse(line) as { headers: Record<string, string> }).headers['X-Amz-Target'] ?? '');
  const writes = targets.filter((t) => /^(DynamoDB_20120810|secretsmanager)\.(Create|Put|Update|Delete|BatchWrite|TransactWrite|Restore)/.test(t));
  expect(targets).toEqual(expect.arrayContaining(['DynamoDB_20120810.GetItem', 'secretsmanager.GetSecretValue', 'AWSEvents.CreateEventBus']));
  runtime = await start();
  expect(runtime.restoredWrites).toBe(writes.length);
  expect((await resume(link)).status).toBe(200);
}, 60_000);

it('--clean (cleanData) starts with none of it', async () => {
  runtime = await start({ cleanData: true });
  expect(runtime.restoredWrites).toBe(0);
  // Read through the admin routes: the public Lambdas' key caches live as long as this test's process.
  expect((await call('GET', `/v1/entries/${entryId}?project_id=${projectId}`)).status).toBe(404);
  expect((await call('GET', `/v1/projects/${projectId}/credentials`)).json).toEqual({ credentials: [] });
}, 60_000);
