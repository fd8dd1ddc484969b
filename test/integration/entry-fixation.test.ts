import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { countCalls } from '../../dev-support/call-counter';
import { dynamodb } from '../../lambdas/adapters/clients';
import { DynamoDbRequestLog } from '../../lambdas/adapters/dynamodb-link-limits';
import { LINK_REQUESTS_KEY_PREFIX } from '../../lambdas/adapters/naming';
import { MAX_PAGE_LINKS } from '../../lambdas/domain/ports';
import { saveGenOf } from '../../lambdas/domain/save-token';
import { computeToken } from '../../lambdas/domain/token';
import { routePath } from '../../lambdas/http/routes';
import { type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, send } from '../attack/support';
import { deleteEntries, deleteEntry, deleteProject, uid } from '../support/seed';
import { startTestRuntime } from '../support/runtime';

/**
 * Entry fixation (issue 26, items 1, 2 and 9), through the real handlers over
 * HTTP: an attacker makes an entry from an allowed origin, has the brand mail a
 * link to it to a victim, and waits for the victim to type into it. Every
 * attack ends with the attacker's save token and links answering 401.
 */
const SITE = 'https://quiz.example';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFE_LINKS = 'Mozilla/5.0 (compatible; Microsoft Safe Links scanner)';
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

const admin = (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

const project = async (options: { saves?: boolean } = {}) => {
  const projectId = uid('proj');
  projects.push(projectId);
  const made = await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'fixation' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE] });
  if (options.saves !== false) expect((await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true })).status).toBe(200);
  return { projectId, flowId: uid('flow'), secret: (made.json as { secret: string }).secret };
};
type Project = Awaited<ReturnType<typeof project>>;

const fromPage = (path: string, body: unknown, userAgent = CHROME) =>
  send(`${rt.apiUrl}${path}`, JSON.stringify(body), { 'content-type': 'application/json', origin: SITE, 'user-agent': userAgent });
const create = async (p: Project, data: Record<string, unknown> = { step: 1 }) => {
  const reply = await fromPage(routePath('createEntry'), { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: data });
  expect(reply.status).toBe(201);
  const body = reply.json as { entry_id: string; save_token: string };
  entries.push(body.entry_id);
  return body;
};
const save = (p: Project, entryId: string, saveToken: string, seq: number, data: Record<string, unknown>) =>
  fromPage(routePath('saveProgress').replace('{entry_id}', entryId), {
    project_id: p.projectId,
    flow_id: p.flowId,
    save_token: saveToken,
    seq,
    current_page_key: 'page_2',
    user_data: data,
  });
/**
 * The address a role (VICTIM, ATTACKER) has in this entry's test: recipients are bounded across the whole
 * deployment (3 an hour), so each test's people are its own.
 */
const addressOf = (role: string, entryId: string) => role.replace('@', `.${entryId.slice(-12)}@`);
const requestLink = (p: Project, entryId: string, saveToken: string, to: string) =>
  fromPage(routePath('linkRequests').replace('{entry_id}', entryId), {
    project_id: p.projectId,
    flow_id: p.flowId,
    save_token: saveToken,
    channel: 'email',
    to: addressOf(to, entryId),
  });

interface Link {
  readonly token: string;
  readonly expires_at: string;
}
/** The link the bus delivered for `to` (the brand's own message): what its recipient opens. */
const mailedTo = async (entryId: string, to: string): Promise<Link & { url: URL }> => {
  const [event] = (await bus.drain()).filter((e) => e.detail.entry_id === entryId && e.detail.to === addressOf(to, entryId));
  const url = new URL(event.detail.url as string);
  return { url, token: url.searchParams.get('token')!, expires_at: url.searchParams.get('expires_at')! };
};
/** Opens a link as its page does: the five fields of the contract. */
const resume = (p: Project, entryId: string, link: Link, userAgent = CHROME) =>
  fromPage(
    routePath('loadEntryData'),
    { project_id: p.projectId, flow_id: p.flowId, entry_id: entryId, token: link.token, expires_at: link.expires_at },
    userAgent,
  );
const backendLink = (p: Project, entryId: string): Link => {
  const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
  return { token: computeToken(p.secret, entryId, expiresAt), expires_at: expiresAt };
};
const stored = async (p: Project, entryId: string) =>
  ((await admin('GET', `/v1/entries/${entryId}?project_id=${p.projectId}`)).json as { entry: { user_data: unknown } }).entry.user_data;

const ATTACKER = 'mallory@attacker.example';
const VICTIM = 'victim@example.com';
const CARD = { card_number: '4111111111111111' };

/** The attacker's own checks, after the victim resumed: each must fail with 401, and nothing is mailed. */
const attackerIsLockedOut = async (p: Project, entryId: string, t0: string, links: Link[]) => {
  const overwrite = await save(p, entryId, t0, 2, { card_number: 'attacker' });
  expect([overwrite.status, errorCode(overwrite)]).toEqual([401, 'invalid_save_token']);
  const newLink = await requestLink(p, entryId, t0, ATTACKER);
  expect([newLink.status, errorCode(newLink)]).toEqual([401, 'invalid_save_token']);
  for (const link of links) {
    const read = await resume(p, entryId, link);
    expect([read.status, errorCode(read)]).toEqual([401, 'link_revoked']);
    expect(read.text).not.toContain(CARD.card_number);
  }
  expect((await bus.drain()).filter((e) => e.detail.entry_id === entryId)).toEqual([]);
};

describe('entry fixation: the attacker mails the victim a link to an entry the attacker made', () => {
  it("after the victim resumes, the attacker's save token answers 401 on progress and on link requests, and the link the victim used answers 401", async () => {
    const p = await project();
    const { entry_id, save_token: t0 } = await create(p);
    expect((await requestLink(p, entry_id, t0, VICTIM)).status).toBe(202);
    const victimLink = await mailedTo(entry_id, VICTIM);
    expect(victimLink.url.searchParams.get('sr_confirm')).toBe('1');

    const resumed = await resume(p, entry_id, victimLink);
    expect(resumed.status).toBe(200);
    const t1 = (resumed.json as { save_token: string }).save_token;
    expect(t1).not.toBe(t0);
    expect((await save(p, entry_id, t1, 1, CARD)).status).toBe(200);

    // The one link the attacker knows of is the victim's (it went through the brand's mail): opened again, 401.
    await attackerIsLockedOut(p, entry_id, t0, [victimLink]);
    expect(await stored(p, entry_id)).toEqual(CARD);
    // The victim carries on.
    expect((await save(p, entry_id, t1, 2, { ...CARD, step: 3 })).status).toBe(200);
  });

  it('variant: the attacker first asks for a link to themselves, then one to the victim, and keeps the first: it answers 401 once the victim resumed', async () => {
    const p = await project();
    const { entry_id, save_token: t0 } = await create(p);
    expect((await requestLink(p, entry_id, t0, ATTACKER)).status).toBe(202);
    const kept = await mailedTo(entry_id, ATTACKER);
    expect((await requestLink(p, entry_id, t0, VICTIM)).status).toBe(202);
    const victimLink = await mailedTo(entry_id, VICTIM);

    const resumed = await resume(p, entry_id, victimLink);
    expect(resumed.status).toBe(200);
    expect((await save(p, entry_id, (resumed.json as { save_token: string }).save_token, 1, CARD)).status).toBe(200);

    await attackerIsLockedOut(p, entry_id, t0, [kept, victimLink]);
  });

  it("the attacker's own link, opened before the victim's resume, hands the attacker a token that the victim's resume ends as well", async () => {
    const p = await project();
    const { entry_id, save_token: t0 } = await create(p);
    expect((await requestLink(p, entry_id, t0, ATTACKER)).status).toBe(202);
    const own = await mailedTo(entry_id, ATTACKER);
    expect((await requestLink(p, entry_id, t0, VICTIM)).status).toBe(202);
    const victimLink = await mailedTo(entry_id, VICTIM);
    // The attacker uses their own page link first: that resume ends every page link minted before it, the victim's included.
    const first = await resume(p, entry_id, own);
    expect(first.status).toBe(200);
    const t1 = (first.json as { save_token: string }).save_token;

    const victim = await resume(p, entry_id, victimLink);
    expect([victim.status, errorCode(victim)]).toEqual([401, 'link_revoked']);
    // The victim was told the link was used, typed nothing into this entry; the attacker's tokens end at the next resume.
    const ahead = await resume(p, entry_id, backendLink(p, entry_id));
    expect(ahead.status).toBe(200);
    await attackerIsLockedOut(p, entry_id, t1, [own]);
  });

  it('a seq pinned at 2^53-1 by an earlier holder no longer blocks saves after a resume', async () => {
    const p = await project();
    const { entry_id, save_token: t0 } = await create(p);
    expect((await save(p, entry_id, t0, Number.MAX_SAFE_INTEGER, { pinned: true })).status).toBe(200);
    const stuck = await save(p, entry_id, t0, Number.MAX_SAFE_INTEGER, { pinned: 'again' });
    expect([stuck.status, errorCode(stuck)]).toEqual([409, 'stale_save']);

    const resumed = await resume(p, entry_id, backendLink(p, entry_id));
    const t1 = (resumed.json as { save_token: string }).save_token;

    expect((await save(p, entry_id, t1, 1, CARD)).status).toBe(200);
    expect(await stored(p, entry_id)).toEqual(CARD);
  });
});

describe('automated clients (mail scanners, link previews)', () => {
  it('a resume whose User-Agent isbot flags gets the entry and no save token, ends no token and uses up no page link', async () => {
    const p = await project();
    const { entry_id, save_token: t0 } = await create(p, { step: 1 });
    expect((await requestLink(p, entry_id, t0, VICTIM)).status).toBe(202);
    const link = await mailedTo(entry_id, VICTIM);
    const ddb = countCalls(rt.clients.dynamodb);
    let scanned;
    try {
      scanned = await resume(p, entry_id, link, SAFE_LINKS);
      // One read, nothing written.
      expect(ddb.calls).toEqual(['GetItemCommand']);
    } finally {
      ddb.detach();
    }
    expect([scanned.status, scanned.json]).toEqual([200, { entry: { step: 1, entry_id, current_page_key: 'page_1' } }]);
    expect((await save(p, entry_id, t0, 1, { step: 2 })).status).toBe(200);

    // The person then opens it: it works, once.
    const person = await resume(p, entry_id, link);
    expect(person.status).toBe(200);
    expect(typeof (person.json as { save_token?: unknown }).save_token).toBe('string');
    const again = await resume(p, entry_id, link, SAFE_LINKS);
    expect([again.status, errorCode(again)]).toEqual([401, 'link_revoked']);
  });
});

/**
 * Makes `readers` resumes of the entry all read it before any of them writes,
 * then lets their writes reach the emulator one at a time: the race the
 * conditional write must settle, made certain. (DynamoDB applies conditional
 * writes to one item one after another; moto's threads do not lock, so writes
 * sent at the very same moment could both pass their condition there.)
 */
const readAllThenWriteInTurn = (entryId: string, readers: number) => {
  let reads = 0;
  let allRead!: () => void;
  const read = new Promise<void>((resolve) => (allRead = resolve));
  let turn: Promise<unknown> = Promise.resolve();
  const name = `read-all-then-write-${entryId}`;
  const ofEntry = (args: unknown) => (args as { input?: { Key?: { entry_id?: { S?: string } } } }).input?.Key?.entry_id?.S === entryId;
  // Typed as call-counter.ts types it: the SDK's own types tie a middleware to one input type.
  const stack = dynamodb.middlewareStack as unknown as { add(mw: unknown, options: { step: 'initialize'; name: string }): void; remove(name: string): boolean };
  stack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      if (!ofEntry(args)) return next(args);
      if (context.commandName === 'GetItemCommand') {
        const out = await next(args);
        if (++reads === readers) allRead();
        return out;
      }
      if (context.commandName !== 'UpdateItemCommand') return next(args);
      await read;
      const mine = turn.then(() => next(args));
      turn = mine.catch(() => undefined);
      return mine;
    },
    { step: 'initialize', name },
  );
  return () => stack.remove(name);
};

describe('page links are single-use', () => {
  it('of five resumes of one page link at once, exactly one succeeds; the others answer 401 link_revoked', async () => {
    const p = await project();
    const { entry_id, save_token } = await create(p);
    expect((await requestLink(p, entry_id, save_token, VICTIM)).status).toBe(202);
    const link = await mailedTo(entry_id, VICTIM);
    const release = readAllThenWriteInTurn(entry_id, 5);
    let replies;
    try {
      replies = await Promise.all([1, 2, 3, 4, 5].map(() => resume(p, entry_id, link)));
    } finally {
      release();
    }

    expect(replies.map((r) => r.status).sort()).toEqual([200, 401, 401, 401, 401]);
    expect(replies.filter((r) => r.status === 401).map(errorCode)).toEqual(Array(4).fill('link_revoked'));
    const winner = (replies.find((r) => r.status === 200)!.json as { save_token: string }).save_token;
    expect((await save(p, entry_id, winner, 1, { won: true })).status).toBe(200);
  });

  it("a person's resume through a link the team's backend minted ends the page links minted before it; backend links keep working", async () => {
    const p = await project();
    const { entry_id, save_token } = await create(p);
    expect((await requestLink(p, entry_id, save_token, VICTIM)).status).toBe(202);
    const pageLink = await mailedTo(entry_id, VICTIM);
    const fromBackend = backendLink(p, entry_id);

    expect((await resume(p, entry_id, fromBackend)).status).toBe(200);

    const used = await resume(p, entry_id, pageLink);
    expect([used.status, errorCode(used)]).toEqual([401, 'link_revoked']);
    expect((await resume(p, entry_id, fromBackend)).status).toBe(200);
  });
});

describe('the page links an entry records', () => {
  /** Gives the entry `n` page links of its current generation, expiring at `expiresAt` (epoch seconds), as if asked for before. */
  const recordPageLinks = async (entryId: string, gen: string, n: number, expiresAt: number) => {
    const links = Object.fromEntries(Array.from({ length: n }, (_, i) => [`digest_${i}`, { M: { g: { S: gen }, x: { N: String(expiresAt) } } }]));
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { entry_id: { S: entryId } },
        UpdateExpression: 'SET page_links = :m',
        ExpressionAttributeValues: { ':m': { M: links } },
      }),
    );
  };
  const pageLinkCount = async (entryId: string) =>
    Object.keys(
      (await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: entryId } }, ConsistentRead: true }))).Item?.page_links
        ?.M ?? {},
    ).length;

  it(`are at most ${MAX_PAGE_LINKS} unexpired ones: past that a link request answers 429 too_many_link_requests; expired ones are dropped at the next request`, async () => {
    const p = await project();
    const { entry_id, save_token } = await create(p);
    const now = Math.floor(Date.now() / 1000);
    await recordPageLinks(entry_id, saveGenOf(save_token)!, MAX_PAGE_LINKS, now + 3600);

    const full = await requestLink(p, entry_id, save_token, VICTIM);
    expect([full.status, errorCode(full), full.headers.get('retry-after')]).toEqual([429, 'too_many_link_requests', expect.stringMatching(/^3[56]\d\d$/)]);
    expect(await pageLinkCount(entry_id)).toBe(MAX_PAGE_LINKS);

    await recordPageLinks(entry_id, saveGenOf(save_token)!, MAX_PAGE_LINKS, now - 1);
    expect((await requestLink(p, entry_id, save_token, VICTIM)).status).toBe(202);
    expect(await pageLinkCount(entry_id)).toBe(1);
    await bus.drain();
  });
});

describe('save tokens end with revoke-links and with erasure', () => {
  it('revoke-links ends every save token of the entry: progress and link requests answer 401 invalid_save_token', async () => {
    const p = await project();
    const { entry_id, save_token } = await create(p);
    expect((await admin('POST', routePath('revokeLinks').replace('{entry_id}', entry_id), { project_id: p.projectId })).status).toBe(200);

    const saved = await save(p, entry_id, save_token, 1, { after: 'revoke' });
    expect([saved.status, errorCode(saved)]).toEqual([401, 'invalid_save_token']);
    const link = await requestLink(p, entry_id, save_token, ATTACKER);
    expect([link.status, errorCode(link)]).toEqual([401, 'invalid_save_token']);
    expect((await bus.drain()).filter((e) => e.detail.entry_id === entry_id)).toEqual([]);
    // The hour's slot the refused request took is given back.
    expect((await new DynamoDbRequestLog(dynamodb, process.env.TABLE_NAME!, LINK_REQUESTS_KEY_PREFIX).read(entry_id))?.value ?? []).toEqual([]);
  });

  it('after DELETE and an admin PUT that re-creates the entry under its id, the old token answers 401; an admin PUT that updates keeps the page saving', async () => {
    const p = await project();
    const { entry_id, save_token } = await create(p);
    const put = (data: Record<string, unknown>) =>
      admin('PUT', `/v1/entries/${entry_id}`, { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: data });
    expect((await put({ by: 'backend' })).status).toBe(200);
    expect((await save(p, entry_id, save_token, 1, { by: 'page' })).status).toBe(200);

    expect((await admin('DELETE', `/v1/entries/${entry_id}?project_id=${p.projectId}`)).status).toBe(204);
    expect((await put({ recreated: true })).status).toBe(201);

    const saved = await save(p, entry_id, save_token, 2, { by: 'old page' });
    expect([saved.status, errorCode(saved)]).toEqual([401, 'invalid_save_token']);
    const link = await requestLink(p, entry_id, save_token, ATTACKER);
    expect([link.status, errorCode(link)]).toEqual([401, 'invalid_save_token']);
    expect(await stored(p, entry_id)).toEqual({ recreated: true });
  });

  it('a token of the first format (s1., before save generations) answers 401 invalid_save_token, not 400', async () => {
    const p = await project();
    const { entry_id } = await create(p);
    const s1 = `s1.${createHmac('sha256', 'any key').update(entry_id).digest('base64url')}`;
    const saved = await save(p, entry_id, s1, 1, { old: true });
    expect([saved.status, errorCode(saved)]).toEqual([401, 'invalid_save_token']);
    const link = await requestLink(p, entry_id, s1, ATTACKER);
    expect([link.status, errorCode(link)]).toEqual([401, 'invalid_save_token']);
  });
});

describe('projects without browser saves', () => {
  it('a resume is exactly one GetItem, and answers no save token', async () => {
    const p = await project({ saves: false });
    const entryId = uid('entry');
    entries.push(entryId);
    await admin('PUT', `/v1/entries/${entryId}`, { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'p', user_data: {} });
    await resume(p, entryId, backendLink(p, entryId));
    const ddb = countCalls(rt.clients.dynamodb);
    try {
      const reply = await resume(p, entryId, backendLink(p, entryId));
      expect([reply.status, reply.json]).toEqual([200, { entry: { entry_id: entryId, current_page_key: 'p' } }]);
      expect(ddb.calls).toEqual(['GetItemCommand']);
    } finally {
      ddb.detach();
    }
  });
});
