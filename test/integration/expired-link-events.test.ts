import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dynamodb } from '../../lambdas/adapters/clients';
import { DynamoDbOncePerWindow } from '../../lambdas/adapters/dynamodb-link-limits';
import { EventBridgePublisher } from '../../lambdas/adapters/eventbridge-publisher';
import { EXPIRED_LINK_KEY_PREFIX } from '../../lambdas/adapters/naming';
import { announceExpiredLink } from '../../lambdas/domain/expired-links';
import { HOUR_MS } from '../../lambdas/domain/link-events';
import { computeToken } from '../../lambdas/domain/token';
import { routePath } from '../../lambdas/http/routes';
import { countCalls } from '../../dev-support/call-counter';
import { type BusEvent, type BusSubscription, emulatorConfig, emulatorEventBridge, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, send } from '../attack/support';
import { controlClock } from '../support/clock';
import { deleteEntries, deleteEntry, deleteProject, seedEntry, uid } from '../support/seed';
import { startTestRuntime } from '../support/runtime';

/**
 * `expiredLinkEvents`, end to end against the local runtime with the setting
 * on: a valid link opened too late puts one `Resume Link Expired` event an
 * hour per entry on the emulator's bus, and the browser's answer never changes.
 */
const PAST = '2026-01-01T00:00:00.000Z';
const FUTURE = '2099-01-01T00:00:00.000Z';
/** Today's answer to an expired link, byte for byte. */
const TOKEN_EXPIRED = '{"error":{"code":"token_expired","message":"The link has expired. Ask for a new link."}}';

let rt: LocalRuntime;
let bus: BusSubscription;
const projects: string[] = [];
const entries: string[] = [];

beforeAll(async () => {
  rt = await startTestRuntime({ settings: { EXPIRED_LINK_EVENTS: true } });
  bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), rt.eventBusName);
}, 60_000);
afterAll(async () => {
  await bus.close();
  await rt.stop();
  for (const entryId of entries) await deleteEntry(entryId);
  await deleteEntries(entries.map((e) => `${EXPIRED_LINK_KEY_PREFIX}${e}`));
  for (const projectId of projects) await deleteProject(projectId);
});

const admin = async (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

/** A project with a Token Signing Secret and one entry in one flow. */
const scenario = async (options: { retainUntil?: number } = {}) => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  projects.push(projectId);
  entries.push(entryId);
  const { secret } = (await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'expired' })).json as { secret: string };
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_2', userData: { step: 2 }, retainUntil: options.retainUntil });
  return { projectId, flowId, entryId, secret };
};
type Scenario = Awaited<ReturnType<typeof scenario>>;

const resume = (s: Scenario, expiresAt = PAST, overrides: Record<string, string> = {}) =>
  send(
    `${rt.apiUrl}${routePath('loadEntryData')}`,
    JSON.stringify({
      project_id: s.projectId,
      flow_id: s.flowId,
      entry_id: s.entryId,
      token: computeToken(s.secret, s.entryId, expiresAt),
      expires_at: expiresAt,
      ...overrides,
    }),
  );
const delivered = async (entryId: string): Promise<BusEvent[]> => (await bus.drain()).filter((e) => e.detail.entry_id === entryId);

describe('a valid link opened after its expiry', () => {
  it('answers the same 401 token_expired and puts one Resume Link Expired event with ids only; a second within the hour puts none', async () => {
    const clock = controlClock();
    try {
      const s = await scenario();

      const first = await resume(s);

      expect([first.status, first.text]).toEqual([401, TOKEN_EXPIRED]);
      const events = await delivered(s.entryId);
      expect(events).toHaveLength(1);
      expect(events[0]).toMatchObject({ source: 'session-recovery', 'detail-type': 'Resume Link Expired' });
      expect(events[0].detail).toEqual({ project_id: s.projectId, flow_id: s.flowId, entry_id: s.entryId, expired_at: PAST });
      // The hour's mark is a small item that DynamoDB's TTL removes once the hour is over.
      const mark = await dynamodb.send(
        new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: `${EXPIRED_LINK_KEY_PREFIX}${s.entryId}` } }, ConsistentRead: true }),
      );
      expect(Number(mark.Item?.retain_until?.N)).toBe(Math.ceil((Date.now() + HOUR_MS) / 1000));

      clock.advance(HOUR_MS - 1000);
      const second = await resume(s);
      expect([second.status, second.text]).toEqual([401, TOKEN_EXPIRED]);
      expect(await delivered(s.entryId)).toEqual([]);

      clock.advance(1001);
      expect((await resume(s)).status).toBe(401);
      expect(await delivered(s.entryId)).toHaveLength(1);
    } finally {
      clock.restore();
    }
  });

  it("costs one strongly consistent read of the entry, then the hour's mark", async () => {
    const s = await scenario();
    const calls = countCalls(rt.clients.dynamodb);
    try {
      expect((await resume(s)).status).toBe(401);
      expect(calls.calls).toEqual(['GetItemCommand', 'PutItemCommand']);
      expect([calls.inputs[0].Key, calls.inputs[0].ConsistentRead]).toEqual([{ entry_id: { S: s.entryId } }, true]);
    } finally {
      calls.detach();
    }
    expect(await delivered(s.entryId)).toHaveLength(1);
  });

  it('puts one on the legacy contract too', async () => {
    const s = await scenario();
    const legacyKey = `legacy_${uid('k')}_${'0'.repeat(32)}`;
    expect((await admin('PUT', `/v1/legacy/flows/${s.flowId}/key`, { secret: legacyKey, project_id: s.projectId })).status).toBe(204);

    const reply = await send(
      `${rt.legacyUrl}/`,
      JSON.stringify({ flow_id: s.flowId, entry_id: s.entryId, token: computeToken(legacyKey, s.entryId, PAST), expires: PAST }),
    );

    expect([reply.status, errorCode(reply)]).toEqual([401, 'token_expired']);
    expect((await delivered(s.entryId)).map((e) => e.detail)).toEqual([{ project_id: s.projectId, flow_id: s.flowId, entry_id: s.entryId, expired_at: PAST }]);
    await admin('DELETE', `/v1/legacy/flows/${s.flowId}/key`);
  });
});

describe('no Resume Link Expired event', () => {
  it("for a link whose entry's links were revoked: a revoked link never earns a fresh one", async () => {
    const s = await scenario();
    expect((await admin('POST', `/v1/entries/${s.entryId}/revoke-links`, { project_id: s.projectId })).status).toBe(200);

    const reply = await resume(s);

    expect([reply.status, reply.text]).toEqual([401, TOKEN_EXPIRED]);
    expect(await delivered(s.entryId)).toEqual([]);
  });

  it.each([
    ['an entry of another flow', (s: Scenario) => resume(s, PAST, { flow_id: uid('flow') })],
    ['an entry that does not exist', (s: Scenario) => resume({ ...s, entryId: uid('entry') })],
  ])('for %s', async (_name, open) => {
    const s = await scenario();
    const reply = await open(s);
    expect([reply.status, reply.text]).toEqual([401, TOKEN_EXPIRED]);
    expect(await delivered(s.entryId)).toEqual([]);
  });

  it('for an entry past its retention', async () => {
    const s = await scenario({ retainUntil: Math.floor(Date.now() / 1000) - 60 });
    expect((await resume(s)).status).toBe(401);
    expect(await delivered(s.entryId)).toEqual([]);
  });

  it('for a token that does not verify, which reads no entry at all', async () => {
    const s = await scenario();
    const calls = countCalls(rt.clients.dynamodb);
    try {
      const reply = await resume({ ...s, secret: 'tss_not_the_projects_secret_0000000000000' });
      expect([reply.status, errorCode(reply)]).toEqual([401, 'invalid_token']);
      expect(calls.calls).toEqual([]);
    } finally {
      calls.detach();
    }
    expect(await delivered(s.entryId)).toEqual([]);
  });

  it('for a valid resume, which still makes exactly one GetItem and nothing else', async () => {
    const s = await scenario();
    await resume(s, FUTURE);
    const calls = countCalls(rt.clients.dynamodb);
    try {
      const reply = await resume(s, FUTURE);
      expect(reply.status).toBe(200);
      expect(calls.calls).toEqual(['GetItemCommand']);
    } finally {
      calls.detach();
    }
    expect(await delivered(s.entryId)).toEqual([]);
  });
});

describe('when the event cannot be put', () => {
  it("reports the failure, and gives the hour's mark back so the next expired request tries again", async () => {
    const entryId = uid('entry');
    entries.push(entryId);
    const marks = new DynamoDbOncePerWindow(dynamodb, process.env.TABLE_NAME!, EXPIRED_LINK_KEY_PREFIX, HOUR_MS);
    const failures: unknown[] = [];
    const detail = { project_id: 'proj_x', flow_id: 'flow_x', entry_id: entryId, expired_at: PAST };

    await announceExpiredLink(detail, Date.now(), {
      marks,
      events: new EventBridgePublisher(emulatorEventBridge(emulatorConfig(process.env.AWS_ENDPOINT_URL!)), 'no-such-bus'),
      onFailure: (error) => failures.push(error),
    });

    expect(failures.map((e) => (e as Error).name)).toEqual(['ResourceNotFoundException']);
    expect(await marks.take(entryId, Date.now())).toBe(true);
  });
});
