import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../../lambdas/adapters/clients';
import { RECORD_ATTEMPTS } from '../../lambdas/adapters/dynamodb-entry-store';
import { MAX_LINK_REQUESTS_PER_HOUR } from '../../lambdas/domain/link-requests';
import { DynamoDbRequestLog } from '../../lambdas/adapters/dynamodb-link-limits';
import { CAMPAIGN_SHARDS, campaignKey, HANDOFFS_KEY_PREFIX, RESUMED_KEY_PREFIX } from '../../lambdas/adapters/naming';
import { HANDOFF_CAMPAIGN, MAX_HANDOFFS_PER_HOUR } from '../../lambdas/domain/handoff';
import { MAX_PAGE_LINKS } from '../../lambdas/domain/ports';
import { saveGenOf } from '../../lambdas/domain/save-token';
import { routePath } from '../../lambdas/http/routes';
import { defaultOf } from '../../lambdas/runtime/environment';
import { type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, send } from '../attack/support';
import { registerSensitive } from '../support/sensitive';
import { deleteEntries, deleteEntry, deleteProject, uid } from '../support/seed';
import { controlClock } from '../support/clock';
import { startTestRuntime } from '../support/runtime';

/**
 * Hand-off to another device (docs/handoff.md), against the local runtime: the
 * same handler as in AWS, on moto. Device A is the page that saves; device B
 * opens the link A shows as a QR code.
 */
const SITE = 'https://quiz.example';
/** A person's browser: an automated client's resume (isbot) is answered with no save token. */
const PHONE = {
  'user-agent': 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
};
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
  await deleteEntries([...entries.map((e) => `${HANDOFFS_KEY_PREFIX}${e}`), ...entries.map((e) => `${RESUMED_KEY_PREFIX}${e}`)]);
  await deleteEntries(projects.flatMap((p) => Array.from({ length: CAMPAIGN_SHARDS }, (_, shard) => campaignKey(p, HANDOFF_CAMPAIGN, shard))));
  for (const projectId of projects) await deleteProject(projectId);
});

const admin = async (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

const project = async (options: { saves?: boolean } = {}) => {
  const projectId = uid('proj');
  projects.push(projectId);
  await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'handoff' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE] });
  await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: options.saves !== false });
  return { projectId, flowId: uid('flow') };
};
type Project = Awaited<ReturnType<typeof project>>;

const fromPage = (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const all: Record<string, string> = { 'content-type': 'application/json', origin: SITE, ...PHONE, ...headers };
  return send(`${rt.apiUrl}${path}`, JSON.stringify(body), all);
};
const created = async (p: Project) => {
  const reply = await fromPage(routePath('createEntry'), {
    project_id: p.projectId,
    flow_id: p.flowId,
    current_page_key: 'page_2',
    user_data: { first_name: 'Ada' },
  });
  const body = reply.json as { entry_id: string; save_token: string };
  entries.push(body.entry_id);
  return body;
};
const handoffPath = (entryId: string) => routePath('handoff').replace('{entry_id}', entryId);
const handOff = (p: Project, entryId: string, saveToken: string, extra: Record<string, unknown> = {}, headers?: Record<string, string>) =>
  fromPage(handoffPath(entryId), { project_id: p.projectId, flow_id: p.flowId, save_token: saveToken, ...extra }, headers);

interface Handoff {
  url: string;
  short_url: string;
  expires_at: string;
}
const linkOf = (h: Handoff) => {
  const url = new URL(h.url);
  // The link is as good as the token: it must never be logged.
  registerSensitive(url.searchParams.get('token'), h.url, h.short_url);
  return url;
};
/** Device B opens the link: the resume the clients make with its three parameters. */
const resume = (p: Project, url: URL) =>
  fromPage(routePath('loadEntryData'), {
    project_id: p.projectId,
    flow_id: p.flowId,
    entry_id: url.searchParams.get('entry_id'),
    token: url.searchParams.get('token'),
    expires_at: url.searchParams.get('expires_at'),
  });
const save = (p: Project, entryId: string, saveToken: string, seq: number) =>
  fromPage(routePath('saveProgress').replace('{entry_id}', entryId), {
    project_id: p.projectId,
    flow_id: p.flowId,
    save_token: saveToken,
    seq,
    current_page_key: 'page_3',
    user_data: { first_name: 'Ada', seats: 3 },
  });
const handoffsOf = async (entryId: string) => (await new DynamoDbRequestLog(dynamodb, process.env.TABLE_NAME!, HANDOFFS_KEY_PREFIX).read(entryId))?.value ?? [];

describe('a hand-off from a browser-saves page', () => {
  it("answers 201 with a single-use page link valid 10 minutes and its short link; the link resumes once, then 401 link_revoked; the first device's next save 401 invalid_save_token", async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);

    const reply = await handOff(p, entry_id, save_token, { resume_url: `${SITE}/quiz?step=resume` });

    expect(reply.status).toBe(201);
    const h = reply.json as Handoff;
    expect(Object.keys(h).sort()).toEqual(['expires_at', 'short_url', 'url']);
    const url = linkOf(h);
    expect(`${url.origin}${url.pathname}`).toBe(`${SITE}/quiz`);
    expect(url.searchParams.get('step')).toBe('resume');
    expect(url.searchParams.get('sr_confirm')).toBe('1');
    expect(url.searchParams.get('entry_id')).toBe(entry_id);
    expect(Math.abs(Date.parse(h.expires_at) - (Date.now() + defaultOf('HANDOFF_TTL_SECONDS') * 1000))).toBeLessThan(30_000);
    expect(defaultOf('HANDOFF_TTL_SECONDS')).toBe(600);
    // The short link redirects to the full one.
    const short = await send(`${rt.apiUrl}${new URL(h.short_url).pathname}`, undefined, {}, 'GET');
    expect(short.status).toBe(302);
    expect(short.headers.get('location')).toBe(h.url);

    const first = await resume(p, url);
    expect(first.status).toBe(200);
    expect((first.json as { entry: { first_name: string } }).entry.first_name).toBe('Ada');
    expect((first.json as { save_token?: string }).save_token).toEqual(expect.any(String));
    const again = await resume(p, url);
    expect([again.status, errorCode(again)]).toEqual([401, 'link_revoked']);
    // Device A's token ended with device B's resume.
    const stale = await save(p, entry_id, save_token, 1);
    expect([stale.status, errorCode(stale)]).toEqual([401, 'invalid_save_token']);
    // Device B saves on with the token its resume gave it.
    expect((await save(p, entry_id, (first.json as { save_token: string }).save_token, 1)).status).toBe(200);
  });

  it('an automated client (curl, Googlebot, python-requests) gets 403 person_required and no data, however often, and does not use the link up; the person then resumes once', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const h = (await handOff(p, entry_id, save_token)).json as Handoff;
    const url = linkOf(h);
    // The marker is on the entry, by the link's digest: a link without sr_confirm (or any query but the three) is the same link.
    const stripped = new URL(url.href);
    stripped.searchParams.delete('sr_confirm');
    for (const agent of ['curl/8.5.0', 'Googlebot/2.1 (+http://www.google.com/bot.html)', 'python-requests/2.31.0', 'curl/8.5.0']) {
      const bot = await fromPage(
        routePath('loadEntryData'),
        {
          project_id: p.projectId,
          flow_id: p.flowId,
          entry_id,
          token: stripped.searchParams.get('token'),
          expires_at: stripped.searchParams.get('expires_at'),
        },
        { 'user-agent': agent },
      );
      expect([bot.status, errorCode(bot)]).toEqual([403, 'person_required']);
      expect(bot.text).not.toContain('Ada');
    }
    // The page's token still saves: no bot took the entry over.
    expect((await save(p, entry_id, save_token, 1)).status).toBe(200);
    const person = await resume(p, url);
    expect(person.status).toBe(200);
    expect((await resume(p, url)).status).toBe(401);
    const stale = await save(p, entry_id, save_token, 2);
    expect([stale.status, errorCode(stale)]).toEqual([401, 'invalid_save_token']);
  });

  it('a person’s resume uses the link up even when browser saves were turned off since: 200 once with no save token, then 401 link_revoked', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const url = linkOf((await handOff(p, entry_id, save_token)).json as Handoff);
    await admin('PUT', `/v1/projects/${p.projectId}/browser-saves`, { enabled: false });
    const first = await resume(p, url);
    expect(first.status).toBe(200);
    expect((first.json as { save_token?: string }).save_token).toBeUndefined();
    const again = await resume(p, url);
    expect([again.status, errorCode(again)]).toEqual([401, 'link_revoked']);
  });

  it('puts nothing on the bus: the link goes to the page only', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    linkOf((await handOff(p, entry_id, save_token)).json as Handoff);
    // Then a link request for the same entry, which does put its event: the bus delivers, and only that one arrives.
    const asked = await fromPage(routePath('linkRequests').replace('{entry_id}', entry_id), {
      project_id: p.projectId,
      flow_id: p.flowId,
      save_token,
      channel: 'email',
    });
    expect(asked.status).toBe(202);
    entries.push(`link-requests#${entry_id}`);
    const events = (await bus.drain()).filter((e) => e.detail.entry_id === entry_id);
    expect(events.map((e) => [e['detail-type'], e.detail.channel])).toEqual([['Resume Link Requested', 'email']]);
  });

  it(`answers 429 too_many_handoffs with Retry-After after ${MAX_HANDOFFS_PER_HOUR} in the hour, and writes no link then`, async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    for (let i = 0; i < MAX_HANDOFFS_PER_HOUR; i++) {
      const ok = await handOff(p, entry_id, save_token);
      expect(ok.status).toBe(201);
      linkOf(ok.json as Handoff);
    }

    const over = await handOff(p, entry_id, save_token);

    expect([over.status, errorCode(over)]).toEqual([429, 'too_many_handoffs']);
    const retryAfter = Number(over.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(3500);
    expect(retryAfter).toBeLessThanOrEqual(3600);
    expect(await handoffsOf(entry_id)).toHaveLength(MAX_HANDOFFS_PER_HOUR);
  });

  it('never gives the last slot to two concurrent requests', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    for (let i = 0; i < MAX_HANDOFFS_PER_HOUR - 1; i++) linkOf((await handOff(p, entry_id, save_token)).json as Handoff);

    const replies = await Promise.all([1, 2, 3].map(() => handOff(p, entry_id, save_token)));

    for (const r of replies) if (r.status === 201) linkOf(r.json as Handoff);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 429, 429]);
    expect(await handoffsOf(entry_id)).toHaveLength(MAX_HANDOFFS_PER_HOUR);
  });

  it('an ended save token gets 401 invalid_save_token whatever the count, before it takes a slot: 40 at once leave the current holder its 10', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const url = linkOf((await handOff(p, entry_id, save_token)).json as Handoff);
    const phone = (await resume(p, url)).json as { save_token: string };

    const stale = await Promise.all(Array.from({ length: 40 }, () => handOff(p, entry_id, save_token)));

    expect(stale.map((r) => `${r.status} ${errorCode(r)}`)).toEqual(Array.from({ length: 40 }, () => '401 invalid_save_token'));
    expect(await handoffsOf(entry_id)).toHaveLength(1);
    for (let i = 1; i < MAX_HANDOFFS_PER_HOUR; i++) {
      const ok = await handOff(p, entry_id, phone.save_token);
      expect(ok.status).toBe(201);
      linkOf(ok.json as Handoff);
    }
    expect((await handOff(p, entry_id, phone.save_token)).status).toBe(429);
    // Past the count too, the ended token is told it ended.
    expect(errorCode(await handOff(p, entry_id, save_token))).toBe('invalid_save_token');
  }, 60_000);

  it('hand-offs made in the same millisecond each get a link of their own, each recorded as a page link', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    // Only Date is frozen (controlClock): timers and sockets run as ever, and every hand-off reads one instant as its now.
    const clock = controlClock();
    let replies;
    try {
      replies = await Promise.all(Array.from({ length: 4 }, () => handOff(p, entry_id, save_token)));
    } finally {
      clock.restore();
    }
    expect(replies.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    const urls = replies.map((r) => linkOf(r.json as Handoff).href);
    expect(new Set(urls).size).toBe(4);
    const item = await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: entry_id } }, ConsistentRead: true }));
    expect(Object.keys(item.Item?.page_links?.M ?? {})).toHaveLength(4);
  }, 60_000);

  it('25 concurrent hand-offs of one entry: never a 503; each 201 has its slot and its page link recorded, the others 429', async () => {
    // A writer that fails n times saw n other links recorded: more attempts than page links can race one (10 + 3).
    expect(RECORD_ATTEMPTS).toBeGreaterThan(MAX_HANDOFFS_PER_HOUR + MAX_LINK_REQUESTS_PER_HOUR);
    const p = await project();
    const { entry_id, save_token } = await created(p);

    const replies = await Promise.all(Array.from({ length: 25 }, () => handOff(p, entry_id, save_token)));

    const made = replies.filter((r) => r.status === 201);
    made.forEach((r) => linkOf(r.json as Handoff));
    expect(replies.filter((r) => r.status !== 201).map((r) => `${r.status} ${errorCode(r)}`)).toEqual(
      Array.from({ length: 25 - made.length }, () => '429 too_many_handoffs'),
    );
    expect(made.length).toBeGreaterThan(0);
    expect(await handoffsOf(entry_id)).toHaveLength(made.length);
    const item = await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: entry_id } }, ConsistentRead: true }));
    expect(Object.keys(item.Item?.page_links?.M ?? {})).toHaveLength(made.length);
    // Each from its slot's own instant: no two hand-offs share a link, even answered in the same millisecond.
    expect(new Set(made.map((r) => (r.json as Handoff).url)).size).toBe(made.length);
  }, 60_000);

  it(`counts among the entry's ${MAX_PAGE_LINKS} unexpired page links, which link requests share: past them 429 too_many_link_requests, and its slot given back`, async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const expiresAt = Math.floor(Date.now() / 1000) + 3600;
    // The entry's page links of its current generation, as if link requests had asked for them.
    const links = Object.fromEntries(
      Array.from({ length: MAX_PAGE_LINKS }, (_, i) => [`digest_${i}`, { M: { g: { S: saveGenOf(save_token)! }, x: { N: String(expiresAt) } } }]),
    );
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { entry_id: { S: entry_id } },
        UpdateExpression: 'SET page_links = :m',
        ExpressionAttributeValues: { ':m': { M: links } },
      }),
    );

    const reply = await handOff(p, entry_id, save_token);

    expect([reply.status, errorCode(reply)]).toEqual([429, 'too_many_link_requests']);
    expect(await handoffsOf(entry_id)).toEqual([]);
  });

  describe('admission, as link requests: each refusal mints nothing and takes no slot', () => {
    it('a wrong Origin: 403 forbidden', async () => {
      const p = await project();
      const { entry_id, save_token } = await created(p);
      const reply = await handOff(p, entry_id, save_token, {}, { origin: 'https://evil.example' });
      expect([reply.status, errorCode(reply)]).toEqual([403, 'forbidden']);
      expect(await handoffsOf(entry_id)).toEqual([]);
    });

    it('a stale save token (the entry was resumed since): 401 invalid_save_token', async () => {
      const p = await project();
      const { entry_id, save_token } = await created(p);
      const url = linkOf((await handOff(p, entry_id, save_token)).json as Handoff);
      expect((await resume(p, url)).status).toBe(200);

      const reply = await handOff(p, entry_id, save_token);

      expect([reply.status, errorCode(reply)]).toEqual([401, 'invalid_save_token']);
      // The slot the refused request took is given back.
      expect(await handoffsOf(entry_id)).toHaveLength(1);
    });

    it('browser saves off: 403 browser_saves_disabled', async () => {
      const p = await project();
      const { entry_id, save_token } = await created(p);
      await admin('PUT', `/v1/projects/${p.projectId}/browser-saves`, { enabled: false });
      const reply = await handOff(p, entry_id, save_token);
      expect([reply.status, errorCode(reply)]).toEqual([403, 'browser_saves_disabled']);
      expect(await handoffsOf(entry_id)).toEqual([]);
    });

    it('a resume_url on another origin: 400 invalid_request', async () => {
      const p = await project();
      const { entry_id, save_token } = await created(p);
      for (const resumeUrl of ['https://evil.example/quiz', 'http://quiz.example/', 'not a url']) {
        const reply = await handOff(p, entry_id, save_token, { resume_url: resumeUrl });
        expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_request']);
      }
      expect(await handoffsOf(entry_id)).toEqual([]);
    });
  });

  it('is counted in campaign handoff: minted, resumed by a person, completed; campaigns report shows it', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const url = linkOf((await handOff(p, entry_id, save_token)).json as Handoff);
    // A second code shown but never opened: minted, not resumed.
    linkOf((await handOff(p, entry_id, save_token)).json as Handoff);
    // Opened seconds after it was shown, by a person: a hand-off's age never makes it a scanner's.
    expect((await resume(p, url)).status).toBe(200);
    expect((await admin('POST', `/v1/entries/${entry_id}/complete`, { project_id: p.projectId })).status).toBe(200);

    const figures = await admin('GET', `/v1/projects/${p.projectId}/campaigns/${HANDOFF_CAMPAIGN}`);

    expect(figures.json).toEqual({ campaign: { campaign: 'handoff', links_minted: 2, entries_resumed: 1, completions: 1, recovery_rate: 1 } });
  });
});
