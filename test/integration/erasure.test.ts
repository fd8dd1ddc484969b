import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../../lambdas/adapters/clients';
import { LINK_REQUESTS_KEY_PREFIX, resumedKey } from '../../lambdas/adapters/naming';
import { linkDigest } from '../../lambdas/domain/link-digest';
import { computeToken } from '../../lambdas/domain/token';
import { routePath } from '../../lambdas/http/routes';
import { SETTINGS } from '../../lambdas/runtime/environment';
import { type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, type HttpReply, send } from '../attack/support';
import { deleteEntries, deleteEntry, deleteProject, uid } from '../support/seed';
import { startTestRuntime } from '../support/runtime';

/**
 * Erasure and re-creation (adversarial findings F1 and F2), through the real
 * handlers over HTTP: the team erases an entry (DELETE /v1/entries/{id}) and
 * then saves another person's data under the same id (PUT). A seed-scheme link
 * is f(key, entry_id, expires_at) only, so a link issued before the erasure is
 * still a valid signature for the re-created entry: only the tombstone the
 * erasure leaves refuses it.
 */
const SITE = 'https://erasure.example';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CURL = 'curl/8.5.0';
const FIRST = { owner: 'first person', card_number: '4111111111111111' };
const SECOND = { owner: 'SECOND PERSON', secret: 'second person data' };
let rt: LocalRuntime;
let bus: BusSubscription;
const projects: string[] = [];
const entries: string[] = [];
const flows: string[] = [];

beforeAll(async () => {
  rt = await startTestRuntime();
  bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), rt.eventBusName);
}, 60_000);
afterAll(async () => {
  for (const flowId of flows) await admin('DELETE', `/v1/legacy/flows/${flowId}/key`);
  await bus.close();
  await rt.stop();
  for (const entryId of entries) await deleteEntry(entryId);
  await deleteEntries(entries.map((e) => `${LINK_REQUESTS_KEY_PREFIX}${e}`));
  for (const projectId of projects) await deleteProject(projectId);
});

const admin = (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);
const fromPage = (path: string, body: unknown, userAgent = CHROME) =>
  send(`${rt.apiUrl}${path}`, JSON.stringify(body), { 'content-type': 'application/json', origin: SITE, 'user-agent': userAgent });

interface Link {
  readonly token: string;
  readonly expires_at: string;
}

/** A browser-saves project whose team has put one entry (FIRST's data) through the admin API. */
const setup = async () => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  projects.push(projectId);
  entries.push(entryId);
  const made = await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'erasure' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { allowed_origins: [SITE] });
  expect((await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true })).status).toBe(200);
  const put = (data: Record<string, unknown>, project = projectId) =>
    admin('PUT', `/v1/entries/${entryId}`, { project_id: project, flow_id: flowId, current_page_key: 'p1', user_data: data });
  expect((await put(FIRST)).status).toBe(201);
  const mint = async (): Promise<Link> => {
    const minted = await admin('POST', routePath('mint'), { project_id: projectId, entry_id: entryId, flow_id: flowId });
    expect(minted.status).toBe(200);
    return minted.json as Link;
  };
  const resume = (link: Link, userAgent = CHROME) =>
    fromPage(
      routePath('loadEntryData'),
      { project_id: projectId, flow_id: flowId, entry_id: entryId, token: link.token, expires_at: link.expires_at },
      userAgent,
    );
  const erase = () => admin('DELETE', `/v1/entries/${entryId}?project_id=${projectId}`);
  const requestLink = (saveToken: string) =>
    fromPage(routePath('linkRequests').replace('{entry_id}', entryId), {
      project_id: projectId,
      flow_id: flowId,
      save_token: saveToken,
      channel: 'email',
      to: `someone.${entryId.slice(-12)}@example.net`,
    });
  const save = (saveToken: string, seq: number) =>
    fromPage(routePath('saveProgress').replace('{entry_id}', entryId), {
      project_id: projectId,
      flow_id: flowId,
      save_token: saveToken,
      seq,
      current_page_key: 'p2',
      user_data: { typed: 'typed on the page' },
    });
  const mailed = async (): Promise<Link> => {
    const [event] = (await bus.drain()).filter((e) => e.detail.entry_id === entryId);
    const url = new URL(event.detail.url as string);
    return { token: url.searchParams.get('token')!, expires_at: url.searchParams.get('expires_at')! };
  };
  const stored = async () =>
    (await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: entryId } }, ConsistentRead: true }))).Item;
  return { projectId, flowId, entryId, secret: (made.json as { secret: string }).secret, put, mint, resume, erase, requestLink, save, mailed, stored };
};

/** A refusal that gives away nothing: 401 link_revoked, no entry, no save token, none of either person's data. */
const expectRevoked = (reply: HttpReply) => {
  expect([reply.status, errorCode(reply)]).toEqual([401, 'link_revoked']);
  expect(Object.keys(reply.json as object)).toEqual(['error']);
  for (const value of [...Object.values(FIRST), ...Object.values(SECOND)]) expect(reply.text).not.toContain(value);
};

describe('erasure and re-creation do not revive the links they ended', () => {
  it("F1: a used page link stays used after DELETE and a PUT of another person's data under the same id: 401 link_revoked, no data, no save token", async () => {
    const t = await setup();
    const teamLink = await t.mint();
    const resumed = await t.resume(teamLink);
    expect(resumed.status).toBe(200);
    const saveToken = (resumed.json as { save_token: string }).save_token;
    expect((await t.requestLink(saveToken)).status).toBe(202);
    const pageLink = await t.mailed();
    expect((await t.resume(pageLink)).status).toBe(200);
    expectRevoked(await t.resume(pageLink, CURL));

    expect((await t.erase()).status).toBe(204);
    expect((await t.put(SECOND)).status).toBe(201);

    expectRevoked(await t.resume(pageLink, CURL));
    expectRevoked(await t.resume(pageLink, CHROME));
    expectRevoked(await t.resume(teamLink, CHROME));
    // A link the team mints through the product after the re-creation opens the new entry, with a save token.
    const fresh = await t.resume(await t.mint());
    expect(fresh.status).toBe(200);
    expect(fresh.json).toEqual({ entry: { ...SECOND, entry_id: t.entryId, current_page_key: 'p1' }, save_token: expect.any(String) });
  });

  it("F2: a link ended by revoke-links stays ended after DELETE and PUT, as does one the team's backend signed itself; one minted through the product after resumes", async () => {
    const t = await setup();
    const leaked = await t.mint();
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const selfSigned = { token: computeToken(t.secret, t.entryId, expiresAt), expires_at: expiresAt };
    expect((await admin('POST', routePath('revokeLinks').replace('{entry_id}', t.entryId), { project_id: t.projectId })).status).toBe(200);
    expectRevoked(await t.resume(leaked, CURL));

    expect((await t.erase()).status).toBe(204);
    expect((await t.put(SECOND)).status).toBe(201);

    expectRevoked(await t.resume(leaked, CURL));
    expectRevoked(await t.resume(leaked, CHROME));
    expectRevoked(await t.resume(selfSigned, CHROME));
    const fresh = await t.resume(await t.mint(), CURL);
    expect([fresh.status, (fresh.json as { entry: unknown }).entry]).toEqual([200, { ...SECOND, entry_id: t.entryId, current_page_key: 'p1' }]);
  });

  it('a link issued before the erasure of an entry whose links were never revoked is refused after the re-creation too', async () => {
    const t = await setup();
    const before = await t.mint();
    expect((await t.resume(before, CURL)).status).toBe(200);
    expect((await t.erase()).status).toBe(204);
    const recreated = await t.put(SECOND);
    expect(recreated.status).toBe(201);
    // The admin view shows the erasure's revocation, kept by the new entry.
    const shown = await admin('GET', `/v1/entries/${t.entryId}?project_id=${t.projectId}`);
    expect((shown.json as { entry: { links_valid_after: string; user_data: unknown } }).entry).toMatchObject({
      user_data: SECOND,
      links_valid_after: expect.any(String),
    });
    expectRevoked(await t.resume(before, CURL));
  });
});

describe('what an erasure leaves', () => {
  it('a tombstone with no user data, page key, flow, save generation, link records or completion: only the key, project, erasure time, revocation, page-link records (digest, generation, expiry) and a TTL of linkMaxLifetime', async () => {
    const t = await setup();
    // Every writer of an entry item writes to it first: a campaign link's resume, a page's save, a link request, a completion.
    const campaignLink = await admin('POST', routePath('mint'), { project_id: t.projectId, entry_id: t.entryId, campaign: 'spring' });
    // Minted an hour ago, so its resume is a person's (not early) and noted for the completion.
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { entry_id: { S: t.entryId } },
        UpdateExpression: 'SET links.#d.t = :t',
        ExpressionAttributeNames: { '#d': linkDigest((campaignLink.json as Link).token) },
        ExpressionAttributeValues: { ':t': { N: String(Math.floor(Date.now() / 1000) - 3600) } },
      }),
    );
    const resumed = await t.resume(campaignLink.json as Link);
    const saveToken = (resumed.json as { save_token: string }).save_token;
    expect((await t.save(saveToken, 1)).status).toBe(200);
    expect((await t.requestLink(saveToken)).status).toBe(202);
    const pageLink = await t.mailed();
    expect((await admin('POST', routePath('completeEntry').replace('{entry_id}', t.entryId), { project_id: t.projectId })).status).toBe(200);
    const live = await t.stored();
    for (const attribute of [
      'user_data',
      'current_page_key',
      'flow_id',
      'created_at',
      'updated_at',
      'save_gen',
      'seq',
      'links',
      'page_links',
      'completed_at',
      'completed_campaign',
    ]) {
      expect(live).toHaveProperty(attribute);
    }
    const note = async () =>
      (await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: resumedKey(t.entryId) } }, ConsistentRead: true })))
        .Item;
    expect(await note()).toBeDefined();

    const before = Math.floor(Date.now() / 1000);
    expect((await t.erase()).status).toBe(204);
    const after = Math.floor(Date.now() / 1000);

    const item = (await t.stored())!;
    expect(Object.keys(item).sort()).toEqual(['entry_id', 'erased_at', 'links_valid_after', 'page_links', 'project_id', 'retain_until']);
    expect(item.project_id).toEqual({ S: t.projectId });
    expect(item.links_valid_after).toEqual(item.erased_at);
    expect(Object.keys(item.page_links.M!)).toEqual([linkDigest(pageLink.token)]);
    expect(Object.keys(item.page_links.M![linkDigest(pageLink.token)].M!).sort()).toEqual(['g', 'x']);
    const maxLifetime = SETTINGS.MINT_MAX_LIFETIME_SECONDS.default;
    expect(Number(item.retain_until.N)).toBeGreaterThanOrEqual(before + maxLifetime);
    expect(Number(item.retain_until.N)).toBeLessThanOrEqual(after + maxLifetime);
    // The erasure still removes the note of the entry's last resume.
    expect(await note()).toBeUndefined();
    const text = JSON.stringify(item);
    for (const value of [...Object.values(FIRST), 'typed on the page', pageLink.token, 'spring']) expect(text).not.toContain(value);
  });

  it("every reader answers as for a missing entry; the project's PUT re-creates it (201), another project's is a conflict (409)", async () => {
    const t = await setup();
    const link = await t.mint();
    const resumed = await t.resume(link);
    const saveToken = (resumed.json as { save_token: string }).save_token;
    const legacyKey = `legacy-${uid('k')}`;
    flows.push(t.flowId);
    expect((await admin('PUT', `/v1/legacy/flows/${t.flowId}/key`, { secret: legacyKey, project_id: t.projectId })).status).toBe(204);
    const legacyExpires = '2099-02-01T00:00:00.000Z';
    const legacy = () =>
      send(
        `${rt.legacyUrl}/`,
        JSON.stringify({
          flow_id: t.flowId,
          entry_id: t.entryId,
          expires: legacyExpires,
          token: createHash('sha256').update(`${legacyKey}---${t.entryId}---${legacyExpires}`).digest('hex'),
        }),
      );
    expect((await legacy()).status).toBe(200);
    expect((await t.erase()).status).toBe(204);

    const notFound = (reply: HttpReply) => [reply.status, errorCode(reply)];
    const missing = [404, 'entry_not_found'];
    expect(notFound(await t.resume(link, CURL))).toEqual(missing);
    expect(notFound(await t.resume(link, CHROME))).toEqual(missing);
    expect(notFound(await legacy())).toEqual(missing);
    expect(notFound(await admin('GET', `/v1/entries/${t.entryId}?project_id=${t.projectId}`))).toEqual(missing);
    expect(notFound(await t.erase())).toEqual(missing);
    expect(notFound(await admin('POST', routePath('revokeLinks').replace('{entry_id}', t.entryId), { project_id: t.projectId }))).toEqual(missing);
    expect(notFound(await admin('POST', routePath('completeEntry').replace('{entry_id}', t.entryId), { project_id: t.projectId }))).toEqual(missing);
    expect(notFound(await admin('POST', routePath('mint'), { project_id: t.projectId, entry_id: t.entryId }))).toEqual(missing);
    const batch = await admin('POST', routePath('mintBatch'), { project_id: t.projectId, links: [{ entry_id: t.entryId }] });
    expect(batch.status).toBe(200);
    expect(JSON.stringify(batch.json)).toContain('"entry_not_found"');
    expect(notFound(await t.save(saveToken, 1))).toEqual(missing);
    expect(notFound(await t.requestLink(saveToken))).toEqual(missing);
    expect((await bus.drain()).filter((e) => e.detail.entry_id === t.entryId)).toEqual([]);
    // Nothing above wrote to the tombstone.
    expect(Object.keys((await t.stored())!).sort()).toEqual(['entry_id', 'erased_at', 'links_valid_after', 'project_id', 'retain_until']);

    const other = uid('proj');
    const conflict = await t.put(SECOND, other);
    expect([conflict.status, errorCode(conflict)]).toEqual([409, 'conflict']);
    const recreated = await t.put(SECOND);
    expect(recreated.status).toBe(201);
    expect((recreated.json as { entry: { created_at: string; updated_at: string } }).entry.created_at).toBe(
      (recreated.json as { entry: { updated_at: string } }).entry.updated_at,
    );
    expect((await t.put({ ...SECOND, step: 2 })).status).toBe(200);
    expect(notFound(await t.save(saveToken, 2))).toEqual([401, 'invalid_save_token']);
  });

  it('once DynamoDB has removed the tombstone (after linkMaxLifetime), a re-creation starts afresh: a link the backend signed itself with a longer expiry opens it', async () => {
    const t = await setup();
    // Beyond linkMaxLifetime: mint would refuse this expiry, but a backend that signs its own links can choose it.
    const expiresAt = new Date(Date.now() + (SETTINGS.MINT_MAX_LIFETIME_SECONDS.default + 86_400) * 1000).toISOString();
    const selfSigned = { token: computeToken(t.secret, t.entryId, expiresAt), expires_at: expiresAt };
    expect((await t.erase()).status).toBe(204);
    expect((await t.put(SECOND)).status).toBe(201);
    expectRevoked(await t.resume(selfSigned, CURL));

    expect((await t.erase()).status).toBe(204);
    // What DynamoDB's TTL does once the tombstone's retain_until has passed.
    await deleteEntry(t.entryId);
    expect((await t.put(SECOND)).status).toBe(201);
    const opened = await t.resume(selfSigned, CURL);
    expect([opened.status, (opened.json as { entry: unknown }).entry]).toEqual([200, { ...SECOND, entry_id: t.entryId, current_page_key: 'p1' }]);
  });
});
