import { randomUUID } from 'node:crypto';
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { DynamoDbEntryStore } from '../../lambdas/adapters/dynamodb-entry-store';
import { countCalls } from '../../dev-support/call-counter';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { MAX_ID_LENGTH } from '../../lambdas/domain/grammar';
import { linkDigest } from '../../lambdas/domain/link-digest';
import { MAX_BATCH_LINKS } from '../../lambdas/domain/minting';
import { LINK_UNAVAILABLE } from '../../lambdas/domain/ports';
import { shortLinkKey } from '../../lambdas/adapters/naming';
import { lambdaContext } from '../../local/http-api-event';
import { errorOf, invoke } from '../support/http';
import { deleteEntries, deleteProject, seedEntries, seedEntry, uid } from '../support/seed';
import { registerSensitiveBody } from '../support/sensitive';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';

type Item = { entry_id: string | null; token?: string; expires_at?: string; url?: string; short_url?: string; error?: { code: string; message: string } };

const batch = async (body: unknown) => invoke(mint, routeEvent('mintBatch', {}, body));
const linksOf = (reply: { json: unknown }) => (reply.json as { links: Item[] }).links;

let projectId: string;
let flowId: string;
const seeded: string[] = [];
const newEntry = async (flow = flowId): Promise<string> => {
  const entryId = uid('entry');
  seeded.push(entryId);
  await seedEntry({ entryId, projectId, flowId: flow, currentPageKey: 'page_2', userData: { batch: 'yes' } });
  return entryId;
};

const newEntries = async (n: number): Promise<string[]> => {
  const ids = await seedEntries(n, projectId, flowId);
  seeded.push(...ids);
  return ids;
};

const resume = (entryId: string, link: { token?: string; expires_at?: string }, flow = flowId) =>
  invoke(loadEntryData, loadEntryEvent({ flow_id: flow, project_id: projectId, entry_id: entryId, token: link.token, expires_at: link.expires_at }));

beforeEach(async () => {
  projectId = uid('proj');
  flowId = uid('flow');
  await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'batch' }));
});
afterEach(async () => {
  await deleteEntries(seeded.splice(0));
  await deleteProject(projectId);
});

describe('POST /v1/tokens/batch', () => {
  it('answers every row in the order sent: links, and each bad row with its own error in its place', async () => {
    const [a, b] = [await newEntry(), await newEntry()];
    const missing = uid('entry');
    const at = new Date(Date.now() + 3 * 86400_000).toISOString().replace('Z', '+00:00');
    const reply = await batch({
      project_id: projectId,
      resume_url: 'https://quiz.example.com/flow?utm_source=sms',
      links: [
        { entry_id: a },
        { entry_id: 'bad--id' },
        { entry_id: missing },
        42,
        { entry_id: b, expires_at: at },
        { entry_id: a, colour: 'red' },
        { entry_id: a },
      ],
    });
    expect(reply.status).toBe(200);
    const links = linksOf(reply);
    expect(links).toEqual([
      { entry_id: a, token: expect.stringMatching(/^[0-9a-f]{64}$/), expires_at: expect.any(String), url: expect.any(String) },
      { entry_id: 'bad--id', error: { code: 'invalid_request', message: expect.stringMatching(/^Invalid request: entry_id must be/) } },
      {
        entry_id: missing,
        error: {
          code: 'entry_not_found',
          message: `There is no entry ${missing} in project ${projectId}: save it (PUT /v1/entries/{entry_id}) before minting a link to it.`,
        },
      },
      { entry_id: null, error: { code: 'invalid_request', message: 'Invalid request: each row must be an object such as {"entry_id": "…"}.' } },
      { entry_id: b, token: expect.stringMatching(/^[0-9a-f]{64}$/), expires_at: at, url: expect.any(String) },
      { entry_id: a, error: { code: 'invalid_request', message: 'Invalid request: unknown field "colour".' } },
      { entry_id: a, token: links[0].token, expires_at: expect.any(String), url: expect.any(String) },
    ]);
    // Every minted row resumes its own entry; the row's own expires_at was signed exactly as sent, URL-encoded.
    for (const [entryId, link] of [
      [a, links[0]],
      [b, links[4]],
      [a, links[6]],
    ] as const) {
      expect((await resume(entryId, link)).status).toBe(200);
      const url = new URL(link.url!);
      expect([url.searchParams.get('token'), url.searchParams.get('entry_id'), url.searchParams.get('expires_at'), url.searchParams.get('utm_source')]).toEqual(
        [link.token, entryId, link.expires_at, 'sms'],
      );
    }
    expect(links[4].url).toContain(`expires_at=${encodeURIComponent(at)}`);
  });

  it("reads the secret once and the entries with BatchGetItem, 100 keys a call, then writes each campaign link's record once, and the campaign's count once", async () => {
    const ids = await newEntries(250);
    const ddb = countCalls(dynamodb);
    const sm = countCalls(secretsManager);
    try {
      const reply = await batch({ project_id: projectId, flow_id: flowId, campaign: 'spring', links: ids.map((entry_id) => ({ entry_id })) });
      expect(reply.status).toBe(200);
      expect(
        linksOf(reply)
          .filter((l) => l.token)
          .map((l) => l.entry_id),
      ).toEqual(ids);
      expect(sm.calls).toEqual(['GetSecretValueCommand']);
      expect(ddb.calls).toEqual([...Array(3).fill('BatchGetItemCommand'), ...Array(251).fill('UpdateItemCommand')]);
      const keys = ddb.inputs.slice(0, 3).map((i) => Object.values(i.RequestItems as Record<string, { Keys: unknown[]; ConsistentRead: boolean }>)[0]);
      expect(keys.map((k) => [k.Keys.length, k.ConsistentRead])).toEqual([
        [100, true],
        [100, true],
        [50, true],
      ]);
      // One write per entry, each to its own entry; then one for the 250 links' count, on one of the campaign's items.
      const written = ddb.inputs.slice(3).map((i) => (i.Key as { entry_id: { S: string } }).entry_id.S);
      expect(written.slice(0, 250).sort()).toEqual([...ids].sort());
      expect(written[250]).toMatch(new RegExp(`^campaign#${projectId}#spring#\\d$`));
      expect((ddb.inputs[253].ExpressionAttributeValues as { ':n': { N: string } })[':n']).toEqual({ N: '250' });
    } finally {
      ddb.detach();
      sm.detach();
    }
  });

  it('reads each entry once however many rows name it, writes no record for links without a campaign, and writes short links 25 to a BatchWriteItem', async () => {
    const ids = await newEntries(30);
    const ddb = countCalls(dynamodb);
    try {
      const rows = [...ids, ...ids.slice(0, 10)].map((entry_id) => ({ entry_id }));
      const reply = await batch({ project_id: projectId, resume_url: 'https://quiz.example.com/flow', short: true, links: rows });
      const links = linksOf(reply);
      expect(links.filter((l) => l.short_url)).toHaveLength(40);
      // No campaign and no revoke-links: the entries are only read (once each), and the short links written.
      expect(ddb.calls).toEqual(['BatchGetItemCommand', 'BatchWriteItemCommand', 'BatchWriteItemCommand']);
      const keysRead = Object.values(ddb.inputs[0].RequestItems as Record<string, { Keys: unknown[] }>)[0].Keys;
      const written = ddb.inputs.slice(1).map((i) => Object.values(i.RequestItems as Record<string, unknown[]>)[0].length);
      expect([keysRead.length, written]).toEqual([30, [25, 15]]);
      seeded.push(...links.map((l) => shortLinkKey(new URL(l.short_url!).pathname.split('/').pop()!)));
    } finally {
      ddb.detach();
    }
  });

  it("records each of an entry's own links in a campaign batch one after another, from the one read", async () => {
    const entryId = await newEntry();
    const inDays = (days: number) => new Date(Date.now() + days * 86400_000).toISOString();
    const ddb = countCalls(dynamodb);
    let links: Item[];
    try {
      links = linksOf(
        await batch({
          project_id: projectId,
          campaign: 'spring',
          links: [{ entry_id: entryId }, { entry_id: entryId, expires_at: inDays(2) }, { entry_id: entryId, expires_at: inDays(3) }],
        }),
      );
      // The three records, then the campaign's count.
      expect(ddb.calls).toEqual(['BatchGetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'UpdateItemCommand']);
    } finally {
      ddb.detach();
    }
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: entryId } }, ConsistentRead: true }));
    expect(Object.keys(Item!.links.M!)).toEqual(expect.arrayContaining(links.map((l) => linkDigest(l.token!))));
  });

  it('takes 500 rows of the longest ids the grammar allows, each with its own flow and expiry, within its 256 KiB', async () => {
    const longest = (prefix: string, i: number) => `${prefix}${i}_`.padEnd(MAX_ID_LENGTH, 'x');
    const expiresAt = `${new Date(Date.now() + 86400_000).toISOString().slice(0, 19)}.123456789+00:00`;
    const body = {
      project_id: projectId,
      links: Array.from({ length: MAX_BATCH_LINKS }, (_, i) => ({ entry_id: longest('entry_', i), flow_id: longest('flow_', i), expires_at: expiresAt })),
    };
    // The README's figure for such a batch.
    expect(Math.round(JSON.stringify(body).length / 1000)).toBe(168);
    const reply = await batch(body);
    expect(reply.status).toBe(200);
    expect(new Set(linksOf(reply).map((l) => l.error?.code))).toEqual(new Set(['entry_not_found']));
  });

  it('refuses a body over 256 KiB with 413', async () => {
    const reply = await batch({ project_id: projectId, links: [{ entry_id: 'e' }], resume_url: `https://quiz.example.com/${'a'.repeat(256 * 1024)}` });
    expect([reply.status, errorOf(reply)]).toEqual([413, { code: 'payload_too_large', message: `The request body is larger than ${256 * 1024} bytes.` }]);
  });

  it('mints 500 rows, and refuses 501 with one 400 that names the limit', async () => {
    const ids = await newEntries(MAX_BATCH_LINKS);
    const ok = await batch({ project_id: projectId, links: ids.map((entry_id) => ({ entry_id })) });
    expect(linksOf(ok).filter((l) => l.token)).toHaveLength(MAX_BATCH_LINKS);
    const tooMany = await batch({ project_id: projectId, links: [...ids, ids[0]].map((entry_id) => ({ entry_id })) });
    expect([tooMany.status, errorOf(tooMany)]).toEqual([
      400,
      { code: 'invalid_request', message: `Invalid request: links must list 1 to ${MAX_BATCH_LINKS} rows.` },
    ]);
  });

  it("binds each row to the batch's flow unless the row names its own, and refuses a row whose entry is in another flow", async () => {
    const otherFlow = uid('flow');
    const [here, there] = [await newEntry(), await newEntry(otherFlow)];
    const links = linksOf(
      await batch({ project_id: projectId, flow_id: flowId, links: [{ entry_id: here }, { entry_id: there }, { entry_id: there, flow_id: otherFlow }] }),
    );
    expect(links.map((l) => l.error?.code ?? 'ok')).toEqual(['ok', 'entry_not_found', 'ok']);
    expect((await resume(there, links[2], otherFlow)).status).toBe(200);
  });

  it.each([
    ['an empty list', { links: [] }, 'Invalid request: links must list 1 to 500 rows.'],
    ['short without resume_url', { short: true }, 'Invalid request: short needs resume_url: a short link redirects to the full link.'],
    [
      'a lifetime beyond the maximum',
      { ttl_seconds: 31 * 86400 },
      'Invalid request: ttl_seconds is beyond the maximum link lifetime of 30 days (2592000 seconds).',
    ],
    [
      'a resume_url that is not https',
      { resume_url: 'http://quiz.example.com/' },
      'Invalid request: resume_url must use https (http is accepted on localhost only).',
    ],
    [
      'a campaign that is no id',
      { campaign: 'spring sale' },
      'Invalid request: campaign must be at most 64 ASCII letters, digits, "_" and single "-" between them.',
    ],
    [
      'a campaign of 65 characters',
      { campaign: 'c'.repeat(65) },
      'Invalid request: campaign must be at most 64 ASCII letters, digits, "_" and single "-" between them.',
    ],
    ['an unknown field', { colour: 'red' }, 'Invalid request: unknown field "colour".'],
  ])('refuses the whole batch with one 400 for %s', async (_what, fields, message) => {
    const entryId = await newEntry();
    const reply = await batch({ project_id: projectId, links: [{ entry_id: entryId }], ...fields });
    expect([reply.status, errorOf(reply)]).toEqual([400, { code: 'invalid_request', message }]);
  });

  it.each([
    ['links', {}],
    ['short links', { short: true }],
  ])(
    'refuses the whole batch with one 400 when the project lists its own origins and resume_url is elsewhere (%s), and writes nothing',
    async (_what, extra) => {
      await invoke(credentials, routeEvent('setAllowedOrigins', { project_id: projectId }, { origins: ['https://quiz.example.com'] }));
      const entryIds = [await newEntry(), await newEntry()];
      const calls = countCalls(dynamodb);
      try {
        const reply = await batch({
          project_id: projectId,
          resume_url: 'https://evil.example/phish',
          links: entryIds.map((entry_id) => ({ entry_id })),
          ...extra,
        });
        expect([reply.status, errorOf(reply)]).toEqual([
          400,
          { code: 'invalid_request', message: "Invalid request: resume_url must be on one of the project's allowed origins, and https://evil.example is not." },
        ]);
        expect(calls.calls).toEqual([]);
      } finally {
        calls.detach();
      }
      // On its own origin, the same batch mints; its rows still get their own errors.
      const links = linksOf(
        await batch({
          project_id: projectId,
          resume_url: 'https://quiz.example.com/go',
          links: [...entryIds.map((entry_id) => ({ entry_id })), { entry_id: 'bad--id' }],
          ...extra,
        }),
      );
      expect(links.map((l) => l.error?.code ?? 'ok')).toEqual(['ok', 'ok', 'invalid_request']);
    },
  );

  it('refuses the whole batch with 409 when the project has no active credential', async () => {
    const reply = await batch({ project_id: uid('proj'), links: [{ entry_id: 'entry_1' }, { entry_id: 'bad--id' }] });
    expect([reply.status, errorOf(reply).code]).toEqual([409, 'no_active_credential']);
  });

  it('after a revoke-links, records each new link so it works, while links issued before stay revoked', async () => {
    const entryId = await newEntry();
    const [before] = linksOf(await batch({ project_id: projectId, links: [{ entry_id: entryId }] }));
    await invoke(entries, routeEvent('revokeLinks', { entry_id: entryId }, { project_id: projectId }));
    const later = new Date(Date.now() + 2 * 86400_000).toISOString();
    const after = linksOf(await batch({ project_id: projectId, links: [{ entry_id: entryId, expires_at: later }, { entry_id: entryId }] }));
    expect(after.map((l) => l.error?.code ?? 'ok')).toEqual(['ok', 'ok']);
    expect(errorOf(await resume(entryId, before)).code).toBe('link_revoked');
    for (const link of after) expect((await resume(entryId, link)).status).toBe(200);
  });

  it('is what a direct invocation with links does', async () => {
    const entryId = await newEntry();
    const at = new Date(Date.now() + 5 * 86400_000).toISOString();
    const out = await (mint as unknown as (e: unknown, c: unknown) => Promise<{ links: Item[] }>)(
      { project_id: projectId, ttl_seconds: 3600, links: [{ entry_id: entryId }, { entry_id: '' }, { entry_id: entryId, expires_at: at }] },
      lambdaContext('mint'),
    );
    registerSensitiveBody(out);
    expect(out.links.map((l) => l.error?.code ?? 'ok')).toEqual(['ok', 'invalid_request', 'ok']);
    // A row's own expiry wins over the batch's lifetime.
    expect(out.links[2].expires_at).toBe(at);
    expect(Date.parse(out.links[0].expires_at!) - Date.now()).toBeLessThanOrEqual(3600_000);
    expect((await resume(entryId, out.links[0])).status).toBe(200);
  });
});

describe('entries DynamoDB leaves unprocessed', () => {
  /**
   * moto never leaves keys unprocessed (DynamoDB does, for a partition at its
   * limit): after each real BatchGetItem, this moves the answer for `ids` into
   * UnprocessedKeys, `times` times in all.
   */
  const leaveUnprocessed = (client: DynamoDBClient, ids: Set<string>, times: number) => {
    const name = `unprocessed-${randomUUID()}`;
    let left = times;
    (client.middlewareStack as unknown as { add: (mw: unknown, options: object) => void }).add(
      (next: (args: unknown) => Promise<{ output: Record<string, any> }>, context: { commandName?: string }) => async (args: unknown) => {
        const result = await next(args);
        if (context.commandName !== 'BatchGetItemCommand' || left-- <= 0) return result;
        const table = process.env.TABLE_NAME as string;
        const answered = result.output.Responses[table] as Array<Record<string, { S: string }>>;
        const held = answered.filter((item) => ids.has(item.entry_id.S));
        result.output.Responses[table] = answered.filter((item) => !ids.has(item.entry_id.S));
        const before = result.output.UnprocessedKeys?.[table]?.Keys ?? [];
        if (held.length) result.output.UnprocessedKeys = { [table]: { Keys: [...before, ...held.map((item) => ({ entry_id: item.entry_id }))] } };
        return result;
      },
      { step: 'initialize', name },
    );
    return () => client.middlewareStack.remove(name);
  };

  it('asks again with backoff, and answers unavailable only for the rows still unread after four calls', async () => {
    const [kept, flaky, lost] = [await newEntry(), await newEntry(), await newEntry()];
    const delays: number[] = [];
    const store = new DynamoDbEntryStore(dynamodb, process.env.TABLE_NAME as string, { sleep: async (ms) => void delays.push(ms), random: () => 1 });
    const owner = { projectId };
    const requests = [kept, flaky, lost].map((entryId) => ({ entryId, owner, digest: 'd', record: { mintedAt: 0, campaign: 'spring' } }));

    const detachFlaky = leaveUnprocessed(dynamodb, new Set([flaky]), 2);
    const detachLost = leaveUnprocessed(dynamodb, new Set([lost]), 4);
    const calls = countCalls(dynamodb);
    try {
      const results = await store.allowLinks(requests, new Date());
      expect(results).toEqual([{ flowId, allowed: true }, { flowId, allowed: true }, LINK_UNAVAILABLE]);
      expect(calls.calls).toEqual([...Array(4).fill('BatchGetItemCommand'), 'UpdateItemCommand', 'UpdateItemCommand']);
      // Full jitter at its ceiling: 50, 100, 200 ms.
      expect(delays).toEqual([50, 100, 200]);
    } finally {
      calls.detach();
      detachFlaky();
      detachLost();
    }
  });
});
