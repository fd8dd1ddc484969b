import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { countCalls } from '../../dev-support/call-counter';
import { defaultOf } from '../../lambdas/runtime/environment';
import { dynamodb } from '../../lambdas/adapters/clients';
import { DynamoDbRequestLog } from '../../lambdas/adapters/dynamodb-link-limits';
import { LIMIT_KEY_PREFIXES, LINK_REQUESTS_KEY_PREFIX } from '../../lambdas/adapters/naming';
import { routePath } from '../../lambdas/http/routes';
import { type BusEvent, type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, send, tampered } from '../attack/support';
import { controlClock } from '../support/clock';
import { httpRequest } from '../support/raw-http';
import { deleteEntries, deleteEntry, deleteProject, uid } from '../support/seed';
import { startTestRuntime } from '../support/runtime';

/**
 * Link requests from the page, end to end against the local runtime: the same
 * handler as in AWS, the emulator's EventBridge bus, and a rule of the test's
 * own whose SQS queue shows exactly what the bus delivered.
 */
const SITE = 'https://quiz.example';
/** A person's browser: an automated client's resume (isbot) is answered with no save token. */
const CHROME = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' };
let rt: LocalRuntime;
let bus: BusSubscription;
const projects: string[] = [];
const entries: string[] = [];

beforeAll(async () => {
  rt = await startTestRuntime();
  bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), rt.eventBusName);
}, 60_000);
afterAll(async () => {
  await bus.close();
  await rt.stop();
  for (const entryId of entries) await deleteEntry(entryId);
  await deleteEntries(entries.map((e) => `${LINK_REQUESTS_KEY_PREFIX}${e}`));
  for (const projectId of projects) await deleteProject(projectId);
});

const admin = async (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

const project = async (options: { saves?: boolean } = {}) => {
  const projectId = uid('proj');
  projects.push(projectId);
  await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'links' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE, 'https://*.shop.example'] });
  if (options.saves !== false) await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true, sms_countries: ['GB'] });
  return { projectId, flowId: uid('flow') };
};
type Project = Awaited<ReturnType<typeof project>>;

const fromPage = (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const all: Record<string, string> = { 'content-type': 'application/json', origin: SITE, ...headers };
  if (all.origin === '') delete all.origin;
  return send(`${rt.apiUrl}${path}`, JSON.stringify(body), all);
};
const created = async (p: Project) => {
  const reply = await fromPage(routePath('createEntry'), { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: { step: 1 } });
  const body = reply.json as { entry_id: string; save_token: string };
  entries.push(body.entry_id);
  return body;
};
const linkPath = (entryId: string) => routePath('linkRequests').replace('{entry_id}', entryId);
const requestLink = (p: Project, entryId: string, saveToken: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  fromPage(linkPath(entryId), { project_id: p.projectId, flow_id: p.flowId, save_token: saveToken, channel: 'email', ...extra }, headers);

/** What the bus delivered for this entry since the last look (the events of other tests are set aside). */
const delivered = async (entryId: string): Promise<BusEvent[]> => (await bus.drain()).filter((e) => e.detail.entry_id === entryId);
const sentSlots = async (entryId: string) =>
  (await new DynamoDbRequestLog(dynamodb, process.env.TABLE_NAME!, LINK_REQUESTS_KEY_PREFIX).read(entryId))?.value ?? [];

describe('a link request from a browser-saves page', () => {
  it('answers 202 and puts exactly one Resume Link Requested event on the bus, with a link that resumes the entry', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const to = 'ada.lovelace@example.com';

    const reply = await requestLink(p, entry_id, save_token, { to, resume_url: `${SITE}/quiz?step=resume` });

    expect(reply.status).toBe(202);
    const { expires_at } = reply.json as { expires_at: string };
    expect(reply.json).toEqual({ channel: 'email', expires_at });
    // Minted with linkDefaultLifetime (7 days unless set).
    expect(Math.abs(Date.parse(expires_at) - (Date.now() + defaultOf('MINT_DEFAULT_TTL_SECONDS') * 1000))).toBeLessThan(60_000);
    // The hour's count is a small item that DynamoDB's TTL removes an hour after its newest request.
    const count = await dynamodb.send(
      new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: `${LINK_REQUESTS_KEY_PREFIX}${entry_id}` } }, ConsistentRead: true }),
    );
    expect(Math.abs(Number(count.Item?.retain_until?.N) - (Date.now() + 3_600_000) / 1000)).toBeLessThan(60);
    const events = await delivered(entry_id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ source: 'session-recovery', 'detail-type': 'Resume Link Requested' });
    const url = new URL(events[0].detail.url as string);
    expect(events[0].detail).toEqual({ project_id: p.projectId, flow_id: p.flowId, entry_id, channel: 'email', to, url: url.href, expires_at });
    expect(`${url.origin}${url.pathname}`).toBe(`${SITE}/quiz`);
    expect(url.searchParams.get('step')).toBe('resume');
    const resumed = await send(
      `${rt.apiUrl}${routePath('loadEntryData')}`,
      JSON.stringify({
        project_id: p.projectId,
        flow_id: p.flowId,
        entry_id,
        token: url.searchParams.get('token'),
        expires_at: url.searchParams.get('expires_at'),
      }),
    );
    expect(resumed.status).toBe(200);
  });

  it("takes its counts and records the page link on the entry, under the save token's generation: the counts are its only other writes", async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const calls = countCalls(rt.clients.dynamodb);
    try {
      // From an address of this test's own: the suite's other files, in parallel, request links from 127.0.0.1, and a
      // compare-and-swap on that source's count lost to one of them writes it twice.
      const source = `127.${[1, 2, 3].map(() => 1 + Math.floor(Math.random() * 250)).join('.')}`;
      const reply = await httpRequest(`${rt.apiUrl}${linkPath(entry_id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE },
        body: JSON.stringify({ project_id: p.projectId, flow_id: p.flowId, save_token, channel: 'email' }),
        localAddress: source,
      });
      expect(reply.status).toBe(202);
      const writes = calls.calls.flatMap((name, i) =>
        /^(Batch)?GetItem/.test(name)
          ? []
          : [[name, ((calls.inputs[i].Key ?? calls.inputs[i].Item) as { entry_id: { S: string } }).entry_id.S.replace(/#.*$/, '#')]],
      );
      // The entry's hour, the source's hour and the project's day (no recipient named, so no recipient's count), then the page link.
      expect(writes).toEqual([
        ['PutItemCommand', LINK_REQUESTS_KEY_PREFIX],
        ['PutItemCommand', LIMIT_KEY_PREFIXES.sourceLinks],
        ['UpdateItemCommand', LIMIT_KEY_PREFIXES.projectLinks],
        ['UpdateItemCommand', entry_id],
      ]);
      expect(calls.inputs[calls.calls.lastIndexOf('UpdateItemCommand')].ConditionExpression).toContain('save_gen = :gen');
    } finally {
      calls.detach();
    }
    await delivered(entry_id);
  });

  it("after the entry's links were revoked, refuses the page's token (401), and sends a link that works once a person resumed with a link minted since, while the old ones stay revoked", async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const open = (url: URL | { token: string; expires_at: string }) => {
      const link = url instanceof URL ? { token: url.searchParams.get('token'), expires_at: url.searchParams.get('expires_at') } : url;
      return send(`${rt.apiUrl}${routePath('loadEntryData')}`, JSON.stringify({ project_id: p.projectId, flow_id: p.flowId, entry_id, ...link }), {
        'content-type': 'application/json',
        ...CHROME,
      });
    };
    expect((await requestLink(p, entry_id, save_token)).status).toBe(202);
    const before = new URL((await delivered(entry_id))[0].detail.url as string);
    expect((await admin('POST', routePath('revokeLinks').replace('{entry_id}', entry_id), { project_id: p.projectId })).status).toBe(200);

    const ended = await requestLink(p, entry_id, save_token);
    expect([ended.status, errorCode(ended)]).toEqual([401, 'invalid_save_token']);
    expect(await delivered(entry_id)).toEqual([]);
    // The team's backend sends a fresh link; the person resumes with it and gets a new save token.
    const { token, expires_at } = (await admin('POST', '/v1/tokens', { project_id: p.projectId, entry_id, ttl_seconds: 3600 })).json as {
      token: string;
      expires_at: string;
    };
    const resumed = await open({ token, expires_at });
    expect(resumed.status).toBe(200);
    expect((await requestLink(p, entry_id, (resumed.json as { save_token: string }).save_token)).status).toBe(202);

    const after = new URL((await delivered(entry_id))[0].detail.url as string);
    expect((await open(after)).status).toBe(200);
    expect(errorCode(await open(before))).toBe('link_revoked');
  });

  it('mints a short link for sms, which redirects to the full link; the address is optional', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);

    const reply = await requestLink(p, entry_id, save_token, { channel: 'sms' });

    expect(reply.status).toBe(202);
    const [event] = await delivered(entry_id);
    const detail = event.detail as { url: string; short_url: string; to?: string };
    expect(detail.to).toBeUndefined();
    // Without resume_url, the link opens the page's own origin.
    expect(detail.url.startsWith(`${SITE}/?sr_confirm=1&token=`)).toBe(true);
    const code = detail.short_url.split('/').pop()!;
    const redirect = await fetch(`${rt.apiUrl}/r/${code}`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([302, detail.url]);
  });

  it('takes at most 3 requests per entry per rolling hour: the fourth gets 429 too_many_link_requests and puts no event', async () => {
    const clock = controlClock();
    try {
      const p = await project();
      const { entry_id, save_token } = await created(p);
      for (let i = 0; i < 3; i++) {
        expect((await requestLink(p, entry_id, save_token)).status).toBe(202);
        clock.advance(60_000);
      }
      expect(await delivered(entry_id)).toHaveLength(3);

      const fourth = await requestLink(p, entry_id, save_token);

      expect([fourth.status, errorCode(fourth)]).toEqual([429, 'too_many_link_requests']);
      expect(fourth.headers.get('retry-after')).toBe(String(3600 - 180));
      expect(await delivered(entry_id)).toEqual([]);
      // Another entry of the same page has its own three.
      const other = await created(p);
      expect((await requestLink(p, other.entry_id, other.save_token)).status).toBe(202);
      // An hour after the first request, one slot is free again, and only one.
      clock.advance(3_600_000 - 180_000 + 1);
      expect((await requestLink(p, entry_id, save_token)).status).toBe(202);
      expect((await requestLink(p, entry_id, save_token)).status).toBe(429);
    } finally {
      clock.restore();
    }
  });

  it('never gives the last slot to two concurrent requests', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    for (let i = 0; i < 2; i++) expect((await requestLink(p, entry_id, save_token)).status).toBe(202);
    await delivered(entry_id);

    const replies = await Promise.all([1, 2, 3].map(() => requestLink(p, entry_id, save_token)));

    expect(replies.map((r) => r.status).sort()).toEqual([202, 429, 429]);
    expect(await delivered(entry_id)).toHaveLength(1);
    expect(await sentSlots(entry_id)).toHaveLength(3);
  });
});

describe('a link request the product refuses, with no event and no slot taken', () => {
  it.each([
    ['from a foreign origin', { headers: { origin: 'https://evil.example' } }, 403, 'forbidden'],
    ['with no Origin (not from a page)', { headers: { origin: '' } }, 403, 'forbidden'],
    ['with a resume_url on another site (a link mailed to a phishing page)', { body: { resume_url: 'https://evil.example/quiz' } }, 400, 'invalid_request'],
    ['with a resume_url on a look-alike host', { body: { resume_url: 'https://quiz.example.evil.example/' } }, 400, 'invalid_request'],
    ['with a resume_url over http', { body: { resume_url: 'http://quiz.example/' } }, 400, 'invalid_request'],
    ['with an address that is not an email address', { body: { to: 'not an address' } }, 400, 'invalid_request'],
    ['with a phone number not in E.164 form', { body: { channel: 'sms', to: '07700 900123' } }, 400, 'invalid_request'],
    ['with an unknown channel', { body: { channel: 'fax' } }, 400, 'invalid_request'],
    ['with a tampered save token', { tamper: true }, 401, 'invalid_save_token'],
  ] as const)('%s', async (_name, attack, status, code) => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const a = attack as { headers?: Record<string, string>; body?: Record<string, unknown>; tamper?: boolean };
    const token = a.tamper ? tampered(save_token) : save_token;

    const refused = await requestLink(p, entry_id, token, a.body, a.headers);

    expect([refused.status, errorCode(refused)]).toEqual([status, code]);
    expect(await delivered(entry_id)).toEqual([]);
    expect(await sentSlots(entry_id)).toEqual([]);
  });

  it('checks the input before the save token, and the save token with no read', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const forged = tampered(save_token);
    const calls = countCalls(rt.clients.dynamodb);
    try {
      const phishing = await requestLink(p, entry_id, forged, { resume_url: 'https://evil.example/quiz' });
      expect([phishing.status, errorCode(phishing)]).toEqual([400, 'invalid_request']);
      const refused = await requestLink(p, entry_id, forged);
      expect([refused.status, errorCode(refused)]).toEqual([401, 'invalid_save_token']);
      expect(calls.calls).toEqual([]);
    } finally {
      calls.detach();
    }
  });

  it("reads the counts and mint's entry strongly consistently, takes each slot with one write and records the page link with 1 UpdateItem, as the README's call budget says", async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    // The project's settings and the save key are cached by the create: what is counted is the request's own.
    const calls = countCalls(rt.clients.dynamodb);
    try {
      expect((await requestLink(p, entry_id, save_token, { to: 'call.budget@example.com' })).status).toBe(202);
      expect(calls.calls).toEqual([
        'GetItemCommand',
        'GetItemCommand',
        'PutItemCommand',
        'GetItemCommand',
        'PutItemCommand',
        'GetItemCommand',
        'PutItemCommand',
        'UpdateItemCommand',
        'GetItemCommand',
        'UpdateItemCommand',
      ]);
      const keyOf = (i: Record<string, unknown>) => ((i.Key ?? i.Item) as { entry_id: { S: string } }).entry_id.S;
      expect(calls.inputs.map((i) => [i.ConsistentRead, keyOf(i).startsWith('entry_') ? keyOf(i) : keyOf(i).replace(/#.*$/, '#')])).toEqual([
        // The entry's save generation, before any slot (an ended token takes none).
        [true, entry_id],
        [true, LINK_REQUESTS_KEY_PREFIX],
        [undefined, LINK_REQUESTS_KEY_PREFIX],
        [true, LIMIT_KEY_PREFIXES.sourceLinks],
        [undefined, LIMIT_KEY_PREFIXES.sourceLinks],
        [true, LIMIT_KEY_PREFIXES.recipient],
        [undefined, LIMIT_KEY_PREFIXES.recipient],
        [undefined, LIMIT_KEY_PREFIXES.projectLinks],
        [true, entry_id],
        [undefined, entry_id],
      ]);
    } finally {
      calls.detach();
    }
    await delivered(entry_id);
  });

  it('refuses an ended save token with 401 invalid_save_token before any slot: 20 at once take none of the entry’s, the source’s or the project’s', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    expect((await admin('POST', routePath('revokeLinks').replace('{entry_id}', entry_id), { project_id: p.projectId })).status).toBe(200);

    const ended = await Promise.all(Array.from({ length: 20 }, () => requestLink(p, entry_id, save_token)));

    expect(ended.map((r) => `${r.status} ${errorCode(r)}`)).toEqual(Array.from({ length: 20 }, () => '401 invalid_save_token'));
    expect(await sentSlots(entry_id)).toEqual([]);
    expect(await delivered(entry_id)).toEqual([]);
  });

  it("refuses another entry's save token with 401 invalid_save_token, with no read and no write", async () => {
    const p = await project();
    const mine = await created(p);
    const other = await created(p);
    const calls = countCalls(rt.clients.dynamodb);
    try {
      const refused = await requestLink(p, mine.entry_id, other.save_token);

      expect([refused.status, errorCode(refused)]).toEqual([401, 'invalid_save_token']);
      expect(calls.calls).toEqual([]);
    } finally {
      calls.detach();
    }
    expect(await delivered(mine.entry_id)).toEqual([]);
    expect(await sentSlots(mine.entry_id)).toEqual([]);
  });

  it('refuses a resume_url over http with 400 before the save token is checked, even on a listed http origin; http is for localhost only', async () => {
    const p = await project();
    await admin('PUT', `/v1/projects/${p.projectId}/allowed-origins`, { origins: [SITE, 'http://quiz.example', 'http://localhost:8080'] });
    const { entry_id, save_token } = await created(p);
    const forged = tampered(save_token);
    const calls = countCalls(rt.clients.dynamodb);
    try {
      const refused = await requestLink(p, entry_id, forged, { resume_url: 'http://quiz.example/quiz' });
      expect([refused.status, errorCode(refused)]).toEqual([400, 'invalid_request']);
      expect(calls.calls).toEqual([]);
    } finally {
      calls.detach();
    }
    expect(await sentSlots(entry_id)).toEqual([]);

    const local = await requestLink(p, entry_id, save_token, { resume_url: 'http://localhost:8080/quiz' });
    expect(local.status).toBe(202);
    expect(((await delivered(entry_id))[0].detail.url as string).startsWith('http://localhost:8080/quiz?')).toBe(true);
  });

  it('refuses a project with browser saves off with 403 browser_saves_disabled', async () => {
    const on = await project();
    const { entry_id, save_token } = await created(on);
    const off = await project({ saves: false });

    const refused = await requestLink(off, entry_id, save_token);

    expect([refused.status, errorCode(refused)]).toEqual([403, 'browser_saves_disabled']);
  });

  it("accepts a resume_url on another of the project's own origins (a wildcard one)", async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);

    const reply = await requestLink(p, entry_id, save_token, { resume_url: 'https://eu.shop.example/resume' });

    expect(reply.status).toBe(202);
    expect(((await delivered(entry_id))[0].detail.url as string).startsWith('https://eu.shop.example/resume?')).toBe(true);
  });
});
