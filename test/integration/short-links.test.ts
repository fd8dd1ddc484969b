import { GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../../lambdas/adapters/clients';
import { shortLinkKey } from '../../lambdas/adapters/naming';
import { countCalls } from '../../dev-support/call-counter';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { handler as shortLinks } from '../../lambdas/short-links/index';
import { generateShortCode, SHORT_CODE_LENGTH } from '../../lambdas/domain/short-links';
import { errorOf, invoke } from '../support/http';
import { deleteEntry, deleteProject, seedEntry, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const table = () => process.env.TABLE_NAME as string;

let projectId: string;
let flowId: string;
let entryId: string;
beforeEach(async () => {
  projectId = uid('proj');
  flowId = uid('flow');
  entryId = uid('entry');
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_3', userData: { sms: 'yes' } });
  await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'sms' }));
});
/** The short links each test minted, removed after it as its entry is. */
const madeCodes: string[] = [];
afterEach(async () => {
  await Promise.all([entryId, ...madeCodes.splice(0).map(shortLinkKey)].map(deleteEntry));
  await deleteProject(projectId);
});

type Minted = { token: string; expires_at: string; url: string; url_length: number; short_url: string };
const mintShort = async (extra: Record<string, unknown> = {}): Promise<Minted> => {
  const reply = await invoke(
    mint,
    routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, resume_url: 'https://quiz.example.com/flow', short: true, ...extra }),
  );
  expect(reply.status).toBe(200);
  return reply.json as Minted;
};
const codeOf = (shortUrl: string): string => {
  const code = new URL(shortUrl).pathname.split('/').pop()!;
  if (!madeCodes.includes(code)) madeCodes.push(code);
  return code;
};
const open = (code: string, method: 'GET' | 'HEAD' = 'GET', headers: Record<string, string> = { accept: BROWSER_ACCEPT }, query: Record<string, string> = {}) =>
  invoke(shortLinks, routeEvent(method === 'GET' ? 'followShortLink' : 'checkShortLink', { code }, undefined, query, headers));
const storedItem = async (code: string) =>
  (await dynamodb.send(new GetItemCommand({ TableName: table(), Key: { entry_id: { S: shortLinkKey(code) } }, ConsistentRead: true }))).Item;

describe('a short link', () => {
  it("is 16 base62 characters on the short-link base URL, and mint reports the full link's length", async () => {
    const minted = await mintShort();
    expect(minted.short_url).toMatch(new RegExp(`^https://links\\.example\\.test/r/[0-9A-Za-z]{${SHORT_CODE_LENGTH}}$`));
    expect(minted.url_length).toBe(minted.url.length);
    // What makes SMS need it: the full link alone is over one 160-character segment.
    expect(minted.url_length).toBeGreaterThan(160);
    expect(minted.short_url.length).toBeLessThan(50);
  });

  it('redirects (302) to exactly the minted URL, with no-store and no-referrer, and the page it opens resumes the entry', async () => {
    const minted = await mintShort();
    const reply = await open(codeOf(minted.short_url));
    expect(reply.status).toBe(302);
    expect(reply.headers).toMatchObject({ location: minted.url, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(reply.raw).toBe('');
    const url = new URL(reply.headers.location);
    const resumed = await invoke(
      loadEntryData,
      loadEntryEvent({
        flow_id: flowId,
        project_id: projectId,
        entry_id: url.searchParams.get('entry_id'),
        token: url.searchParams.get('token'),
        expires_at: url.searchParams.get('expires_at'),
      }),
    );
    expect([resumed.status, resumed.json]).toEqual([200, { entry: { sms: 'yes', entry_id: entryId, current_page_key: 'page_3' } }]);
  });

  it("is stored under link#<code> with the link's expiry as the table's TTL attribute, and the campaign", async () => {
    const minted = await mintShort({ campaign: 'spring-sms', ttl_seconds: 3600 });
    const item = await storedItem(codeOf(minted.short_url));
    expect(item).toEqual({
      entry_id: { S: shortLinkKey(codeOf(minted.short_url)) },
      url: { S: minted.url },
      retain_until: { N: String(Math.ceil(Date.parse(minted.expires_at) / 1000)) },
      project_id: { S: projectId },
      link_entry_id: { S: entryId },
      campaign: { S: 'spring-sms' },
      created_at: { S: expect.any(String) },
    });
  });

  it('answers HEAD as GET, without a body; neither changes the stored link, however often scanners open it', async () => {
    const minted = await mintShort();
    const code = codeOf(minted.short_url);
    const before = await storedItem(code);
    const head = await open(code, 'HEAD');
    expect([head.status, head.headers.location, head.headers['cache-control'], head.headers['referrer-policy'], head.raw]).toEqual([
      302,
      minted.url,
      'no-store',
      'no-referrer',
      '',
    ]);
    for (let i = 0; i < 10; i++) {
      expect((await open(code, i % 2 ? 'HEAD' : 'GET')).status).toBe(302);
    }
    expect(await storedItem(code)).toEqual(before);
    expect((await open(code)).headers.location).toBe(minted.url);
  });

  it('reads exactly one GetItem, strongly consistent, per redirect, and nothing for a malformed code', async () => {
    const minted = await mintShort();
    const calls = countCalls(dynamodb);
    try {
      await open(codeOf(minted.short_url));
      await open(codeOf(minted.short_url), 'HEAD');
      expect(calls.calls).toEqual(['GetItemCommand', 'GetItemCommand']);
      expect(calls.inputs.map((i) => i.ConsistentRead)).toEqual([true, true]);
      calls.reset();
      for (const code of ['short', `${'a'.repeat(SHORT_CODE_LENGTH)}x`, 'a'.repeat(SHORT_CODE_LENGTH - 1) + '-', '../../v1/tokens']) {
        expect((await open(code)).status).toBe(404);
      }
      expect(calls.calls).toEqual([]);
    } finally {
      calls.detach();
    }
  });

  it('gets a small page for an unknown code, and the JSON error when the client asks for JSON', async () => {
    const unknown = generateShortCode();
    const page = await open(unknown);
    expect(page.status).toBe(404);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.raw).toContain('<title>This link has expired or does not exist</title>');
    expect(page.headers).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    });
    const json = await open(unknown, 'GET', { accept: 'application/json' });
    expect([json.status, errorOf(json)]).toEqual([404, { code: 'not_found', message: 'This link has expired or does not exist: ask for a new one.' }]);
    const head = await open(unknown, 'HEAD');
    expect([head.status, head.raw]).toEqual([404, '']);
  });

  it('gets 404 once its link has expired, even while DynamoDB has not yet deleted the record', async () => {
    const code = generateShortCode();
    registerSensitive(code);
    await dynamodb.send(
      new PutItemCommand({
        TableName: table(),
        Item: {
          entry_id: { S: shortLinkKey(code) },
          url: { S: 'https://quiz.example.com/flow?token=x' },
          retain_until: { N: String(Math.floor(Date.now() / 1000) - 1) },
          project_id: { S: projectId },
        },
      }),
    );
    try {
      expect((await open(code)).status).toBe(404);
    } finally {
      await deleteEntry(shortLinkKey(code));
    }
  });

  it("still redirects after the entry's links are revoked, and load-entry-data refuses the link it opens", async () => {
    const minted = await mintShort();
    await invoke(entries, routeEvent('revokeLinks', { entry_id: entryId }, { project_id: projectId }));
    const reply = await open(codeOf(minted.short_url));
    expect(reply.status).toBe(302);
    const url = new URL(reply.headers.location);
    const refused = await invoke(
      loadEntryData,
      loadEntryEvent({
        flow_id: flowId,
        project_id: projectId,
        entry_id: entryId,
        token: url.searchParams.get('token'),
        expires_at: url.searchParams.get('expires_at'),
      }),
    );
    expect([refused.status, errorOf(refused).code]).toEqual([401, 'link_revoked']);
  });

  it('is refused without resume_url, since it has nothing to redirect to', async () => {
    const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, short: true }));
    expect([reply.status, errorOf(reply)]).toEqual([
      400,
      { code: 'invalid_request', message: 'Invalid request: short needs resume_url: a short link redirects to the full link.' },
    ]);
  });

  it("comes with every row of a batch that asks for it, each code its own, each redirecting to its own row's URL", async () => {
    const reply = await invoke(
      mint,
      routeEvent(
        'mintBatch',
        {},
        {
          project_id: projectId,
          resume_url: 'https://quiz.example.com/flow',
          short: true,
          campaign: 'spring-sms',
          links: [{ entry_id: entryId }, { entry_id: 'bad--id' }, { entry_id: entryId, expires_at: new Date(Date.now() + 86400_000).toISOString() }],
        },
      ),
    );
    const links = (reply.json as { links: Array<{ url?: string; short_url?: string; error?: unknown }> }).links;
    expect(links.map((l) => [Boolean(l.short_url), Boolean(l.error)])).toEqual([
      [true, false],
      [false, true],
      [true, false],
    ]);
    expect(links[0].short_url).not.toBe(links[2].short_url);
    for (const link of [links[0], links[2]]) {
      expect((await open(codeOf(link.short_url!))).headers.location).toBe(link.url);
    }
  });
});

describe('the redirect as an attack surface', () => {
  it('never takes its Location from the request: query, Host and forwarding headers change nothing', async () => {
    const minted = await mintShort();
    const code = codeOf(minted.short_url);
    const reply = await open(
      code,
      'GET',
      { accept: BROWSER_ACCEPT, host: 'evil.example', 'x-forwarded-host': 'evil.example', referer: 'https://evil.example/' },
      { url: 'https://evil.example/', next: '//evil.example', redirect: 'https://evil.example/' },
    );
    expect([reply.status, reply.headers.location]).toEqual([302, minted.url]);
  });

  it('answers 1,000 guessed codes with 404, and a code is 95 bits from the CSPRNG, spread over all 62 characters', async () => {
    // 20 at a time: the handler and moto overlap, and a loaded machine still answers the thousand within the test's time.
    for (let i = 0; i < 1000; i += 20) {
      const statuses = await Promise.all(Array.from({ length: 20 }, async () => (await open(generateShortCode())).status));
      expect(statuses).toEqual(Array(20).fill(404));
    }
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) for (const c of generateShortCode()) counts.set(c, (counts.get(c) ?? 0) + 1);
    // 32,000 characters: each of the 62 is expected 516 times; bias would show as a character far off it.
    expect(counts.size).toBe(62);
    for (const n of counts.values()) expect(Math.abs(n - 516)).toBeLessThan(130);
  });

  it('maps random bytes to characters with no modulo bias: bytes 248 to 255 are dropped, not folded onto the first 8 characters', () => {
    const drawnFrom = (byte: number) => {
      const buffers = [Buffer.alloc(SHORT_CODE_LENGTH * 2, byte), Buffer.from(Array.from({ length: SHORT_CODE_LENGTH * 2 }, (_, i) => i))];
      return generateShortCode(() => buffers.shift()!);
    };
    const perCharacter = new Map<string, number>();
    for (let byte = 0; byte < 248; byte++) {
      const code = drawnFrom(byte);
      expect(code).toBe(code[0].repeat(SHORT_CODE_LENGTH));
      perCharacter.set(code[0], (perCharacter.get(code[0]) ?? 0) + 1);
    }
    // 248 = 4 × 62: each character is drawn from exactly 4 byte values.
    expect(perCharacter.size).toBe(62);
    expect(new Set(perCharacter.values())).toEqual(new Set([4]));
    for (let byte = 248; byte < 256; byte++) expect(drawnFrom(byte)).toBe('0123456789ABCDEF');
  });
});
