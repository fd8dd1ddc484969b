import fc from 'fast-check';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { shortLinkKey } from '../../lambdas/adapters/naming';
import { deleteEntries, deleteEntry, deleteProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { isDocumentedRefusal, seedToken, send } from './support';

/** Generated requests per public endpoint and run. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
const FUTURE = '2099-11-01T00:00:00Z';

let rt: LocalRuntime;
const project = uid('proj');
const flow = uid('flow');
const entry = uid('entry');
let secret: string;
let legacyKey: string;

beforeAll(async () => {
  rt = await startLocalRuntime({ port: 0, legacyPort: 0, endpoint: process.env.AWS_ENDPOINT_URL });
  const created = await send(`${rt.apiUrl}/v1/projects/${project}/credentials`, JSON.stringify({ label: 'fuzz' }));
  secret = (created.json as { secret: string }).secret;
  await send(`${rt.apiUrl}/v1/entries/${entry}`, JSON.stringify({ project_id: project, flow_id: flow, current_page_key: 'p', user_data: { a: 1 } }), { 'content-type': 'application/json' }, 'PUT');
  legacyKey = 'fuzz-legacy-key';
  await send(`${rt.apiUrl}/v1/legacy/flows/${flow}/key`, JSON.stringify({ secret: legacyKey, project_id: project }), { 'content-type': 'application/json' }, 'PUT');
}, 60_000);
afterAll(async () => {
  await rt.stop();
  await deleteEntry(entry);
  await deleteProject(project);
});

/** Text with one lone UTF-16 surrogate in it (`p\ud800`): valid JSON once escaped, but no Unicode text. */
const loneSurrogate = fc
  .tuple(fc.string({ maxLength: 20 }), fc.integer({ min: 0xd800, max: 0xdfff }), fc.string({ maxLength: 20 }))
  .map(([before, unit, after]) => `${before}${String.fromCharCode(unit)}${after}`);

/** A value for one field: usually wrong in some way, sometimes right. A value that is not a string is altered as its JSON text. */
const field = (right: unknown) => {
  const text = typeof right === 'string' ? right : JSON.stringify(right);
  return fc.oneof(
    { weight: 3, arbitrary: fc.constant(right) },
    { weight: 2, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
    { weight: 1, arbitrary: fc.oneof(loneSurrogate, fc.dictionary(loneSurrogate, loneSurrogate, { minKeys: 1, maxKeys: 2 })) },
    { weight: 1, arbitrary: fc.constant(text.replace(/[0-9]/g, '٣')) },
    { weight: 1, arbitrary: fc.constant(`${text}${'x'.repeat(200)}`) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  );
};

/** A body: a near-valid object, arbitrary JSON, a JSON object with odd keys, or arbitrary text. */
const bodies = (right: Record<string, unknown>) => {
  const near = fc.record(Object.fromEntries(Object.entries(right).map(([k, v]) => [k, field(v)])), { requiredKeys: [] });
  const withExtra = fc.tuple(near, fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'expires', 'expires_at', 'project_id', 'x'), fc.jsonValue({ maxDepth: 1 }))).map(
    ([n, extra]) => `{${[...Object.entries(n), ...Object.entries(extra)].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
  );
  return fc.oneof(
    { weight: 5, arbitrary: near.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: withExtra },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  );
};

const contentTypes = fc.constantFrom('application/json', 'text/plain;charset=UTF-8', 'application/json; charset=utf-8', 'text/html', 'application/x-www-form-urlencoded', undefined);

/**
 * Sends RUNS generated requests to `url`. With `withValid`, the valid body goes
 * first (fast-check's example, beyond the RUNS), for routes whose fields are too
 * many for the generator to get all of them right reliably.
 */
const fuzz = async (
  url: string,
  right: Record<string, unknown>,
  headers: Record<string, string> = {},
  accepted: (reply: Awaited<ReturnType<typeof send>>) => boolean = (reply) => (reply.json as { entry?: { entry_id?: string } }).entry?.entry_id === entry,
  withValid = false,
) => {
  const statuses = new Map<number, number>();
  await fc.assert(
    fc.asyncProperty(bodies(right), contentTypes, async (text, contentType) => {
      const reply = await send(url, new TextEncoder().encode(text), { ...headers, ...(contentType ? { 'content-type': contentType } : {}) });
      statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
      if (reply.status < 300) return accepted(reply);
      return isDocumentedRefusal(reply);
    }),
    { numRuns: RUNS, examples: withValid ? [[JSON.stringify(right), 'application/json']] : [] },
  );
  return statuses;
};

it(`POST /v1/load-entry-data answers ${RUNS} generated requests with a 2xx or a documented 4xx, never a 5xx`, async () => {
  const statuses = await fuzz(`${rt.apiUrl}/v1/load-entry-data`, {
    flow_id: flow,
    project_id: project,
    entry_id: entry,
    token: seedToken(secret, entry, FUTURE),
    expires_at: FUTURE,
  });
  expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS);
}, 600_000);

it(`the legacy endpoint answers ${RUNS} generated requests the same way`, async () => {
  const statuses = await fuzz(`${rt.legacyUrl}/`, {
    flow_id: flow,
    entry_id: entry,
    token: seedToken(legacyKey, entry, FUTURE),
    expires: FUTURE,
  });
  expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
}, 600_000);

it(`POST /v1/entries/{entry_id}/link-requests answers ${RUNS} generated requests from a page with a 202 or a documented 4xx, never a 5xx`, async () => {
  const site = 'https://fuzz.example';
  await send(`${rt.apiUrl}/v1/projects/${project}/allowed-origins`, JSON.stringify({ origins: [site] }), { 'content-type': 'application/json' }, 'PUT');
  await send(`${rt.apiUrl}/v1/projects/${project}/browser-saves`, JSON.stringify({ enabled: true }), { 'content-type': 'application/json' }, 'PUT');
  const made = await send(`${rt.apiUrl}/v1/entries`, JSON.stringify({ project_id: project, flow_id: flow, current_page_key: 'p', user_data: {} }), { 'content-type': 'application/json', origin: site });
  const { entry_id: madeId, save_token: saveToken } = made.json as { entry_id: string; save_token: string };
  registerSensitive(saveToken);
  try {
    const statuses = await fuzz(
      `${rt.apiUrl}/v1/entries/${madeId}/link-requests`,
      { project_id: project, flow_id: flow, save_token: saveToken, channel: 'email', to: 'ada@example.com', resume_url: `${site}/flow` },
      { origin: site },
      (reply) => reply.status === 202 && typeof (reply.json as { expires_at?: unknown }).expires_at === 'string',
      true,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The valid body goes first, so one request at least is valid; however many are, the entry's limit holds: at most 3 links in the hour.
    expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(202)).toBeLessThanOrEqual(3);
  } finally {
    await send(`${rt.apiUrl}/v1/projects/${project}/browser-saves`, JSON.stringify({ enabled: false }), { 'content-type': 'application/json' }, 'PUT');
    await deleteEntry(madeId);
    await deleteEntry(`link-requests#${madeId}`);
  }
}, 600_000);

describe('the browser-saves routes, from a page of a project that takes browser saves', () => {
  // A project of its own: the instance's cached settings of the other one change nothing here.
  const savesProject = uid('proj');
  const site = 'https://saves-fuzz.example';
  const created: string[] = [];
  beforeAll(async () => {
    await send(`${rt.apiUrl}/v1/projects/${savesProject}/allowed-origins`, JSON.stringify({ origins: [site] }), { 'content-type': 'application/json' }, 'PUT');
    await send(`${rt.apiUrl}/v1/projects/${savesProject}/browser-saves`, JSON.stringify({ enabled: true }), { 'content-type': 'application/json' }, 'PUT');
  });
  afterAll(async () => {
    await deleteEntries(created);
    await deleteProject(savesProject);
  });
  const draft = { project_id: savesProject, flow_id: flow, current_page_key: 'page_1', user_data: { name: 'Ada', step: 1 } };

  it(`POST /v1/entries answers ${RUNS} generated requests with a 201 or a documented 4xx, never a 5xx`, async () => {
    const statuses = await fuzz(`${rt.apiUrl}/v1/entries`, draft, { origin: site }, (reply) => {
      const made = reply.json as { entry_id?: unknown; save_token?: unknown };
      if (typeof made.entry_id === 'string') created.push(made.entry_id);
      if (typeof made.save_token === 'string') registerSensitive(made.save_token);
      return reply.status === 201 && typeof made.entry_id === 'string' && typeof made.save_token === 'string';
    }, true);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
  }, 600_000);

  it(`POST /v1/entries/{entry_id}/progress answers ${RUNS} generated requests with a 200 or a documented 4xx, never a 5xx`, async () => {
    const made = (await send(`${rt.apiUrl}/v1/entries`, JSON.stringify(draft), { 'content-type': 'application/json', origin: site })).json as { entry_id: string; save_token: string };
    created.push(made.entry_id);
    registerSensitive(made.save_token);
    const statuses = await fuzz(
      `${rt.apiUrl}/v1/entries/${made.entry_id}/progress`,
      { ...draft, current_page_key: 'page_2', save_token: made.save_token, seq: 1 },
      { origin: site },
      (reply) => reply.status === 200 && typeof (reply.json as { seq?: unknown }).seq === 'number',
      true,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The valid save is taken; the same seq again is a 409 stale_save.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 600_000);
});

it(`GET and HEAD /r/{code} answer ${RUNS} generated codes with a 302 to the stored link for its own code and a 404 for any other, never a 5xx`, async () => {
  // On the project's own origin (the link-requests test lists it): mint refuses a resume_url elsewhere.
  const minted = await send(`${rt.apiUrl}/v1/tokens`, JSON.stringify({ project_id: project, entry_id: entry, resume_url: 'https://fuzz.example/flow', short: true }));
  const { short_url: shortUrl, url } = minted.json as { short_url: string; url: string };
  const code = shortUrl.split('/').pop()!;
  registerSensitive(code);
  const codes = fc.oneof(
    { weight: 1, arbitrary: fc.constant(code) },
    { weight: 3, arbitrary: fc.stringMatching(/^[0-9A-Za-z]{16}$/) },
    { weight: 1, arbitrary: fc.constant(code).map((c) => c.toLowerCase()) },
    { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  );
  const statuses = new Map<number, number>();
  try {
    await fc.assert(
      fc.asyncProperty(codes, fc.constantFrom('GET', 'HEAD'), async (c, method) => {
        const res = await fetch(`${rt.apiUrl}/r/${encodeURIComponent(c)}`, { method, redirect: 'manual' });
        await res.arrayBuffer();
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        return res.status === 302 ? c === code && res.headers.get('location') === url : res.status === 404 && c !== code;
      }),
      { numRuns: RUNS },
    );
  } finally {
    await deleteEntry(shortLinkKey(code));
  }
  expect(statuses.get(302) ?? 0).toBeGreaterThan(0);
}, 600_000);
