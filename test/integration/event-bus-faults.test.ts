import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dynamodb } from '../../lambdas/adapters/clients';
import { DynamoDbOncePerWindow, DynamoDbRequestLog } from '../../lambdas/adapters/dynamodb-link-limits';
import { EventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { EXPIRED_LINK_KEY_PREFIX, LINK_REQUESTS_KEY_PREFIX } from '../../lambdas/adapters/naming';
import { UnavailableError } from '../../lambdas/domain/errors';
import { HOUR_MS } from '../../lambdas/domain/link-events';
import { computeToken } from '../../lambdas/domain/token';
import { routePath } from '../../lambdas/http/routes';
import { emulatorConfig, emulatorEventBridge } from '../../local/event-bus';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { send } from '../attack/support';
import { captureLogRecords } from '../support/capture-lines';
import { deleteEntries, deleteProject, seedEntry, uid } from '../support/seed';
import { startStalledEndpoint } from '../support/stalled-endpoint';

/**
 * EventBridge that does not answer: a real socket that accepts connections and
 * stalls, standing for the bus's endpoint (AWS_ENDPOINT_URL_EVENTBRIDGE), while
 * DynamoDB and Secrets Manager stay on the emulator.
 */
const SITE = 'https://quiz.example';
const PAST = '2026-01-01T00:00:00.000Z';
let rt: LocalRuntime;
let stalled: Awaited<ReturnType<typeof startStalledEndpoint>>;
const projects: string[] = [];
const keys: string[] = [];

beforeAll(async () => {
  stalled = await startStalledEndpoint();
  // The deployed timeout, not the tests' unhurried one (support/runtime.ts): what the stalled bus costs is the point.
  rt = await startLocalRuntime({
    port: 0,
    legacyPort: 0,
    endpoint: process.env.AWS_ENDPOINT_URL,
    eventBridgeEndpoint: stalled.endpoint,
    settings: { EXPIRED_LINK_EVENTS: true },
  });
}, 60_000);
afterAll(async () => {
  await rt.stop();
  await stalled.close();
  await deleteEntries(keys);
  for (const projectId of projects) await deleteProject(projectId);
});

const admin = async (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

const project = async () => {
  const projectId = uid('proj');
  projects.push(projectId);
  const { secret } = (await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'faults' })).json as { secret: string };
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE] });
  await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true });
  return { projectId, flowId: uid('flow'), secret };
};

describe('when the bus does not answer', () => {
  it('a link request gets 503 service_unavailable with Retry-After, and its slot back', async () => {
    const p = await project();
    const page = { 'content-type': 'application/json', origin: SITE };
    const { entry_id, save_token } = (
      await send(
        `${rt.apiUrl}${routePath('createEntry')}`,
        JSON.stringify({ project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: {} }),
        page,
      )
    ).json as {
      entry_id: string;
      save_token: string;
    };
    keys.push(entry_id, `${LINK_REQUESTS_KEY_PREFIX}${entry_id}`);
    const body = { project_id: p.projectId, flow_id: p.flowId, save_token, channel: 'email', to: 'grace.hopper@example.com' };

    const reply = await send(`${rt.apiUrl}${routePath('linkRequests').replace('{entry_id}', entry_id)}`, JSON.stringify(body), page);

    expect([reply.status, reply.headers.get('retry-after'), reply.json]).toEqual([
      503,
      '1',
      { error: { code: 'service_unavailable', message: 'The service is busy. Retry shortly.' } },
    ]);
    expect((await new DynamoDbRequestLog(dynamodb, process.env.TABLE_NAME!, LINK_REQUESTS_KEY_PREFIX).read(entry_id))?.value).toEqual([]);
  }, 20_000);

  it("an expired link still gets the same 401 token_expired; the failure is logged by name, and the hour's mark given back", async () => {
    const p = await project();
    const entryId = uid('entry');
    keys.push(entryId, `${EXPIRED_LINK_KEY_PREFIX}${entryId}`);
    await seedEntry({ entryId, projectId: p.projectId, flowId: p.flowId, currentPageKey: 'page_2', userData: {} });
    const body = { project_id: p.projectId, flow_id: p.flowId, entry_id: entryId, token: computeToken(p.secret, entryId, PAST), expires_at: PAST };
    let reply: Awaited<ReturnType<typeof send>> | undefined;

    const records = await captureLogRecords(async () => {
      reply = await send(`${rt.apiUrl}${routePath('loadEntryData')}`, JSON.stringify(body));
    });

    expect([reply!.status, reply!.text]).toEqual([401, '{"error":{"code":"token_expired","message":"The link has expired. Ask for a new link."}}']);
    expect(records).toContainEqual(expect.objectContaining({ level: 'WARN', message: 'expired link event not put', error_name: 'TimeoutError' }));
    const marks = new DynamoDbOncePerWindow(dynamodb, process.env.TABLE_NAME!, EXPIRED_LINK_KEY_PREFIX, HOUR_MS);
    expect(await marks.take(entryId, Date.now())).toBe(true);
  }, 20_000);
});

describe('PutEvents', () => {
  it('refusing the entry (FailedEntryCount) is a failure, though EventBridge answers 200', async () => {
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ FailedEntryCount: 1, Entries: [{ ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }] }));
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    try {
      const publisher = new EventBridgePublisher(emulatorEventBridge(emulatorConfig(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)), 'bus');
      const failure = await publisher
        .publish('Resume Link Expired', { project_id: 'p', flow_id: 'f', entry_id: 'e', expired_at: PAST })
        .catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(UnavailableError);
      expect((failure as UnavailableError).dependencyError).toBe('InternalFailure');
    } finally {
      server.close();
    }
  });
});
