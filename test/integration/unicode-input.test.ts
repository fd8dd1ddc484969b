import { routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { errorCode, send } from '../attack/support';
import { parseResponse, rawExchange } from '../support/raw-http';
import { deleteEntry, deleteProject, uid } from '../support/seed';
import { startTestRuntime } from '../support/runtime';

/**
 * Text that is not Unicode (issue 26, item 8), against the local runtime over
 * HTTP: a lone UTF-16 surrogate in any string field, and bytes that are not
 * UTF-8, are 400 on every route, and nothing is stored.
 */
const SITE = 'https://quiz.example';
const LONE = 'p\ud800';
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

const JSON_TYPE = { 'content-type': 'application/json' };
const admin = (method: string, path: string, body?: unknown) =>
  send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), JSON_TYPE, method);
const fromPage = (path: string, body: unknown) => send(`${rt.apiUrl}${path}`, JSON.stringify(body), { ...JSON_TYPE, origin: SITE });

/** A browser-saves project with one entry a page created, and that entry's save token. */
const pageEntry = async () => {
  const projectId = uid('proj');
  projects.push(projectId);
  const flowId = uid('flow');
  await admin('POST', `/v1/projects/${projectId}/credentials`, { label: 'unicode' });
  await admin('PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [SITE] });
  expect((await admin('PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true })).status).toBe(200);
  const created = await fromPage(routePath('createEntry'), { project_id: projectId, flow_id: flowId, current_page_key: 'page_1', user_data: { step: 1 } });
  expect(created.status).toBe(201);
  const { entry_id: entryId, save_token: saveToken } = created.json as { entry_id: string; save_token: string };
  entries.push(entryId);
  return { projectId, flowId, entryId, saveToken };
};

const stored = async (projectId: string, entryId: string) => admin('GET', `/v1/entries/${entryId}?project_id=${projectId}`);

describe('a lone UTF-16 surrogate ("p\\ud800") in a string field', () => {
  it.each([
    ['current_page_key', (fields: Record<string, unknown>) => ({ ...fields, current_page_key: LONE })],
    ['a value inside user_data', (fields: Record<string, unknown>) => ({ ...fields, user_data: { deep: [{ name: LONE }] } })],
    ['a key inside user_data', (fields: Record<string, unknown>) => ({ ...fields, user_data: { [LONE]: 1 } })],
  ])('is 400 on create, progress and the admin PUT: %s', async (_where, spoil) => {
    const e = await pageEntry();
    const base = { project_id: e.projectId, flow_id: e.flowId, current_page_key: 'page_2', user_data: { step: 2 } };
    const replies = [
      await fromPage(routePath('createEntry'), spoil(base)),
      await fromPage(routePath('saveProgress').replace('{entry_id}', e.entryId), spoil({ ...base, save_token: e.saveToken, seq: 1 })),
      await admin('PUT', `/v1/entries/${e.entryId}`, spoil(base)),
    ];
    expect(replies.map((r) => [r.status, errorCode(r)])).toEqual(Array(3).fill([400, 'invalid_request']));
    expect((replies[0].json as { error: { message: string } }).error.message).toBe(
      'Invalid request: the request body has a string that is not valid Unicode: a lone UTF-16 surrogate such as \\ud800.',
    );
    // Nothing written: the entry is as the page created it.
    expect((await stored(e.projectId, e.entryId)).json).toMatchObject({ entry: { current_page_key: 'page_1', user_data: { step: 1 } } });
  });

  it.each([
    ['to', { channel: 'email', to: `${LONE}@example.com` }],
    ['resume_url', { channel: 'email', resume_url: `${SITE}/${LONE}` }],
  ])('is 400 on link requests: %s', async (_field, fields) => {
    const e = await pageEntry();
    const reply = await fromPage(routePath('linkRequests').replace('{entry_id}', e.entryId), {
      project_id: e.projectId,
      flow_id: e.flowId,
      save_token: e.saveToken,
      ...fields,
    });
    expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_request']);
  });

  it('is 400 on mint (resume_url) and on the resume route', async () => {
    const e = await pageEntry();
    const minted = await admin('POST', routePath('mint'), { project_id: e.projectId, entry_id: e.entryId, resume_url: `${SITE}/${LONE}` });
    const resumed = await fromPage(routePath('loadEntryData'), {
      project_id: e.projectId,
      flow_id: e.flowId,
      entry_id: e.entryId,
      token: LONE,
      expires_at: '2099-01-01T00:00:00Z',
    });
    expect([minted, resumed].map((r) => [r.status, errorCode(r)])).toEqual([
      [400, 'invalid_request'],
      [400, 'invalid_request'],
    ]);
  });
});

/** `body` with `"@N"` (a string) replaced by the JSON number text `number`, which JSON.stringify cannot write. */
const withNumber = (body: unknown, number: string) => JSON.stringify(body).replace('"@N"', number);
const sendText = (path: string, text: string, method = 'POST', headers: Record<string, string> = { origin: SITE }) =>
  send(`${rt.apiUrl}${path}`, text, { ...JSON_TYPE, ...headers }, method);

describe('a JSON number that would not read back as sent (1e400, 12345678901234567890)', () => {
  it.each([
    ['1e400', 'is too large to be a number'],
    ['-1e309', 'is too large to be a number'],
    ['12345678901234567890', `is an integer larger than ${Number.MAX_SAFE_INTEGER} in magnitude, which would be rounded`],
    ['-9007199254740993', `is an integer larger than ${Number.MAX_SAFE_INTEGER} in magnitude, which would be rounded`],
    ['1e-400', 'is too small to be a number (it would be 0)'],
  ])('%s in user_data is 400 on create, progress and the admin PUT, and nothing is stored', async (number, reason) => {
    const e = await pageEntry();
    const base = { project_id: e.projectId, flow_id: e.flowId, current_page_key: 'page_2', user_data: { big: '@N' } };
    const replies = [
      await sendText(routePath('createEntry'), withNumber(base, number)),
      await sendText(routePath('saveProgress').replace('{entry_id}', e.entryId), withNumber({ ...base, save_token: e.saveToken, seq: 1 }, number)),
      await sendText(`/v1/entries/${e.entryId}`, withNumber(base, number), 'PUT', {}),
    ];
    expect(replies.map((r) => [r.status, errorCode(r)])).toEqual(Array(3).fill([400, 'invalid_request']));
    expect((replies[0].json as { error: { message: string } }).error.message).toBe(
      `Invalid request: the request body has the number ${number}, which ${reason}; send it as a string.`,
    );
    expect((await stored(e.projectId, e.entryId)).json).toMatchObject({ entry: { current_page_key: 'page_1', user_data: { step: 1 } } });
  });

  it('is 400 on link requests, mint and the resume route; the largest safe integer and ordinary numbers are kept as sent', async () => {
    const e = await pageEntry();
    const link = await sendText(
      routePath('linkRequests').replace('{entry_id}', e.entryId),
      withNumber({ project_id: e.projectId, flow_id: e.flowId, save_token: e.saveToken, channel: 'email', n: '@N' }, '1e400'),
    );
    const minted = await sendText(
      routePath('mint'),
      withNumber({ project_id: e.projectId, entry_id: e.entryId, ttl_seconds: '@N' }, '99999999999999999999'),
      'POST',
      {},
    );
    const resumed = await sendText(
      routePath('loadEntryData'),
      withNumber({ project_id: e.projectId, flow_id: e.flowId, entry_id: e.entryId, token: 'a'.repeat(64), expires_at: '@N' }, '1e999'),
    );
    expect([link, minted, resumed].map((r) => [r.status, errorCode(r)])).toEqual(Array(3).fill([400, 'invalid_request']));
    const kept = { safe: Number.MAX_SAFE_INTEGER, negative: -Number.MAX_SAFE_INTEGER, fraction: 0.1, exponent: 1e300, small: 5e-324 };
    const saved = await admin('PUT', `/v1/entries/${e.entryId}`, { project_id: e.projectId, flow_id: e.flowId, current_page_key: 'page_3', user_data: kept });
    expect([saved.status, saved.json]).toEqual([200, expect.anything()]);
    expect((await stored(e.projectId, e.entryId)).json).toMatchObject({ entry: { user_data: kept } });
  });
});

describe('a body with bytes that are not UTF-8 (\\xff), sent as they are over a raw socket', () => {
  const raw = (method: string, path: string, body: Buffer) => {
    const host = new URL(rt.apiUrl).host;
    const head = `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n`;
    return rawExchange(rt.apiUrl, head + body.toString('latin1'));
  };

  it('is 400 on the admin PUT, and nothing is stored', async () => {
    const projectId = uid('proj');
    const entryId = uid('entry');
    entries.push(entryId);
    const body = Buffer.concat([
      Buffer.from(`{"project_id":"${projectId}","flow_id":"flow_a","current_page_key":"page_1","user_data":{"name":"Zo`),
      Buffer.from([0xff]),
      Buffer.from('"}}'),
    ]);
    const res = parseResponse(await raw('PUT', `/v1/entries/${entryId}`, body));
    expect([res.status, JSON.parse(res.body)]).toEqual([
      400,
      {
        error: {
          code: 'invalid_request',
          message: 'Invalid request: the request body is not valid UTF-8: it has U+FFFD, the replacement character for bytes that are not.',
        },
      },
    ]);
    expect((await stored(projectId, entryId)).status).toBe(404);
  });

  it("is 400 on a page's create and progress, and the entry keeps what it had", async () => {
    const e = await pageEntry();
    const host = new URL(rt.apiUrl).host;
    const bad = (json: string) => Buffer.from(json.replace('@', '\xff'), 'latin1');
    const withOrigin = (method: string, path: string, body: Buffer) =>
      rawExchange(
        rt.apiUrl,
        `${method} ${path} HTTP/1.1\r\nHost: ${host}\r\nOrigin: ${SITE}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body.toString('latin1')}`,
      );
    const fields = `"project_id":"${e.projectId}","flow_id":"${e.flowId}","current_page_key":"page_2","user_data":{"name":"@"}`;
    const created = parseResponse(await withOrigin('POST', routePath('createEntry'), bad(`{${fields}}`)));
    const saved = parseResponse(
      await withOrigin('POST', routePath('saveProgress').replace('{entry_id}', e.entryId), bad(`{${fields},"save_token":"${e.saveToken}","seq":1}`)),
    );
    expect([created.status, saved.status]).toEqual([400, 400]);
    expect((await stored(e.projectId, e.entryId)).json).toMatchObject({ entry: { current_page_key: 'page_1', user_data: { step: 1 } } });
  });
});
