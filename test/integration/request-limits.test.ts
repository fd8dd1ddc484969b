import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { DeleteTableCommand, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { DynamoDbRequestLog } from '../../lambdas/adapters/dynamodb-link-limits';
import { LIMIT_KEY_PREFIXES } from '../../lambdas/adapters/naming';
import { SaveKeySource } from '../../lambdas/adapters/save-key-source';
import { mobileCountryOf } from '../../lambdas/domain/number-plan';
import { limitKeyHasher, sourceOf, utcDay } from '../../lambdas/domain/request-limits';
import { routePath } from '../../lambdas/http/routes';
import { type BusEvent, type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, type HttpReply, send } from '../attack/support';
import { controlClock } from '../support/clock';
import { type Handler, invoke } from '../support/http';
import { lambda, testEnvironment } from '../support/lambdas';
import { registerSensitive, registerSensitiveBody } from '../support/sensitive';
import { deleteProject, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { startTestRuntime } from '../support/runtime';

/**
 * The bounds on what a page can make the service do (issue 26, items 3 and 4),
 * run as the attacks they answer, through the local runtime: requests from
 * addresses of the test's own (127.0.0.0/8 is all loopback), or, for IPv6,
 * events carrying the address as API Gateway would. The per-source bounds at
 * their defaults: the suite raises them for every other file (test-env.ts).
 */
delete process.env.ENTRIES_PER_SOURCE_HOUR;
delete process.env.LINK_REQUESTS_PER_SOURCE_HOUR;

const SITE = 'https://quiz.example';
/**
 * A table of this file's own, which its runtime and handlers write to: the privacy check scans it whole, which the
 * run's shared table, thousands of items by then, would make slow (past the SDK's timeouts on a loaded machine) and
 * incomplete (a Scan answers 1 MB at most).
 */
const table = uid('limits-table');
let rt: LocalRuntime;
let bus: BusSubscription;
let saves: Handler;
let hash: (kind: string, value: string) => string;
const projects: string[] = [];

beforeAll(async () => {
  rt = await startTestRuntime({ settings: { TABLE_NAME: table } });
  bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), rt.eventBusName);
  saves = await lambda('browser-saves', testEnvironment({ TABLE_NAME: table }));
  const [current] = (await new SaveKeySource(secretsManager, process.env.SAVE_KEY_SECRET).loadKeys()).keys;
  hash = limitKeyHasher(current);
}, 60_000);
afterAll(async () => {
  await bus.close();
  await rt.stop();
  for (const projectId of projects) await deleteProject(projectId);
  await dynamodb.send(new DeleteTableCommand({ TableName: table }));
});

/** A loopback address of this test's own, so no other test's requests count against it. */
let lastOctet = 0;
const freshSource = () => `127.${Math.floor(Math.random() * 250) + 1}.${Math.floor(Math.random() * 250) + 1}.${++lastOctet}`;
/** A valid GB mobile number of this test's own. */
const freshNumber = () => {
  const number = `+4474${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
  registerSensitive(number);
  return number;
};
const freshEmail = () => {
  const address = `${uid('limits')}@example.com`;
  registerSensitive(address);
  return address;
};

/** A request from a page at `source`: the connection itself comes from that address. */
const fromSource = (source: string, path: string, body: unknown): Promise<HttpReply> =>
  new Promise((resolve, reject) => {
    registerSensitiveBody(body);
    const text = JSON.stringify(body);
    const url = new URL(`${rt.apiUrl}${path}`);
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        localAddress: source,
        headers: { 'content-type': 'application/json', origin: SITE, 'content-length': Buffer.byteLength(text) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const headers = new Headers();
          for (const [k, v] of Object.entries(res.headers)) if (typeof v === 'string') headers.set(k, v);
          resolve({ status: res.statusCode ?? 0, headers, text: raw, json: raw ? JSON.parse(raw) : undefined });
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });

const admin = (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

const project = async (smsCountries: string[] = ['GB']) => {
  const projectId = uid('proj');
  projects.push(projectId);
  await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'limits' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE] });
  expect((await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true, sms_countries: smsCountries })).status).toBe(200);
  return { projectId, flowId: uid('flow') };
};
type Project = Awaited<ReturnType<typeof project>>;

const create = (p: Project, source: string) =>
  fromSource(source, routePath('createEntry'), { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: { step: 1 } });
type Entry = { entry_id: string; save_token: string };
const created = async (p: Project, source: string): Promise<Entry> => {
  const reply = await create(p, source);
  expect(reply.status).toBe(201);
  return reply.json as Entry;
};
const askLink = (p: Project, source: string, entry: Entry, extra: Record<string, unknown>) =>
  fromSource(source, routePath('linkRequests').replace('{entry_id}', entry.entry_id), {
    project_id: p.projectId,
    flow_id: p.flowId,
    save_token: entry.save_token,
    ...extra,
  });

const delivered = async (match: (e: BusEvent) => boolean): Promise<BusEvent[]> => (await bus.drain()).filter(match);
const slots = async (prefix: string, key: string, windowMs?: number) =>
  (await new DynamoDbRequestLog(dynamodb, table, prefix, windowMs).read(key))?.value ?? [];
const retryAfter = (reply: HttpReply) => Number(reply.headers.get('retry-after'));
const statuses = (replies: HttpReply[]) => replies.map((r) => `${r.status}${errorCode(r) ? ` ${errorCode(r)}` : ''}`);
const countOf = (replies: HttpReply[]) => {
  const counts: Record<string, number> = {};
  for (const s of statuses(replies)) counts[s] = (counts[s] ?? 0) + 1;
  return counts;
};

describe('messages to one recipient (reproduction: 10 anonymous entries × 4 link requests, all to one number)', () => {
  it('accepts 3 in the hour, deployment-wide, and refuses the other 37 with 429 too_many_link_requests and Retry-After, storing no plain address', async () => {
    const clock = controlClock();
    try {
      const p = await project();
      const source = freshSource();
      const to = freshNumber();
      expect(mobileCountryOf(to)).toBe('GB');
      const entries: Entry[] = [];
      for (let i = 0; i < 10; i++) entries.push(await created(p, source));

      const replies: HttpReply[] = [];
      for (const entry of entries) {
        for (let i = 0; i < 4; i++) {
          replies.push(await askLink(p, source, entry, { channel: 'sms', to }));
          clock.advance(1000);
        }
      }

      expect(countOf(replies)).toEqual({ '202': 3, '429 too_many_link_requests': 37 });
      // The first three, then one slot frees an hour after the first.
      expect(retryAfter(replies[3])).toBe(3600 - 3);
      expect(retryAfter(replies[39])).toBe(3600 - 39);
      expect(await delivered((e) => e.detail.to === to)).toHaveLength(3);
      // The refused requests gave back the source's slots: only the three accepted count there.
      expect(await slots(LIMIT_KEY_PREFIXES.sourceLinks, hash('source', source))).toHaveLength(3);

      // What the table holds about it: a keyed hash, never the number nor the source address.
      const scanned = JSON.stringify((await dynamodb.send(new ScanCommand({ TableName: table }))).Items);
      expect(scanned).not.toContain(to.slice(1));
      expect(scanned).not.toContain(to.slice(3));
      expect(scanned).not.toContain(source);
      expect(await slots(LIMIT_KEY_PREFIXES.recipient, hash('sms', to))).toHaveLength(3);
    } finally {
      clock.restore();
    }
  });

  it('accepts 10 in the rolling day: the 11th, hours later, gets 429 until the first leaves the day', async () => {
    const clock = controlClock();
    try {
      const p = await project();
      const to = freshEmail();
      const source = freshSource();
      const entries: Entry[] = [];
      for (let i = 0; i < 4; i++) entries.push(await created(p, source));
      const accepted: number[] = [];
      for (let hour = 0; hour < 4; hour++) {
        for (let i = 0; i < 3 && accepted.length < 10; i++) {
          // Another spelling of the same mailbox: the count is the address's, lower-cased and without its +tag.
          const spelled = i === 1 ? to.toUpperCase() : i === 2 ? to.replace('@', '+promo@') : to;
          const reply = await askLink(p, source, entries[hour], { channel: 'email', to: spelled });
          expect(reply.status).toBe(202);
          accepted.push(Date.now());
        }
        clock.advance(3_600_000);
      }
      expect(accepted).toHaveLength(10);

      const eleventh = await askLink(p, source, entries[3], { channel: 'email', to });

      expect([eleventh.status, errorCode(eleventh)]).toEqual([429, 'too_many_link_requests']);
      expect(retryAfter(eleventh)).toBe(Math.ceil((accepted[0] + 86_400_000 - Date.now()) / 1000));
      // Another address is not affected.
      expect((await askLink(p, source, entries[3], { channel: 'email', to: freshEmail() })).status).toBe(202);
      await bus.drain();
    } finally {
      clock.restore();
    }
  });

  it('counts a Gmail mailbox once however it is spelled: 3 of 9 requests to victim.one, v.ictimone and victimone@googlemail.com are sent', async () => {
    const p = await project();
    const name = `victim${randomUUID().slice(0, 8)}`;
    const spellings = [`${name.slice(0, 6)}.${name.slice(6)}@gmail.com`, `${name.slice(0, 1)}.${name.slice(1)}@gmail.com`, `${name}@googlemail.com`];
    for (const spelled of spellings) registerSensitive(spelled);
    const source = freshSource();
    const entries: Entry[] = [];
    for (let i = 0; i < 3; i++) entries.push(await created(p, source));

    const replies: HttpReply[] = [];
    for (const entry of entries) for (const to of spellings) replies.push(await askLink(p, source, entry, { channel: 'email', to }));

    expect(statuses(replies)).toEqual(['202', '202', '202', ...Array(6).fill('429 too_many_link_requests')]);
    expect(await slots(LIMIT_KEY_PREFIXES.recipient, hash('email', `${name}@gmail.com`))).toHaveLength(3);
    expect(await delivered((e) => spellings.includes(e.detail.to as string))).toHaveLength(3);
  });

  it('never gives the last slot to two concurrent requests', async () => {
    const p = await project();
    const to = freshEmail();
    const entries: Entry[] = [];
    for (let i = 0; i < 5; i++) entries.push(await created(p, freshSource()));
    for (let i = 0; i < 2; i++) expect((await askLink(p, freshSource(), entries[i], { channel: 'email', to })).status).toBe(202);

    const replies = await Promise.all([2, 3, 4].map((i) => askLink(p, freshSource(), entries[i], { channel: 'email', to })));

    expect(replies.map((r) => r.status).sort()).toEqual([202, 429, 429]);
    expect(await slots(LIMIT_KEY_PREFIXES.recipient, hash('email', to))).toHaveLength(3);
    expect(await delivered((e) => e.detail.to === to)).toHaveLength(3);
  });
});

describe('SMS only where the project allows it', () => {
  it.each([
    ['a project that lists no SMS countries, with a number', [], { to: '+447400123456' }],
    ['a project that lists no SMS countries, with no number (the team would text the one it holds)', [], {}],
    ['a number of a country not listed (France)', ['GB', 'US'], { to: '+33612345678' }],
    ["a number no country's plan holds (the reproduction's reserved +44 7700 900 range)", ['GB'], { to: '+447700900999' }],
    ['a non-geographic number (+800)', ['GB'], { to: '+80012345678' }],
    ['a GB premium-rate number (+44 90)', ['GB', 'US'], { to: '+449012345678' }],
    ['a GB shared-cost number (+44 87)', ['GB', 'US'], { to: '+448712345678' }],
    ['a GB personal number (+44 70), which forwards anywhere', ['GB', 'US'], { to: '+447012345678' }],
    ['a US premium-rate number (+1 900)', ['GB', 'US'], { to: '+19005551234' }],
    ['a GB fixed-line number (+44 20)', ['GB', 'US'], { to: '+442071234567' }],
  ])('refuses %s with 403 sms_not_allowed, taking no slot of any bound', async (_name, countries, extra) => {
    const p = await project(countries);
    const source = freshSource();
    const entry = await created(p, source);

    const refused = await askLink(p, source, entry, { channel: 'sms', ...extra });

    expect([refused.status, errorCode(refused)]).toEqual([403, 'sms_not_allowed']);
    expect(await slots(LIMIT_KEY_PREFIXES.sourceLinks, hash('source', source))).toEqual([]);
    expect(await delivered((e) => e.detail.entry_id === entry.entry_id)).toEqual([]);
    // Email is not concerned.
    expect((await askLink(p, source, entry, { channel: 'email' })).status).toBe(202);
  });

  it('sends to a number of a listed country; GET shows the list, which a PUT replaces (empty when left out), within the key cache TTL', async () => {
    const clock = controlClock();
    try {
      await smsCountriesReplaced(clock);
    } finally {
      clock.restore();
    }
  });
});

/** The setting's round trip; a change reaches the link-requests Lambda once its key cache expires (61 s on the controlled clock). */
const smsCountriesReplaced = async (clock: ReturnType<typeof controlClock>) => {
  const p = await project(['US', 'GB']);
  const path = `/v1/projects/${p.projectId}/browser-saves`;
  expect((await admin('GET', path)).json).toEqual({ enabled: true, sms_countries: ['GB', 'US'] });
  const entry = await created(p, freshSource());
  expect((await askLink(p, freshSource(), entry, { channel: 'sms', to: '+12015550123' })).status).toBe(202);
  const unknown = await admin('PUT', path, { enabled: true, sms_countries: ['GB', 'XX'] });
  expect([unknown.status, errorCode(unknown)]).toEqual([400, 'invalid_request']);
  expect((await admin('PUT', path, { enabled: true, sms_countries: ['gb'] })).status).toBe(400);
  expect((await admin('PUT', path, { enabled: true })).json).toEqual({ enabled: true, sms_countries: [] });
  clock.advance(61_000);
  expect(errorCode(await askLink(p, freshSource(), entry, { channel: 'sms', to: '+12015550123' }))).toBe('sms_not_allowed');
  await bus.drain();
};

describe("a project's day", () => {
  it('takes 1,000 link requests per UTC day: the next gets 429 with Retry-After until midnight UTC, and gives back the slots the other bounds had taken', async () => {
    const p = await project();
    const day = utcDay(Date.now());
    // 999 already taken today (seeded: the counter is one conditional update, so its state is all there is).
    await dynamodb.send(
      new PutItemCommand({ TableName: table, Item: { entry_id: { S: `${LIMIT_KEY_PREFIXES.projectLinks}${p.projectId}#${day}` }, n: { N: '999' } } }),
    );
    const source = freshSource();
    const to = freshEmail();
    const entry = await created(p, source);
    expect((await askLink(p, source, entry, { channel: 'email', to })).status).toBe(202);

    const refused = await askLink(p, source, entry, { channel: 'email', to });

    expect([refused.status, errorCode(refused)]).toEqual([429, 'too_many_link_requests']);
    const midnight = (Math.floor(Date.now() / 86_400_000) + 1) * 86_400_000;
    expect(Math.abs(retryAfter(refused) - (midnight - Date.now()) / 1000)).toBeLessThan(5);
    expect(await slots(LIMIT_KEY_PREFIXES.sourceLinks, hash('source', source))).toHaveLength(1);
    expect(await slots(LIMIT_KEY_PREFIXES.recipient, hash('email', to))).toHaveLength(1);
    await bus.drain();
  });

  it('takes 10,000 entries created by pages per UTC day, then 429 too_many_entries', async () => {
    const p = await project();
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: { entry_id: { S: `${LIMIT_KEY_PREFIXES.projectEntries}${p.projectId}#${utcDay(Date.now())}` }, n: { N: '9999' } },
      }),
    );
    const source = freshSource();
    expect((await create(p, source)).status).toBe(201);
    const refused = await create(p, source);
    expect([refused.status, errorCode(refused)]).toEqual([429, 'too_many_entries']);
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect(await slots(LIMIT_KEY_PREFIXES.sourceEntries, hash('source', source))).toHaveLength(1);
  });
});

describe('creations per source address (reproduction: one client created 300 entries in 1.8 s)', () => {
  it('takes 100 in the rolling hour: the 101st gets 429 too_many_entries with Retry-After; another source is not affected, and saves to an existing entry are not limited', async () => {
    const p = await project();
    const source = freshSource();
    const first = await created(p, source);
    for (let i = 1; i < 100; i++) expect((await create(p, source)).status).toBe(201);

    const refused = await create(p, source);

    expect([refused.status, errorCode(refused)]).toEqual([429, 'too_many_entries']);
    expect(retryAfter(refused)).toBeGreaterThan(3500);
    expect((await create(p, freshSource())).status).toBe(201);
    for (let seq = 1; seq <= 5; seq++) {
      const saved = await fromSource(source, routePath('saveProgress').replace('{entry_id}', first.entry_id), {
        project_id: p.projectId,
        flow_id: p.flowId,
        save_token: first.save_token,
        seq,
        current_page_key: `page_${seq}`,
        user_data: { seq },
      });
      expect(saved.status).toBe(200);
    }
  }, 60_000);

  it('never gives the last slot to two concurrent creations', async () => {
    const p = await project();
    const source = freshSource();
    for (let i = 0; i < 98; i++) expect((await create(p, source)).status).toBe(201);

    const replies = await Promise.all([1, 2, 3].map(() => create(p, source)));

    expect(replies.map((r) => r.status).sort()).toEqual([201, 201, 429]);
    expect(await slots(LIMIT_KEY_PREFIXES.sourceEntries, hash('source', source))).toHaveLength(100);
  }, 60_000);

  it('counts an IPv6 source by its /64: two addresses of one /64 share a bound, another /64 does not', async () => {
    const p = await project();
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:${Math.floor(Math.random() * 0xffff).toString(16)}`;
    const createFrom = (sourceIp: string) => {
      const event = routeEvent(
        'createEntry',
        {},
        { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: {} },
        {},
        { origin: SITE },
      );
      return invoke(saves, { ...event, requestContext: { ...event.requestContext, http: { ...event.requestContext.http, sourceIp } } });
    };
    expect(sourceOf(`${prefix}::1`)).toBe(sourceOf(`${prefix}:ffff:ffff:ffff:fffe`));
    for (let i = 0; i < 100; i++) expect((await createFrom(i % 2 ? `${prefix}::${i.toString(16)}` : `${prefix}:1:2:3:${i.toString(16)}`)).status).toBe(201);

    const refused = await createFrom(`${prefix}:ffff:ffff:ffff:fffe`);

    expect([refused.status, (refused.json as { error: { code: string } }).error.code]).toEqual([429, 'too_many_entries']);
    expect((await createFrom(`${prefix.replace(/:[0-9a-f]+$/, ':abcd')}::1`)).status).toBe(201);
  }, 60_000);
});

describe('link requests per source address', () => {
  it('takes 20 in the rolling hour from one address, whatever the entries and recipients; the 21st gets 429 with Retry-After', async () => {
    const p = await project();
    const source = freshSource();
    const entries: Entry[] = [];
    for (let i = 0; i < 8; i++) entries.push(await created(p, source));
    const replies: HttpReply[] = [];
    for (let i = 0; i < 20; i++) replies.push(await askLink(p, source, entries[Math.floor(i / 3)], { channel: 'email', to: freshEmail() }));
    const to = freshEmail();
    replies.push(await askLink(p, source, entries[7], { channel: 'email', to }));

    expect(countOf(replies)).toEqual({ '202': 20, '429 too_many_link_requests': 1 });
    expect(retryAfter(replies[20])).toBeGreaterThan(3500);
    // The refusal gave back what the entry's bound had taken, and took nothing of the recipient's.
    expect(await slots('link-requests#', entries[7].entry_id)).toEqual([]);
    expect(await slots(LIMIT_KEY_PREFIXES.recipient, hash('email', to))).toEqual([]);
    // Another source is not affected.
    expect((await askLink(p, freshSource(), entries[7], { channel: 'email' })).status).toBe(202);
    await bus.drain();
  });
});
