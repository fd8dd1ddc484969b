import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { dynamodb, sdkOptions } from '../../lambdas/adapters/clients';
import { DynamoDbCappedCounter, DynamoDbOncePerWindow, DynamoDbRequestLog } from '../../lambdas/adapters/dynamodb-link-limits';
import { CAMPAIGN_SHARDS, campaignKey, ENTRY_TABLE, LIMIT_KEY_PREFIXES, LINK_REQUESTS_KEY_PREFIX } from '../../lambdas/adapters/naming';
import { DynamoDbCampaignCounters } from '../../lambdas/adapters/dynamodb-campaign-counters';
import { handler as browserSaves } from '../../lambdas/browser-saves/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as linkRequests } from '../../lambdas/link-requests/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { takeRolling } from '../../lambdas/domain/request-limits';
import { ApiError } from '../../lambdas/domain/errors';
import { generateSaveGen, mintSaveToken } from '../../lambdas/domain/save-token';
import { computeToken } from '../../lambdas/domain/token';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { invoke } from '../support/http';
import { type AnswerToLose, startLostAnswerProxy } from '../support/lost-answer-proxy';
import { credential, deleteEntries, deleteEntry, deleteProject, secrets, seedEntry, seedProject, uid } from '../support/seed';
import { sendTo } from '../support/stalled-endpoint';

/**
 * Conditional writes whose answer is lost after they landed (issue 25, "0
 * wrong answers"). A real TCP proxy in front of moto lets the write reach moto
 * and be answered there, then keeps the answer from the SDK client, which sends
 * the write again with its own timeouts and retries: the retry meets the write
 * already in the table, and must be answered as the success it is, counted once.
 */
const SITE = 'https://quiz.example';
const FUTURE = '2099-03-01T00:00:00Z';
const TABLE = () => process.env.TABLE_NAME as string;
/** The held answer's wait: the client gives up on it after this, instead of 2 s (clients.ts). */
const SHORT_REQUEST_TIMEOUT_MS = 1_000;

let proxy: Awaited<ReturnType<typeof startLostAnswerProxy>> | undefined;
const restore: Array<() => void> = [];
const cleanup: Array<() => Promise<void>> = [];

const loseAnswer = async (lose: AnswerToLose): Promise<NonNullable<typeof proxy>> => {
  proxy = await startLostAnswerProxy(lose);
  return proxy;
};

/** A client of the adapters' own options (3 attempts, standard retries) sending through the proxy, its timeout short. */
const clientThrough = (endpoint: string): DynamoDBClient => {
  const client = new DynamoDBClient({ ...sdkOptions, endpoint, requestHandler: { ...sdkOptions.requestHandler, requestTimeout: SHORT_REQUEST_TIMEOUT_MS } });
  restore.push(() => client.destroy());
  return client;
};

afterEach(async () => {
  for (const undo of restore.splice(0)) undo();
  await proxy?.close();
  proxy = undefined;
  for (const step of cleanup.splice(0)) await step();
});

const item = async (key: string) =>
  (await dynamodb.send(new GetItemCommand({ TableName: TABLE(), Key: { [ENTRY_TABLE.partitionKey]: { S: key } }, ConsistentRead: true }))).Item;

const saveKey = async (): Promise<string> => {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SAVE_KEY_SECRET, VersionStage: 'AWSCURRENT' }));
  return (JSON.parse(out.SecretString as string) as { current: string }).current;
};

/** A browser-saves project and one entry of it that a page holds a save token for. */
const savesProject = async () => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const cred = credential();
  await seedProject(projectId, [cred], { allowed_origins: [SITE], browser_saves: true });
  const saveGen = generateSaveGen();
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_1', userData: { step: 1 }, saveGen, seq: 0 });
  cleanup.push(async () => {
    await deleteEntries([entryId, `${LINK_REQUESTS_KEY_PREFIX}${entryId}`]);
    await deleteProject(projectId);
  });
  const saveToken = mintSaveToken({ id: 'current', secret: await saveKey() }, { projectId, flowId, entryId, gen: saveGen });
  return { projectId, flowId, entryId, saveToken, secret: cred.secret };
};

/** A request from a page of the project's site, from a loopback address of its own (other files count 127.0.0.1's requests). */
const fromPage = (route: 'saveProgress' | 'linkRequests', p: Awaited<ReturnType<typeof savesProject>>, fields: Record<string, unknown>, sourceIp: string) => {
  const event = routeEvent(
    route,
    { entry_id: p.entryId },
    { project_id: p.projectId, flow_id: p.flowId, save_token: p.saveToken, ...fields },
    {},
    { origin: SITE },
  );
  event.requestContext.http.sourceIp = sourceIp;
  return event;
};
const ownLoopback = (): string => `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 256)}.${1 + Math.floor(Math.random() * 250)}`;

describe('a page route whose write landed but whose answer was lost', () => {
  it('a save whose answer is held past the client timeout answers 200, and the entry holds it; the write id shows in no answer', async () => {
    const p = await savesProject();
    const lossy = await loseAnswer({ operation: 'UpdateItem', bodyIncludes: p.entryId, how: 'hold' });
    const handler = dynamodb.config.requestHandler as unknown as { updateHttpClientConfig(key: string, value: number): void };
    handler.updateHttpClientConfig('requestTimeout', SHORT_REQUEST_TIMEOUT_MS);
    restore.push(() => handler.updateHttpClientConfig('requestTimeout', sdkOptions.requestHandler.requestTimeout));
    restore.push(sendTo(dynamodb, lossy.endpoint));

    const reply = await invoke(browserSaves, fromPage('saveProgress', p, { seq: 3, current_page_key: 'page_3', user_data: { step: 3 } }, ownLoopback()));

    expect(lossy.lost()).toBe(true);
    // The SDK sent the save again after the held answer: the write and its retry.
    expect(lossy.matching()).toHaveLength(2);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ seq: 3 });
    const stored = await item(p.entryId);
    expect(stored?.seq?.N).toBe('3');
    expect(JSON.parse(stored?.user_data?.S ?? '{}')).toEqual({ step: 3 });
    for (const undo of restore.splice(0)) undo();

    // The attribute that tells a write its own stays in the table: neither the admin's read nor a resume answers it.
    const admin = await invoke(entries, routeEvent('getEntry', { entry_id: p.entryId }, undefined, { project_id: p.projectId }));
    expect(admin.status).toBe(200);
    expect(admin.raw).not.toContain('write_id');
    const resumed = await invoke(
      loadEntryData,
      loadEntryEvent(
        { project_id: p.projectId, flow_id: p.flowId, entry_id: p.entryId, token: computeToken(p.secret, p.entryId, FUTURE), expires_at: FUTURE },
        { origin: SITE },
      ),
    );
    expect(resumed.status).toBe(200);
    expect((resumed.json as { entry: unknown }).entry).toEqual({ step: 3, entry_id: p.entryId, current_page_key: 'page_3' });
    expect(resumed.raw).not.toContain('write_id');
  }, 30_000);

  it('a creation whose answer is reset after it landed answers 201 with that entry, not a second one made under another id', async () => {
    const p = await savesProject();
    const lossy = await loseAnswer({ operation: 'PutItem', bodyIncludes: p.projectId, how: 'reset' });
    restore.push(sendTo(dynamodb, lossy.endpoint));
    const event = routeEvent(
      'createEntry',
      {},
      { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: { step: 1 } },
      {},
      { origin: SITE },
    );
    event.requestContext.http.sourceIp = ownLoopback();

    const reply = await invoke(browserSaves, event);

    expect(lossy.lost()).toBe(true);
    expect(reply.status).toBe(201);
    const entryId = (reply.json as { entry_id: string }).entry_id;
    cleanup.push(() => deleteEntry(entryId));
    for (const undo of restore.splice(0)) undo();
    const scan = await dynamodb.send(
      new ScanCommand({
        TableName: TABLE(),
        FilterExpression: 'project_id = :p',
        ExpressionAttributeValues: { ':p': { S: p.projectId } },
        ConsistentRead: true,
      }),
    );
    for (const other of scan.Items ?? []) cleanup.push(() => deleteEntry(other[ENTRY_TABLE.partitionKey].S!));
    expect((scan.Items ?? []).map((i) => i[ENTRY_TABLE.partitionKey].S).sort()).toEqual([entryId, p.entryId].sort());
  }, 30_000);

  it("a link request whose count's answer is reset after it landed is counted once: the entry's 3rd request is still 202, the 4th 429", async () => {
    const p = await savesProject();
    const lossy = await loseAnswer({ operation: 'PutItem', bodyIncludes: `${LINK_REQUESTS_KEY_PREFIX}${p.entryId}`, how: 'reset' });
    restore.push(sendTo(dynamodb, lossy.endpoint));
    const source = ownLoopback();

    const first = await invoke(linkRequests, fromPage('linkRequests', p, { channel: 'email' }, source));

    expect(lossy.lost()).toBe(true);
    expect(lossy.matching().length).toBeGreaterThanOrEqual(2);
    expect(first.status).toBe(202);
    expect((await item(`${LINK_REQUESTS_KEY_PREFIX}${p.entryId}`))?.sent?.L).toHaveLength(1);
    for (const undo of restore.splice(0)) undo();
    expect((await invoke(linkRequests, fromPage('linkRequests', p, { channel: 'email' }, source))).status).toBe(202);
    expect((await invoke(linkRequests, fromPage('linkRequests', p, { channel: 'email' }, source))).status).toBe(202);
    const fourth = await invoke(linkRequests, fromPage('linkRequests', p, { channel: 'email' }, source));
    expect(fourth.status).toBe(429);
    expect((fourth.json as { error: { code: string } }).error.code).toBe('too_many_link_requests');
  }, 30_000);
});

describe('the limit items, each write answered once more after it landed', () => {
  const refuse = (s: number) => new ApiError('too_many_link_requests', 'over', { retryAfterSeconds: s });

  it("a request log's swap found stored after other requests' swaps landed on top of it is counted once", async () => {
    const key = uid('entry');
    const prefix = 'lost-answer-log#';
    cleanup.push(() => deleteEntry(prefix + key));
    const direct = new DynamoDbRequestLog(dynamodb, TABLE(), prefix);
    const windows = [{ max: 5, ms: 3_600_000 }];
    const now = Date.now();
    // Another request's swap lands between this one's landing and the SDK's retry of it.
    let other: Promise<unknown> | undefined;
    const lossy = await loseAnswer({
      operation: 'PutItem',
      bodyIncludes: prefix + key,
      how: 'reset',
      retryAfter: () => (other ??= takeRolling(direct, key, windows, now, refuse)),
    });
    const through = new DynamoDbRequestLog(clientThrough(lossy.endpoint), TABLE(), prefix);

    const slot = await takeRolling(through, key, windows, now, refuse);

    expect(other).toBeDefined();
    expect(lossy.matching().length).toBeGreaterThanOrEqual(2);
    const sent = (await direct.read(key))?.value;
    // This request's instant and the other's: two, not three.
    expect(sent).toEqual([now, now]);
    expect(slot.at).toBe(now);
  }, 30_000);

  it("a project's daily counter whose increment landed counts it once, and at its bound the increment is not refused", async () => {
    const key = uid('proj');
    const prefix = LIMIT_KEY_PREFIXES.projectLinks;
    cleanup.push(() => deleteEntry(prefix + key));
    const lossy = await loseAnswer({ operation: 'UpdateItem', bodyIncludes: prefix + key, how: 'reset' });
    const counter = new DynamoDbCappedCounter(clientThrough(lossy.endpoint), TABLE(), prefix);

    // max 1: the retry of the landed increment meets the bound; it must not be taken for a refusal.
    expect(await counter.increment(key, 1, Math.ceil(Date.now() / 1000) + 3600)).toBe(true);

    expect(lossy.matching().length).toBeGreaterThanOrEqual(2);
    expect((await item(prefix + key))?.n?.N).toBe('1');
    expect(await counter.increment(key, 1, Math.ceil(Date.now() / 1000) + 3600)).toBe(false);
  }, 30_000);

  it("a counter's increment is counted once under its retry with another increment landed in between", async () => {
    const key = uid('proj');
    const prefix = LIMIT_KEY_PREFIXES.projectEntries;
    cleanup.push(() => deleteEntry(prefix + key));
    const direct = new DynamoDbCappedCounter(dynamodb, TABLE(), prefix);
    let other: Promise<unknown> | undefined;
    const lossy = await loseAnswer({
      operation: 'UpdateItem',
      bodyIncludes: prefix + key,
      how: 'reset',
      retryAfter: () => (other ??= direct.increment(key, 10, Math.ceil(Date.now() / 1000) + 3600)),
    });
    const counter = new DynamoDbCappedCounter(clientThrough(lossy.endpoint), TABLE(), prefix);

    expect(await counter.increment(key, 10, Math.ceil(Date.now() / 1000) + 3600)).toBe(true);

    expect(other).toBeDefined();
    expect((await item(prefix + key))?.n?.N).toBe('2');
  }, 30_000);

  it('a once-an-hour mark whose put landed is taken, not refused as another request’s', async () => {
    const key = uid('entry');
    const prefix = 'lost-answer-mark#';
    cleanup.push(() => deleteEntry(prefix + key));
    const lossy = await loseAnswer({ operation: 'PutItem', bodyIncludes: prefix + key, how: 'reset' });
    const marks = new DynamoDbOncePerWindow(clientThrough(lossy.endpoint), TABLE(), prefix, 3_600_000);

    expect(await marks.take(key, Date.now())).toBe(true);

    expect(lossy.matching().length).toBeGreaterThanOrEqual(2);
    expect(await new DynamoDbOncePerWindow(dynamodb, TABLE(), prefix, 3_600_000).take(key, Date.now())).toBe(false);
  }, 30_000);

  it("a campaign's links minted are added once when the answer to the addition is lost", async () => {
    const projectId = uid('proj');
    const campaign = uid('camp');
    cleanup.push(() => deleteEntries(Array.from({ length: CAMPAIGN_SHARDS }, (_, s) => campaignKey(projectId, campaign, s))));
    const lossy = await loseAnswer({ operation: 'UpdateItem', bodyIncludes: campaign, how: 'reset' });

    await new DynamoDbCampaignCounters(clientThrough(lossy.endpoint), TABLE()).addLinksMinted(projectId, campaign, 5);

    expect(lossy.matching().length).toBeGreaterThanOrEqual(2);
    expect((await new DynamoDbCampaignCounters(dynamodb, TABLE()).read(projectId, campaign))?.linksMinted).toBe(5);
  }, 30_000);
});
