import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb } from '../../lambdas/adapters/clients';
import { computeToken } from '../../lambdas/domain/token';
import { routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { countCalls } from '../../dev-support/call-counter';
import { ENTRY_TABLE } from '../../lambdas/adapters/naming';
import { errorCode, send, tampered } from '../attack/support';
import { deleteEntry, deleteProject, uid } from '../support/seed';
import { httpRequest } from '../support/raw-http';
import { startTestRuntime } from '../support/runtime';
import { registerSensitive } from '../support/sensitive';

/**
 * Browser saves, end to end against the local runtime: the same handlers as in
 * AWS, over HTTP, as a page would call them.
 */
const SITE = 'https://quiz.example';
/** A person's browser: an automated client's resume (isbot) is answered with no save token. */
const CHROME = { 'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36' };
let rt: LocalRuntime;
const projects: string[] = [];
const entries: string[] = [];

beforeAll(async () => {
  rt = await startTestRuntime();
}, 60_000);
afterAll(async () => {
  await rt.stop();
  for (const entryId of entries) await deleteEntry(entryId);
  for (const projectId of projects) await deleteProject(projectId);
});

const admin = async (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);

/** A project with a Token Signing Secret, its own origins and (unless told otherwise) browser saves on. */
const project = async (options: { saves?: boolean; origins?: string[] } = {}) => {
  const projectId = uid('proj');
  projects.push(projectId);
  const created = await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'saves' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: options.origins ?? [SITE] });
  if (options.saves !== false) expect((await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true })).status).toBe(200);
  return { projectId, flowId: uid('flow'), secret: (created.json as { secret: string }).secret };
};

type Project = Awaited<ReturnType<typeof project>>;
/** A call from a page on SITE; `origin: ''` sends no Origin header at all. */
const fromPage = (path: string, body: unknown, headers: Record<string, string> = {}) => {
  const all: Record<string, string> = { 'content-type': 'application/json', origin: SITE, ...headers };
  if (all.origin === '') delete all.origin;
  return send(`${rt.apiUrl}${path}`, typeof body === 'string' ? body : JSON.stringify(body), all);
};
const create = (p: Project, data: Record<string, unknown> = { step: 1 }, headers?: Record<string, string>) =>
  fromPage(routePath('createEntry'), { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: data }, headers);
const progressPath = (entryId: string) => routePath('saveProgress').replace('{entry_id}', entryId);
const save = (p: Project, entryId: string, saveToken: string, seq: number, page: string, data: Record<string, unknown>, headers?: Record<string, string>) =>
  fromPage(progressPath(entryId), { project_id: p.projectId, flow_id: p.flowId, save_token: saveToken, seq, current_page_key: page, user_data: data }, headers);
const created = async (p: Project, data?: Record<string, unknown>) => {
  const reply = await create(p, data);
  expect(reply.status).toBe(201);
  const body = reply.json as { entry_id: string; save_token: string };
  entries.push(body.entry_id);
  return body;
};
const stored = async (p: Project, entryId: string) =>
  ((await admin('GET', `/v1/entries/${entryId}?project_id=${p.projectId}`)).json as { entry: { current_page_key: string; user_data: unknown } }).entry;

describe('turning browser saves on', () => {
  it('is refused with 409 origins_required unless the project lists its own origins, without a bare "*"', async () => {
    const projectId = uid('proj');
    projects.push(projectId);
    await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'k' });
    const path = `/v1/projects/${projectId}/browser-saves`;
    for (const origins of [undefined, ['*'], [SITE, '*']]) {
      if (origins) await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins });
      const refused = await admin('PUT', path, { enabled: true });
      expect([refused.status, errorCode(refused)]).toEqual([409, 'origins_required']);
    }
    expect((await admin('GET', path)).json).toEqual({ enabled: false, sms_countries: [] });
    await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: ['https://*.example.com'] });
    expect((await admin('PUT', path, { enabled: true })).json).toEqual({ enabled: true, sms_countries: [] });
    expect((await admin('GET', path)).json).toEqual({ enabled: true, sms_countries: [] });
  });

  it('keeps the origins named while it is on: clearing them or allowing "*" is refused until saves are off', async () => {
    const p = await project();
    for (const [method, body] of [
      ['DELETE', undefined],
      ['PUT', { origins: ['*'] }],
    ] as const) {
      const refused = await admin(method, `/v1/projects/${p.projectId}/allowed-origins`, body);
      expect([refused.status, errorCode(refused)]).toEqual([409, 'origins_required']);
    }
    expect((await admin('PUT', `/v1/projects/${p.projectId}/browser-saves`, { enabled: false })).json).toEqual({ enabled: false, sms_countries: [] });
    expect((await admin('DELETE', `/v1/projects/${p.projectId}/allowed-origins`)).status).toBe(200);
  });
});

describe('a page saving its own progress', () => {
  it('creates an entry (201, a server-made id and a save token), then saves as JSON and as a beacon (text/plain)', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p, { name: 'Ada' });
    expect(entry_id).toMatch(/^entry_[0-9a-f]{32}$/);
    expect(save_token).toMatch(/^s2\.[A-Za-z0-9_-]{16}\.[A-Za-z0-9_-]{43}$/);
    expect(await stored(p, entry_id)).toMatchObject({ current_page_key: 'page_1', user_data: { name: 'Ada' } });

    const json = await save(p, entry_id, save_token, 1, 'page_2', { name: 'Ada', plan: 'team' });
    expect([json.status, json.json]).toEqual([200, { seq: 1 }]);
    const beacon = await save(p, entry_id, save_token, 2, 'page_3', { name: 'Ada', plan: 'team', seats: 3 }, { 'content-type': 'text/plain;charset=UTF-8' });
    expect([beacon.status, beacon.json]).toEqual([200, { seq: 2 }]);
    expect(await stored(p, entry_id)).toMatchObject({ current_page_key: 'page_3', user_data: { name: 'Ada', plan: 'team', seats: 3 } });
  });

  it('sets the retention deadline to now + entryRetention (90 days) on the create and again on each save', async () => {
    const p = await project();
    const retainedFor = async (entryId: string) =>
      (Date.parse(((await admin('GET', `/v1/entries/${entryId}?project_id=${p.projectId}`)).json as { entry: { retain_until: string } }).entry.retain_until) -
        Date.now()) /
      86_400_000;
    const { entry_id, save_token } = await created(p);
    expect(await retainedFor(entry_id)).toBeCloseTo(90, 2);
    // As if the entry had been created 89 days ago.
    await dynamodb.send(
      new UpdateItemCommand({
        TableName: process.env.TABLE_NAME,
        Key: { [ENTRY_TABLE.partitionKey]: { S: entry_id } },
        UpdateExpression: `SET ${ENTRY_TABLE.ttlAttribute} = :r`,
        ExpressionAttributeValues: { ':r': { N: String(Math.floor(Date.now() / 1000) + 86_400) } },
      }),
    );
    expect(await retainedFor(entry_id)).toBeCloseTo(1, 2);
    expect((await save(p, entry_id, save_token, 1, 'page_2', { later: true })).status).toBe(200);
    expect(await retainedFor(entry_id)).toBeCloseTo(90, 2);
  });

  it('checks in the order the README gives: the body first, then browser saves on, the Origin, the save token, and user_data', async () => {
    const p = await project();
    const off = await project({ saves: false });
    const { entry_id, save_token } = await created(p);
    const forged = tampered(save_token);
    const foreign = { origin: 'https://evil.example' };
    const attempt = async (target: Project, token: string, data: Record<string, unknown>, headers?: Record<string, string>) =>
      errorCode(await save(target, entry_id, token, 1, 'page_x', data, headers));
    // Each refusal is met while every later check would refuse too.
    expect(await attempt(off, forged, { blob: 'x'.repeat(70 * 1024) }, foreign)).toBe('payload_too_large');
    expect(await attempt(off, forged, {}, foreign)).toBe('browser_saves_disabled');
    expect(await attempt(p, forged, {}, foreign)).toBe('forbidden');
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(await attempt(p, forged, deep)).toBe('invalid_save_token');
    expect(await attempt(p, save_token, deep)).toBe('invalid_request');
    expect(await stored(p, entry_id)).toMatchObject({ current_page_key: 'page_1' });
  });

  it('makes a different id each time, from 128 random bits', async () => {
    const p = await project();
    const ids = new Set<string>();
    for (let i = 0; i < 5; i++) ids.add((await created(p)).entry_id);
    expect(ids.size).toBe(5);
  });

  it('refuses a save numbered no higher than the last one with 409 stale_save, and writes nothing', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    expect((await save(p, entry_id, save_token, 5, 'page_5', { at: 5 })).status).toBe(200);
    for (const seq of [5, 4, 1]) {
      const stale = await save(p, entry_id, save_token, seq, 'page_old', { at: seq });
      expect([stale.status, errorCode(stale)]).toEqual([409, 'stale_save']);
    }
    expect(await stored(p, entry_id)).toMatchObject({ current_page_key: 'page_5', user_data: { at: 5 } });
  });

  it("refuses a made-up or tampered token, or another entry's, flow's or project's, with 401 invalid_save_token, with no read and no write", async () => {
    const p = await project();
    const mine = await created(p, { who: 'mine' });
    const other = await created(p, { who: 'other' });
    const otherProject = await project();
    const forged = tampered(mine.save_token);
    const madeUp = `s1.${'A'.repeat(43)}`;
    const ddb = countCalls(rt.clients.dynamodb);
    try {
      for (const token of [madeUp, forged, other.save_token]) {
        const refused = await save(p, mine.entry_id, token, 1, 'page_x', { who: 'attacker' });
        expect([refused.status, errorCode(refused)]).toEqual([401, 'invalid_save_token']);
      }
      // A token is bound to its flow and project too.
      for (const elsewhere of [
        { ...p, flowId: uid('flow') },
        { ...otherProject, flowId: p.flowId },
      ]) {
        const refused = await save(elsewhere, mine.entry_id, mine.save_token, 1, 'page_x', { who: 'attacker' });
        expect([refused.status, errorCode(refused)]).toEqual([401, 'invalid_save_token']);
      }
      expect(ddb.calls).toEqual([]);
    } finally {
      ddb.detach();
    }
    expect(await stored(p, mine.entry_id)).toMatchObject({ current_page_key: 'page_1', user_data: { who: 'mine' } });
  });

  it("refuses a re-spelled token (its last character's unused bits set, or base64's + and / for - and _) with 400, and takes no save token as a resume link", async () => {
    const p = await project();
    // A token with a - or _ (about 3 in 4 have one), so that it has a standard-base64 spelling too.
    let mine = await created(p, { who: 'mine' });
    while (!/[-_]/.test(mine.save_token.slice(3))) mine = await created(p, { who: 'mine' });
    const last = mine.save_token.at(-1)!;
    const unusedBits = `${mine.save_token.slice(0, -1)}${String.fromCharCode(last.charCodeAt(0) + 1)}`;
    const standard = `s1.${mine.save_token.slice(3).replaceAll('-', '+').replaceAll('_', '/')}`;
    for (const respelled of [unusedBits, standard]) {
      // Node decodes both to the same MAC: only the schema's pattern tells them from the canonical spelling.
      expect(Buffer.from(respelled.slice(3), 'base64url')).toEqual(Buffer.from(mine.save_token.slice(3), 'base64url'));
      const refused = await save(p, mine.entry_id, respelled, 1, 'page_x', { who: 'attacker' });
      expect([refused.status, errorCode(refused)]).toEqual([400, 'invalid_request']);
    }
    const asLink = await fromPage(routePath('loadEntryData'), {
      flow_id: p.flowId,
      project_id: p.projectId,
      entry_id: mine.entry_id,
      token: mine.save_token,
      expires_at: '2099-01-01T00:00:00Z',
    });
    expect([asLink.status, errorCode(asLink)]).toEqual([400, 'invalid_request']);
    expect(await stored(p, mine.entry_id)).toMatchObject({ current_page_key: 'page_1', user_data: { who: 'mine' } });
  });

  it('refuses a foreign origin, and a request with no Origin, with 403 forbidden, before the token is checked and with nothing read or written', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    const forged = tampered(save_token);
    const ddb = countCalls(rt.clients.dynamodb);
    try {
      for (const headers of [{ origin: 'https://evil.example' }, { origin: '' }]) {
        const onCreate = await create(p, { x: 1 }, headers);
        expect([onCreate.status, errorCode(onCreate)]).toEqual([403, 'forbidden']);
        for (const token of [save_token, forged]) {
          const onSave = await save(p, entry_id, token, 1, 'page_2', { x: 1 }, headers);
          expect([onSave.status, errorCode(onSave)]).toEqual([403, 'forbidden']);
        }
      }
      expect(ddb.calls).toEqual([]);
    } finally {
      ddb.detach();
    }
  });

  it('refuses a project that has not turned browser saves on with 403 browser_saves_disabled (an unknown project too)', async () => {
    const p = await project({ saves: false });
    for (const target of [p, { ...p, projectId: uid('proj') }]) {
      const refused = await create(target);
      expect([refused.status, errorCode(refused)]).toEqual([403, 'browser_saves_disabled']);
    }
  });

  it('refuses a body of 70 KB with 413, creating nothing', async () => {
    const p = await project();
    const big = { blob: 'x'.repeat(70 * 1024) };
    const refused = await create(p, big);
    expect([refused.status, errorCode(refused)]).toEqual([413, 'payload_too_large']);
    const { entry_id, save_token } = await created(p);
    const onSave = await save(p, entry_id, save_token, 1, 'page_2', big);
    expect([onSave.status, errorCode(onSave)]).toEqual([413, 'payload_too_large']);
  });

  it('refuses prototype-polluting user data with 400, like the admin route', async () => {
    const p = await project();
    const raw = `{"project_id":"${p.projectId}","flow_id":"${p.flowId}","current_page_key":"p","user_data":{"a":{"__proto__":{"x":1}}}}`;
    const refused = await fromPage(routePath('createEntry'), raw);
    expect([refused.status, errorCode(refused)]).toEqual([400, 'invalid_request']);
  });

  it('makes exactly one DynamoDB write per save, a create three more for its bounds, and no Secrets Manager call once warm', async () => {
    const p = await project();
    const { entry_id, save_token } = await created(p);
    await save(p, entry_id, save_token, 1, 'page_2', { warm: true });
    const ddb = countCalls(rt.clients.dynamodb);
    const sm = countCalls(rt.clients.secretsManager);
    try {
      for (let seq = 2; seq <= 6; seq++) expect((await save(p, entry_id, save_token, seq, `page_${seq}`, { seq })).status).toBe(200);
      expect(ddb.calls).toEqual(Array(5).fill('UpdateItemCommand'));
      expect(sm.calls).toEqual([]);
      ddb.reset();
      // From an address of this test's own: other files create entries from 127.0.0.1 in parallel, and a
      // compare-and-swap on that source's count lost to one of them would read and write it again.
      const source = `127.${[1, 2, 3].map(() => 1 + Math.floor(Math.random() * 250)).join('.')}`;
      const made = await httpRequest(`${rt.apiUrl}${routePath('createEntry')}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: SITE },
        body: JSON.stringify({ project_id: p.projectId, flow_id: p.flowId, current_page_key: 'page_1', user_data: { step: 1 } }),
        localAddress: source,
      });
      expect(made.status).toBe(201);
      const madeEntry = JSON.parse(made.body) as { entry_id: string; save_token: string };
      registerSensitive(madeEntry.save_token);
      entries.push(madeEntry.entry_id);
      // The source's hour (a read, then a compare-and-swap), the project's day (one conditional update), then the entry.
      expect(ddb.calls).toEqual(['GetItemCommand', 'PutItemCommand', 'UpdateItemCommand', 'PutItemCommand']);
      expect(sm.calls).toEqual([]);
    } finally {
      ddb.detach();
      sm.detach();
    }
  });
});

describe('another device', () => {
  it("resumes the latest progress with a seed-formula link, gets a new save token that works, and carries on saving; the first device's token has ended", async () => {
    const p = await project();
    const deviceA = await created(p, { step: 1 });
    await save(p, deviceA.entry_id, deviceA.save_token, 1, 'page_2', { step: 2 });

    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const link = {
      flow_id: p.flowId,
      project_id: p.projectId,
      entry_id: deviceA.entry_id,
      token: computeToken(p.secret, deviceA.entry_id, expiresAt),
      expires_at: expiresAt,
    };
    const resumed = await fromPage(routePath('loadEntryData'), link, CHROME);
    expect(resumed.status).toBe(200);
    const { entry, save_token } = resumed.json as { entry: Record<string, unknown>; save_token: string };
    expect(entry).toEqual({ step: 2, entry_id: deviceA.entry_id, current_page_key: 'page_2' });
    expect(save_token).toMatch(/^s2\./);
    expect(save_token).not.toBe(deviceA.save_token);

    // The stored seq starts afresh with the new token: 1 is higher than nothing.
    expect((await save(p, deviceA.entry_id, save_token, 1, 'page_3', { step: 3 })).status).toBe(200);
    expect(await stored(p, deviceA.entry_id)).toMatchObject({ current_page_key: 'page_3', user_data: { step: 3 } });
    const ended = await save(p, deviceA.entry_id, deviceA.save_token, 99, 'page_x', { step: 'old device' });
    expect([ended.status, errorCode(ended)]).toEqual([401, 'invalid_save_token']);
    expect(await stored(p, deviceA.entry_id)).toMatchObject({ current_page_key: 'page_3', user_data: { step: 3 } });
  });

  it("answers a save acknowledged while it resumes: the first device's last autosave landing between the resume's read and its rotation is not lost", async () => {
    const p = await project();
    const deviceA = await created(p, { step: 1 });
    expect((await save(p, deviceA.entry_id, deviceA.save_token, 1, 'page_2', { step: 2 })).status).toBe(200);
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const link = {
      flow_id: p.flowId,
      project_id: p.projectId,
      entry_id: deviceA.entry_id,
      token: computeToken(p.secret, deviceA.entry_id, expiresAt),
      expires_at: expiresAt,
    };
    // Device A's autosave lands after the resume read the entry and before its rotation (the resume's own client,
    // its rotation held back until the save is answered): in AWS an eventually consistent read that missed it does the same.
    const name = 'save-during-resume';
    let lateSave: Awaited<ReturnType<typeof save>> | undefined;
    rt.clients.dynamodb.middlewareStack.add(
      (next) => async (args) => {
        const input = (args as { input: { UpdateExpression?: string; Key?: Record<string, { S?: string }> } }).input;
        if (
          lateSave === undefined &&
          input.Key?.[ENTRY_TABLE.partitionKey]?.S === deviceA.entry_id &&
          /^SET save_gen = :next/.test(input.UpdateExpression ?? '')
        ) {
          lateSave = await save(p, deviceA.entry_id, deviceA.save_token, 2, 'page_3', { step: 3 });
        }
        return next(args);
      },
      { step: 'initialize', name },
    );
    let resumed;
    try {
      resumed = await fromPage(routePath('loadEntryData'), link, CHROME);
    } finally {
      rt.clients.dynamodb.middlewareStack.remove(name);
    }
    expect(lateSave?.status).toBe(200);
    expect(resumed.status).toBe(200);
    const { entry, save_token } = resumed.json as { entry: Record<string, unknown>; save_token: string };
    // The second device carries on from the acknowledged save, not from the entry as it was before it.
    expect(entry).toEqual({ step: 3, entry_id: deviceA.entry_id, current_page_key: 'page_3' });
    expect((await save(p, deviceA.entry_id, save_token, 1, 'page_4', { step: 4 })).status).toBe(200);
    const ended = await save(p, deviceA.entry_id, deviceA.save_token, 3, 'page_x', { step: 'old device' });
    expect([ended.status, errorCode(ended)]).toEqual([401, 'invalid_save_token']);
  });

  it("gets no save token when the project does not take browser saves (the contract's answer is unchanged)", async () => {
    const p = await project({ saves: false });
    const entryId = uid('entry');
    entries.push(entryId);
    await admin('PUT', `/v1/entries/${entryId}`, { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'p', user_data: {} });
    const expiresAt = new Date(Date.now() + 3_600_000).toISOString();
    const reply = await fromPage(routePath('loadEntryData'), {
      flow_id: p.flowId,
      project_id: p.projectId,
      entry_id: entryId,
      token: computeToken(p.secret, entryId, expiresAt),
      expires_at: expiresAt,
    });
    expect(reply.json).toEqual({ entry: { entry_id: entryId, current_page_key: 'p' } });
  });
});
