import { BatchGetItemCommand, GetItemCommand, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { countCalls } from '../../dev-support/call-counter';
import { dynamodb, sdkOptions } from '../../lambdas/adapters/clients';
import { DynamoDbCampaignCounters } from '../../lambdas/adapters/dynamodb-campaign-counters';
import { CAMPAIGN_SHARDS, campaignKey, ENTRY_TABLE, resumedKey } from '../../lambdas/adapters/naming';
import { linkDigest } from '../../lambdas/domain/link-digest';
import { MAX_LINK_RECORDS } from '../../lambdas/domain/ports';
import { DynamoDbResumeNotes } from '../../lambdas/adapters/dynamodb-resume-notes';
import { classifyResume, COMPLETION_WINDOW_SECONDS } from '../../lambdas/domain/recovery';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as mint } from '../../lambdas/mint/index';
import { RequestLogMetrics } from '../../lib/constructs/log-metrics';
import { type MetricFilterSpec, publishedMetrics } from '../support/cloudwatch-filter';
import { captureLines } from '../support/capture-lines';
import { sendTo, startStalledEndpoint } from '../support/stalled-endpoint';
import { errorOf, invoke } from '../support/http';
import { lambda } from '../support/lambdas';
import { deleteEntries, deleteProject, seedEntry, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { lambdaContext } from '../../local/http-api-event';
import { loadEntryEvent } from '../fixtures/events';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36';

/** The recovery metric filters as synthesized, one construct per Lambda kind. */
const stack = new Stack(new App(), 'RecoveryFilters');
for (const kind of ['resume', 'mint', 'entries'] as const) new RequestLogMetrics(stack, kind, { logGroup: new logs.LogGroup(stack, `${kind}Logs`), kind });
const filters = Object.values(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter')).map((r) => r.Properties as MetricFilterSpec);
const recoveryOnly = (metrics: Record<string, number>) =>
  Object.fromEntries(Object.entries(metrics).filter(([k]) => /\/(LinksMinted|Resumes|EarlyResumes|Completions)\{/.test(k)));

// With the timeout invoke() runs it with, so the campaign note's budget, derived from it, is as long (support/lambdas.ts).
const loadEntryData = await lambda('load-entry-data');
const table = process.env.TABLE_NAME as string;
let projectId: string;
let flowId: string;
const seeded: string[] = [];

const newEntry = async (): Promise<string> => {
  const entryId = uid('entry');
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_2', userData: { plan: 'annual' } });
  seeded.push(entryId, resumedKey(entryId));
  return entryId;
};

type Link = { token: string; expires_at: string };
const mintLink = async (entryId: string, campaign?: string): Promise<Link> => {
  const reply = await invoke(
    mint,
    routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, ttl_seconds: 86_400, ...(campaign ? { campaign } : {}) }),
  );
  expect(reply.status).toBe(200);
  return reply.json as Link;
};

/** Moves a link's recorded mint time back, as if it had been minted `seconds` ago (the resume reads the clock). */
const ageLink = async (entryId: string, link: Link, seconds: number): Promise<void> => {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: table,
      Key: { entry_id: { S: entryId } },
      UpdateExpression: 'SET links.#d.t = :t',
      ExpressionAttributeNames: { '#d': linkDigest(link.token) },
      ExpressionAttributeValues: { ':t': { N: String(Math.floor(Date.now() / 1000) - seconds) } },
    }),
  );
};

const withAgent = (event: APIGatewayProxyEventV2, userAgent: string): APIGatewayProxyEventV2 => ({
  ...event,
  headers: { ...event.headers, 'user-agent': userAgent },
});
const resume = (entryId: string, link: Link, userAgent = CHROME) =>
  invoke(
    loadEntryData,
    withAgent(loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: entryId, token: link.token, expires_at: link.expires_at }), userAgent),
  );
const complete = (entryId: string, project = projectId) => invoke(entries, routeEvent('completeEntry', { entry_id: entryId }, { project_id: project }));
const requestLines = (lines: string[]) => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((r) => 'outcome' in r);

beforeAll(async () => {
  projectId = uid('proj');
  flowId = uid('flow');
  expect((await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'recovery' }))).status).toBe(201);
});
afterAll(async () => {
  // Some 150 items (the campaigns' counter shards): one call per 25, not one each, which took over 30 s under load.
  await deleteEntries(seeded);
  await deleteProject(projectId);
});

describe('a campaign from mint to completion, counted by the metric filters over the lines the handlers write', () => {
  it('mint, a scanner, a person, a completion and its repeat: LinksMinted, EarlyResumes, Resumes and Completions, all campaigns together', async () => {
    const [spring, plain, other] = [await newEntry(), await newEntry(), await newEntry()];
    const lines = await captureLines(async () => {
      const link = await mintLink(spring, 'spring');
      // A mail scanner opens it at once, with a desktop browser's user agent: early by its age alone.
      expect((await resume(spring, link)).status).toBe(200);
      await ageLink(spring, link, 3600);
      // Google's scanner, an hour later, announces itself.
      expect((await resume(spring, link, HEADLESS)).status).toBe(200);
      expect((await resume(spring, link)).status).toBe(200);
      expect((await complete(spring)).json).toEqual({ entry_id: spring, completed_at: expect.any(String), campaign: 'spring' });
      expect((await complete(spring)).status).toBe(200);
      // A batch of two without a campaign, one of them resumed by a person and completed.
      const batch = await invoke(
        mint,
        routeEvent('mintBatch', {}, { project_id: projectId, links: [{ entry_id: plain }, { entry_id: other }, { entry_id: uid('entry') }] }),
      );
      const [plainLink] = (batch.json as { links: Link[] }).links;
      expect((await resume(plain, plainLink)).status).toBe(200);
      expect((await complete(plain)).json).toEqual({ entry_id: plain, completed_at: expect.any(String) });
    });

    const records = requestLines(lines);
    // A resume's line holds `human` or `early`: the campaign it is counted under.
    const resumes = records.filter((r) => 'link_age_s' in r).map((r) => [r.human, r.early, typeof r.link_age_s]);
    expect(resumes).toEqual([
      [undefined, 'spring', 'number'],
      [undefined, 'spring', 'number'],
      ['spring', undefined, 'number'],
    ]);
    // A person's resume of a link minted without a campaign adds nothing to its line.
    expect(records.filter((r) => r.flow_id === flowId && r.outcome === 'ok' && !('link_age_s' in r))).toHaveLength(1);
    const human = records.find((r) => r.human === 'spring')!;
    expect(human.link_age_s).toBeGreaterThanOrEqual(3600);
    expect(human.link_age_s).toBeLessThan(3660);
    // The user agent is classified, never logged.
    expect(lines.join('\n')).not.toContain('HeadlessChrome');
    expect(lines.join('\n')).not.toContain('Windows NT');

    // No dimension per campaign: as many metrics whatever the number of campaigns (a campaign's figures are counters).
    expect(recoveryOnly(publishedMetrics(filters, lines))).toEqual({
      'SessionRecovery/LinksMinted{}': 3,
      'SessionRecovery/EarlyResumes{}': 2,
      'SessionRecovery/Resumes{}': 1,
      'SessionRecovery/Completions{}': 2,
    });
    expect(records.filter((r) => 'completion' in r).map((r) => [r.completion, r.metric_campaign])).toEqual([
      ['new', 'spring'],
      ['repeat', 'spring'],
      ['new', '(none)'],
    ]);
  });

  it('a mint by direct invocation (lambda:InvokeFunction) is counted in LinksMinted like one through the API', async () => {
    const entryId = await newEntry();
    const lines = await captureLines(async () => {
      const direct = (mint as unknown as (e: unknown, c: unknown) => Promise<{ token?: string }>)(
        { project_id: projectId, entry_id: entryId, campaign: 'spring' },
        lambdaContext('mint'),
      );
      expect((await direct).token).toEqual(expect.any(String));
    });
    expect(recoveryOnly(publishedMetrics(filters, lines))).toEqual({ 'SessionRecovery/LinksMinted{}': 1 });
  });

  it("a scanner's resume of a link minted without a campaign is counted in EarlyResumes, its line saying (none), with no age; a person's in neither metric", async () => {
    const entryId = await newEntry();
    const plain = await mintLink(entryId);
    const lines = await captureLines(async () => {
      expect((await resume(entryId, plain, HEADLESS)).status).toBe(200);
      expect((await resume(entryId, plain)).status).toBe(200);
    });
    const [scanner, person] = requestLines(lines);
    expect([scanner.early, 'link_age_s' in scanner, 'human' in person, 'early' in person]).toEqual(['(none)', false, false, false]);
    expect(recoveryOnly(publishedMetrics(filters, lines))).toEqual({ 'SessionRecovery/EarlyResumes{}': 1 });
  });

  it("a resume with campaign data still reads the entry with exactly one GetItem; a person's first resume of a campaign link adds one TransactWriteItems (its note and the campaign's count), a repeat one UpdateItem more", async () => {
    const entryId = await newEntry();
    const link = await mintLink(entryId, 'spring');
    const calls = countCalls(dynamodb);
    try {
      expect((await resume(entryId, link)).status).toBe(200);
      expect(calls.calls).toEqual(['GetItemCommand']);
      await ageLink(entryId, link, 3600);
      calls.reset();
      expect((await resume(entryId, link)).status).toBe(200);
      expect(calls.calls).toEqual(['GetItemCommand', 'TransactWriteItemsCommand']);
      const [note, counter] = calls.inputs[1].TransactItems as Array<{ Update: { Key: { entry_id: { S: string } } } }>;
      expect([note.Update.Key.entry_id.S, counter.Update.Key.entry_id.S]).toEqual([
        resumedKey(entryId),
        expect.stringMatching(new RegExp(`^campaign#${projectId}#spring#\\d$`)),
      ]);
      // Resumed again: the transaction is refused (the campaign counted the entry), and the note alone moves.
      calls.reset();
      expect((await resume(entryId, link)).status).toBe(200);
      expect(calls.calls).toEqual(['GetItemCommand', 'TransactWriteItemsCommand', 'UpdateItemCommand']);
      // A person's resume of a link minted without a campaign notes nothing.
      const plain = await mintLink(entryId);
      calls.reset();
      expect((await resume(entryId, plain)).status).toBe(200);
      expect(calls.calls).toEqual(['GetItemCommand']);
    } finally {
      calls.detach();
    }
  });

  it("a person's resume note is one write unit whatever the entry's size: it holds ids, the campaign and times, never the entry", async () => {
    const entryId = uid('entry');
    await seedEntry({
      entryId,
      projectId,
      flowId,
      currentPageKey: 'page_9',
      userData: { essay: 'x'.repeat(200_000) },
      retainUntil: Math.floor(Date.now() / 1000) + 90 * 86_400,
    });
    seeded.push(entryId, resumedKey(entryId));
    const link = await mintLink(entryId, 'spring');
    await ageLink(entryId, link, 3600);
    expect((await resume(entryId, link)).status).toBe(200);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { entry_id: { S: resumedKey(entryId) } }, ConsistentRead: true }));
    expect(Object.keys(Item!).sort()).toEqual(['campaign', 'campaigns', 'entry_id', 'project_id', 'resumed_at', 'retain_until']);
    // A write unit is 1 KB of item; the attribute names and values weigh less than their JSON.
    expect(Buffer.byteLength(JSON.stringify(Item))).toBeLessThan(1024);
  });

  it('the campaign comes from the record of the exact link that verified, never from the request: a body naming one is refused', async () => {
    const entryId = await newEntry();
    const spring = await mintLink(entryId, 'spring');
    const autumn = await mintLink(entryId, 'autumn');
    const lines = await captureLines(async () => {
      await resume(entryId, spring);
      await resume(entryId, autumn);
    });
    expect(requestLines(lines).map((r) => r.early)).toEqual(['spring', 'autumn']);
    const forged = await invoke(
      loadEntryData,
      loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: entryId, token: spring.token, expires_at: spring.expires_at, campaign: 'autumn' }),
    );
    expect([forged.status, errorOf(forged).code]).toEqual([400, 'invalid_request']);
  });

  it(`keeps the records of the ${MAX_LINK_RECORDS} most recent links: an older link still resumes, its line without campaign or age, as before`, async () => {
    const entryId = await newEntry();
    const links: Link[] = [];
    for (let i = 0; i <= MAX_LINK_RECORDS; i++) {
      const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, ttl_seconds: 86_400 + i, campaign: `wave_${i}` }));
      links.push(reply.json as Link);
    }
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { entry_id: { S: entryId } }, ConsistentRead: true }));
    const kept = Object.keys(Item!.links.M!);
    expect(kept.sort()).toEqual(
      links
        .slice(1)
        .map((l) => linkDigest(l.token))
        .sort(),
    );
    // A record holds the link's digest, campaign and mint time, never its token.
    for (const l of links) expect(JSON.stringify(Item)).not.toContain(l.token);
    const lines = await captureLines(async () => {
      expect((await resume(entryId, links[0])).status).toBe(200);
      expect((await resume(entryId, links[MAX_LINK_RECORDS])).status).toBe(200);
    });
    const [older, newest] = requestLines(lines);
    expect(Object.keys(older).filter((k) => ['human', 'early', 'link_age_s', 'campaign'].includes(k))).toEqual([]);
    expect([newest.early, newest.campaign, typeof newest.link_age_s]).toEqual([`wave_${MAX_LINK_RECORDS}`, undefined, 'number']);
  });

  it('a resume whose note cannot be written is still answered 200, the failure logged by name only, and the completion unattributed', async () => {
    const entryId = await newEntry();
    const link = await mintLink(entryId, 'spring');
    await ageLink(entryId, link, 3600);
    // DynamoDB failing this one write (moto cannot fail one call): refused in the real client's own middleware stack.
    const name = 'fail-put-item';
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand')
          throw Object.assign(new Error('spring put failed'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
        return next(args);
      },
      { step: 'initialize', name },
    );
    let reply;
    let lines: string[];
    try {
      lines = await captureLines(async () => (reply = await resume(entryId, link)));
    } finally {
      dynamodb.middlewareStack.remove(name);
    }
    expect(reply!.status).toBe(200);
    const warning = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.message === 'resume not noted for completions');
    expect(warning).toMatchObject({ level: 'WARN', error_name: expect.any(String) });
    expect(lines.join('\n')).not.toContain('spring put failed');
    expect((await complete(entryId)).json).toEqual({ entry_id: entryId, completed_at: expect.any(String) });
  });

  it('gives up the note at the budget it is given: a real socket that never answers', async () => {
    const silent = await startStalledEndpoint('silent');
    const restore = sendTo(dynamodb, silent.endpoint);
    // Shorter than the deployed 1 s (lambdas/runtime/deadline.ts), and than one SDK attempt's own request timeout.
    const budget = 300;
    try {
      const started = performance.now();
      const error = await new DynamoDbResumeNotes(dynamodb, table, budget)
        .noteResume(uid('entry'), { projectId, campaign: 'spring', resumedAt: 0 }, undefined)
        .then(
          () => undefined,
          (e: unknown) => e,
        );
      const elapsed = performance.now() - started;
      // Ended by the budget's signal, not by the SDK's timeouts and retries.
      expect((error as Error).name).toBe('AbortError');
      expect(elapsed).toBeGreaterThanOrEqual(budget - 5);
      expect(elapsed).toBeLessThan(sdkOptions.requestHandler.requestTimeout);
    } finally {
      restore();
      await silent.close();
    }
  });
});

describe('completions', () => {
  it('attributes nothing to a resume more than 7 days before the completion', async () => {
    const entryId = await newEntry();
    const link = await mintLink(entryId, 'spring');
    await ageLink(entryId, link, 9 * 86_400);
    await resume(entryId, link);
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: table,
        Key: { entry_id: { S: resumedKey(entryId) } },
        UpdateExpression: 'SET resumed_at = :t',
        ExpressionAttributeValues: { ':t': { N: String(Math.floor(Date.now() / 1000) - COMPLETION_WINDOW_SECONDS - 1) } },
      }),
    );
    expect((await complete(entryId)).json).toEqual({ entry_id: entryId, completed_at: expect.any(String) });
  });

  it("answers 404 entry_not_found for another project's entry, and writes nothing", async () => {
    const entryId = await newEntry();
    const reply = await complete(entryId, uid('proj'));
    expect([reply.status, errorOf(reply)]).toEqual([404, { code: 'entry_not_found', message: 'No entry with this id in this project.' }]);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { entry_id: { S: entryId } }, ConsistentRead: true }));
    expect(Item?.completed_at).toBeUndefined();
  });

  it('records the first completion only: a repeat answers the same completed_at and campaign, even after a resume of another campaign', async () => {
    const entryId = await newEntry();
    const spring = await mintLink(entryId, 'spring');
    await ageLink(entryId, spring, 3600);
    await resume(entryId, spring);
    const first = await complete(entryId);
    const autumn = await mintLink(entryId, 'autumn');
    await ageLink(entryId, autumn, 3600);
    await resume(entryId, autumn);
    const again = await complete(entryId);
    expect([first.status, again.status]).toEqual([200, 200]);
    expect(again.json).toEqual(first.json);
    expect((first.json as { campaign: string }).campaign).toBe('spring');
  });

  it("attributes to the last human resume through a campaign link, not to a scanner's", async () => {
    const entryId = await newEntry();
    const spring = await mintLink(entryId, 'spring');
    await ageLink(entryId, spring, 3600);
    await resume(entryId, spring);
    const autumn = await mintLink(entryId, 'autumn');
    await ageLink(entryId, autumn, 3600);
    await resume(entryId, autumn, HEADLESS);
    expect(((await complete(entryId)).json as { campaign: string }).campaign).toBe('spring');
  });
});

describe('erasure', () => {
  it("DELETE /v1/entries/{entry_id} also erases the note of its last resume, and never another project's", async () => {
    const entryId = await newEntry();
    const link = await mintLink(entryId, 'spring');
    await ageLink(entryId, link, 3600);
    await resume(entryId, link);
    const note = async () =>
      (await dynamodb.send(new GetItemCommand({ TableName: table, Key: { entry_id: { S: resumedKey(entryId) } }, ConsistentRead: true }))).Item;
    const noted = await note();
    expect(noted?.campaign).toEqual({ S: 'spring' });
    // An entry kept for good keeps its note for good: it says which campaigns counted the entry.
    expect(noted?.retain_until).toBeUndefined();
    const refused = await invoke(entries, routeEvent('deleteEntry', { entry_id: entryId }, undefined, { project_id: uid('proj') }));
    expect([refused.status, (await note()) !== undefined]).toEqual([404, true]);
    expect((await invoke(entries, routeEvent('deleteEntry', { entry_id: entryId }, undefined, { project_id: projectId }))).status).toBe(204);
    expect(await note()).toBeUndefined();
  });
});

describe('scanners and bots are told apart from people', () => {
  it.each([
    ["HeadlessChrome (Google's scanner)", HEADLESS],
    ['Microsoft Safe Links', 'Mozilla/5.0 (compatible; Microsoft Safe Links scanner)'],
    ['Mimecast', 'Mimecast URL Protect'],
    ['Proofpoint', 'Proofpoint URL Defense'],
    ['Barracuda', 'Barracuda Sentinel (EE)'],
    ['a crawler', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    ['a link preview', 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)'],
    ['an HTTP library', 'python-requests/2.32.3'],
    // One for each other word the README lists, each matching that word alone.
    ['a crawler by name', 'Mozilla/5.0 (compatible; ExampleCrawler/1.0)'],
    ['a spider', 'Sogou web spider/4.0(+http://www.sogou.com/docs/help/webmasters.htm#07)'],
    ['a preview by name', 'Mozilla/5.0 (compatible; Yahoo Link Preview; https://help.yahoo.com/kb/mail/yahoo-link-preview-SLN23615.html)'],
    ['a scanner by name', 'Mozilla/5.0 (compatible; URL Scanner)'],
    ["Proofpoint's urldefense", 'urldefense.com link checker'],
    ['curl', 'curl/8.5.0'],
    ['wget', 'Wget/1.21.4'],
    ['okhttp', 'okhttp/4.12.0'],
    ['Go', 'Go-http-client/2.0'],
    ['Java', 'Java/17.0.2'],
    ['Playwright', 'Mozilla/5.0 Playwright/1.49'],
    ['Selenium', 'selenium/4.27.0 (python linux)'],
    ['Lighthouse', 'Mozilla/5.0 (Linux; Android 11) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse'],
  ])("%s is early, whatever the link's age", (_what, agent) => {
    expect(classifyResume(3600, agent)).toBe('early');
  });

  it('a desktop Chrome, a mobile Safari, a CUBOT X30 phone and no user agent at all are people; any resume within 30 seconds of the mint is early', () => {
    const safari = 'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
    // The hand-made pattern this replaced took this phone for a bot ("CUBOT"): isbot's maintained list does not.
    const cubot = 'Mozilla/5.0 (Linux; Android 12; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36';
    expect([
      classifyResume(3600, CHROME),
      classifyResume(3600, safari),
      classifyResume(3600, cubot),
      classifyResume(3600, undefined),
      classifyResume(undefined, CHROME),
    ]).toEqual(['human', 'human', 'human', 'human', 'human']);
    expect([classifyResume(29, CHROME), classifyResume(30, CHROME)]).toEqual(['early', 'human']);
  });
});

describe('campaign counters: exact figures in the table, no metric per campaign', () => {
  const counters = new DynamoDbCampaignCounters(dynamodb, table);
  const shards = (project: string, campaign: string) => Array.from({ length: CAMPAIGN_SHARDS }, (_, i) => campaignKey(project, campaign, i));

  it('keeps the note as long as the entry (its retention at the resume), and at least through the completion window', async () => {
    const entryId = uid('entry');
    const retainUntil = Math.floor(Date.now() / 1000) + 90 * 86_400;
    await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_2', userData: {}, retainUntil });
    seeded.push(entryId, resumedKey(entryId));
    const link = await mintLink(entryId, 'kept');
    seeded.push(...shards(projectId, 'kept'));
    await ageLink(entryId, link, 3600);
    await resume(entryId, link);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { entry_id: { S: resumedKey(entryId) } }, ConsistentRead: true }));
    expect(Number(Item?.retain_until?.N)).toBe(retainUntil);
    expect(COMPLETION_WINDOW_SECONDS).toBe(7 * 86_400);
  });

  it('a batch of 3 adds one write to links_minted; each entry resumed by a person counts once however often; completions count once; another project is apart', async () => {
    const campaign = uid('wave');
    const [a, b, c] = [await newEntry(), await newEntry(), await newEntry()];
    seeded.push(...shards(projectId, campaign));
    const calls = countCalls(dynamodb);
    let batch;
    try {
      batch = await invoke(
        mint,
        routeEvent(
          'mintBatch',
          {},
          { project_id: projectId, campaign, links: [{ entry_id: a }, { entry_id: b }, { entry_id: c }, { entry_id: uid('entry') }] },
        ),
      );
      // One BatchGetItem, one record per entry, and one counter write for the three links minted.
      expect(calls.calls.filter((name) => name === 'UpdateItemCommand')).toHaveLength(4);
      expect(calls.inputs.filter((i) => String((i.Key as { entry_id?: { S?: string } } | undefined)?.entry_id?.S).startsWith('campaign#'))).toHaveLength(1);
    } finally {
      calls.detach();
    }
    const [la, lb] = (batch.json as { links: Link[] }).links;
    await ageLink(a, la, 3600);
    await ageLink(b, lb, 3600);
    for (const [entry, link, agent] of [
      [a, la, CHROME],
      [a, la, CHROME],
      [b, lb, HEADLESS],
    ] as const)
      expect((await resume(entry, link, agent)).status).toBe(200);
    expect((await complete(a)).status).toBe(200);
    expect((await complete(a)).status).toBe(200);
    // Completed without a resume through the campaign: not the campaign's.
    expect((await complete(c)).json).toEqual({ entry_id: c, completed_at: expect.any(String) });
    expect(await counters.read(projectId, campaign)).toEqual({ campaign, linksMinted: 3, entriesResumed: 1, completions: 1 });
    expect(await counters.read(uid('proj'), campaign)).toBeUndefined();
  });

  it('an entry resumed through links of two campaigns counts in each; its completion in the last one only, so no rate passes 100%', async () => {
    const [first, second] = [uid('first'), uid('second')];
    seeded.push(...shards(projectId, first), ...shards(projectId, second));
    const entryId = await newEntry();
    const one = await mintLink(entryId, first);
    const two = await mintLink(entryId, second);
    await ageLink(entryId, one, 3600);
    await ageLink(entryId, two, 3600);
    await resume(entryId, one);
    await resume(entryId, two);
    await resume(entryId, one);
    expect(((await complete(entryId)).json as { campaign: string }).campaign).toBe(first);
    expect([await counters.read(projectId, first), await counters.read(projectId, second)]).toEqual([
      { campaign: first, linksMinted: 1, entriesResumed: 1, completions: 1 },
      { campaign: second, linksMinted: 1, entriesResumed: 1, completions: 0 },
    ]);
  });

  it("a note whose transaction fails counts nothing: the completion is then not the campaign's either", async () => {
    const campaign = uid('fails');
    seeded.push(...shards(projectId, campaign));
    const entryId = await newEntry();
    const link = await mintLink(entryId, campaign);
    await ageLink(entryId, link, 3600);
    const name = 'fail-transaction';
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand')
          throw Object.assign(new Error('refused'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
        return next(args);
      },
      { step: 'initialize', name },
    );
    try {
      expect((await resume(entryId, link)).status).toBe(200);
    } finally {
      dynamodb.middlewareStack.remove(name);
    }
    await complete(entryId);
    expect(await counters.read(projectId, campaign)).toEqual({ campaign, linksMinted: 1, entriesResumed: 0, completions: 0 });
  });

  it('a note written before the counters (no campaigns list) attributes nothing; the next resume through the campaign counts the entry', async () => {
    const campaign = uid('before');
    seeded.push(...shards(projectId, campaign));
    const entryId = await newEntry();
    const link = await mintLink(entryId, campaign);
    await ageLink(entryId, link, 3600);
    // As the resume wrote it before: its last resume and the campaign, no list of the campaigns that counted it.
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          entry_id: { S: resumedKey(entryId) },
          project_id: { S: projectId },
          campaign: { S: campaign },
          counted: { BOOL: true },
          resumed_at: { N: String(Math.floor(Date.now() / 1000) - 60) },
        },
      }),
    );
    const other = await newEntry();
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          entry_id: { S: resumedKey(other) },
          project_id: { S: projectId },
          campaign: { S: campaign },
          resumed_at: { N: String(Math.floor(Date.now() / 1000) - 60) },
        },
      }),
    );
    expect((await complete(other)).json).toEqual({ entry_id: other, completed_at: expect.any(String) });
    await resume(entryId, link);
    expect(((await complete(entryId)).json as { campaign?: string }).campaign).toBe(campaign);
    expect(await counters.read(projectId, campaign)).toEqual({ campaign, linksMinted: 1, entriesResumed: 1, completions: 1 });
  });

  it('an attributed completion whose transaction fails answers 503 and records nothing: neither the completion nor its count', async () => {
    const campaign = uid('atomic');
    seeded.push(...shards(projectId, campaign));
    const entryId = await newEntry();
    const link = await mintLink(entryId, campaign);
    await ageLink(entryId, link, 3600);
    await resume(entryId, link);
    const name = 'fail-completion';
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'TransactWriteItemsCommand')
          throw Object.assign(new Error('refused'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
        return next(args);
      },
      { step: 'initialize', name },
    );
    let reply;
    try {
      reply = await complete(entryId);
    } finally {
      dynamodb.middlewareStack.remove(name);
    }
    expect([reply.status, errorOf(reply).code]).toEqual([503, 'service_unavailable']);
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: table, Key: { entry_id: { S: entryId } }, ConsistentRead: true }));
    expect(Item?.completed_at).toBeUndefined();
    expect(await counters.read(projectId, campaign)).toEqual({ campaign, linksMinted: 1, entriesResumed: 1, completions: 0 });
    // Called again, it records and counts once.
    expect(((await complete(entryId)).json as { campaign?: string }).campaign).toBe(campaign);
    expect((await counters.read(projectId, campaign))?.completions).toBe(1);
  });

  it('a mint whose count cannot be written answers 503 and hands out no link', async () => {
    const campaign = uid('uncounted');
    const entryId = await newEntry();
    const name = 'fail-counter';
    dynamodb.middlewareStack.add(
      (next, context) => async (args) => {
        const key = (args.input as { Key?: { entry_id?: { S?: string } } }).Key?.entry_id?.S;
        if (context.commandName === 'UpdateItemCommand' && key?.startsWith('campaign#'))
          throw Object.assign(new Error('refused'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } });
        return next(args);
      },
      { step: 'initialize', name },
    );
    let reply;
    try {
      reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, campaign }));
    } finally {
      dynamodb.middlewareStack.remove(name);
    }
    expect([reply.status, errorOf(reply).code, 'token' in (reply.json as object)]).toEqual([503, 'service_unavailable', false]);
  });

  it("lists a project's campaigns in name order, a page at a time, every shard of a campaign in the page that names it", async () => {
    const project = uid('proj');
    const names = ['alpha', 'alpha-2', 'beta', 'gamma'];
    for (const name of names) {
      seeded.push(...shards(project, name));
      // Several writes each, so the campaigns' counts lie on several shards.
      for (let i = 0; i < 6; i++) await counters.addLinksMinted(project, name, 1);
    }
    const pages = [];
    let after: string | undefined;
    do {
      const page = await counters.list(project, 1, after);
      pages.push(page.campaigns.map((c) => [c.campaign, c.linksMinted]));
      after = page.next;
    } while (after !== undefined);
    expect(pages).toEqual(names.map((n) => [[n, 6]]));
    expect((await counters.list(project, 100)).campaigns.map((c) => c.campaign)).toEqual(names);
    const listed = await invoke(entries, routeEvent('listCampaigns', { project_id: project }, undefined, { limit: '2', after: 'alpha' }));
    expect(listed.json).toEqual({
      campaigns: [
        { campaign: 'alpha-2', links_minted: 6, entries_resumed: 0, completions: 0, recovery_rate: null },
        { campaign: 'beta', links_minted: 6, entries_resumed: 0, completions: 0, recovery_rate: null },
      ],
      next: 'beta',
    });
    const got = await invoke(entries, routeEvent('getCampaign', { project_id: project, campaign: 'gamma' }));
    expect(got.json).toEqual({ campaign: { campaign: 'gamma', links_minted: 6, entries_resumed: 0, completions: 0, recovery_rate: null } });
  });

  it("lists 100 campaigns a page when no limit is given, with the next page's cursor", async () => {
    const project = uid('proj');
    const names = Array.from({ length: 101 }, (_, i) => `c${String(i).padStart(3, '0')}`);
    for (const name of names) await counters.addLinksMinted(project, name, 1);
    seeded.push(...names.flatMap((n) => shards(project, n)));
    const listed = (await invoke(entries, routeEvent('listCampaigns', { project_id: project }))).json as {
      campaigns: Array<{ campaign: string }>;
      next?: string;
    };
    expect([listed.campaigns.length, listed.campaigns.at(-1)!.campaign, listed.next]).toEqual([100, 'c099', 'c099']);
  });

  it("spreads a campaign's writes over its 10 items (no hot item), and adds them up when read", async () => {
    const project = uid('proj');
    seeded.push(...shards(project, 'busy'));
    for (let i = 0; i < 40; i++) await counters.addLinksMinted(project, 'busy', 1);
    const { Responses } = await dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [table]: { Keys: shards(project, 'busy').map((k) => ({ entry_id: { S: k } })), ConsistentRead: true } } }),
    );
    const written = Responses![table].map((i) => Number(i.links_minted.N));
    // 40 writes at random over 10 items: all on 3 items or fewer has a chance below 1 in 10^18.
    expect(written.length).toBeGreaterThanOrEqual(4);
    expect(written.reduce((a, b) => a + b, 0)).toBe(40);
    expect((await counters.read(project, 'busy'))?.linksMinted).toBe(40);
  });

  it("never expires a campaign's counters: after a mint, a person's resume and a completion, no counter item carries the table's TTL attribute", async () => {
    const entryId = await newEntry();
    const campaign = uid('forever').replace(/[^a-z0-9_]/g, '_');
    seeded.push(...shards(projectId, campaign));
    expect((await resume(entryId, await mintLink(entryId, campaign))).status).toBe(200);
    expect((await complete(entryId)).status).toBe(200);
    const { Responses } = await dynamodb.send(
      new BatchGetItemCommand({ RequestItems: { [table]: { Keys: shards(projectId, campaign).map((k) => ({ entry_id: { S: k } })), ConsistentRead: true } } }),
    );
    expect(Responses![table].length).toBeGreaterThan(0);
    for (const item of Responses![table]) expect(item).not.toHaveProperty(ENTRY_TABLE.ttlAttribute);
  });

  it('refuses a malformed campaign or page with 400 invalid_request naming the field', async () => {
    const bad = await invoke(entries, routeEvent('getCampaign', { project_id: projectId, campaign: 'no--way' }));
    expect([bad.status, errorOf(bad).code, errorOf(bad).message]).toEqual([400, 'invalid_request', expect.stringContaining('campaign')]);
    const limit = await invoke(entries, routeEvent('listCampaigns', { project_id: projectId }, undefined, { limit: '101' }));
    expect([limit.status, errorOf(limit).message]).toEqual([400, expect.stringContaining('limit must be a whole number from 1 to 100')]);
  });
});
