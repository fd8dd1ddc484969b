import path from 'node:path';
import fc from 'fast-check';
import type { LocalRuntime } from '../../local/runtime';
import { type HttpApiHandler, localRoutes } from '../../local/api-server';
import { DEFAULT_ROUTE, ROUTE_LIST } from '../../lambdas/http/routes';
import type { AwsClients } from '../../lambdas/adapters/clients';
import { shortLinkKey } from '../../lambdas/adapters/naming';
import type { Environment } from '../../lambdas/runtime/environment';
import { UNHURRIED_TIMEOUT_MS } from '../support/http';
import { deleteEntries, deleteEntry, deleteProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { FUZZ_RUNS } from './fuzz-runs';
import { inProcess, isDocumentedRefusal, overHttp, seedToken, send, type Sender } from './support';
import { startTestRuntime } from '../support/runtime';

/**
 * Generated requests per public endpoint and run: RUNS handed to the handlers in
 * this process (support.ts, inProcess: the local server's routing and events,
 * without its socket), then HTTP_RUNS more through the local runtime's server.
 * /r/{code} is fuzzed SHORT_LINK_RUNS times in process. `npm test` sends the
 * counts of fuzz-runs.ts; `.ci/run` runs the whole fuzz again at its `full` count
 * both ways (FUZZ_RUNS=10000 FUZZ_HTTP_RUNS=10000).
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? FUZZ_RUNS.inProcess);
const HTTP_RUNS = Number(process.env.FUZZ_HTTP_RUNS ?? FUZZ_RUNS.overHttp);
/** In process for /r/{code}, whose generated codes are read from DynamoDB (moto) for more than half of them: fewer. */
const SHORT_LINK_RUNS = Number(process.env.FUZZ_SHORT_LINK_RUNS ?? Math.min(RUNS, FUZZ_RUNS.shortLinks));
const FUTURE = '2099-11-01T00:00:00Z';

let rt: LocalRuntime;
/** The API and the legacy Function URL, each both ways: in this process and over HTTP. */
let api: { lambda: Sender; http: Sender };
let legacyApi: { lambda: Sender; http: Sender };
const project = uid('proj');
const flow = uid('flow');
const entry = uid('entry');
let secret: string;
let legacyKey: string;

beforeAll(async () => {
  // What is fuzzed is the answers to malformed input, neither a deadline (startTestRuntime's unhurried timeout) nor the
  // bound on key lookups for ids an instance has not seen (10 a second, burst 20; its own tests are key-lookups.test.ts):
  // generated project ids of the right form come faster than that in process, and past it a lookup is answered 503.
  rt = await startTestRuntime({ settings: { KEY_LOOKUP_RATE: 1_000_000, KEY_LOOKUP_BURST: 1_000_000 } });
  // The runtime's Lambdas again, built alike (its environment, its emulator clients, its timeout), called in this process.
  const load = async (fn: string) => {
    const factory = (await import(path.join(import.meta.dirname, '..', '..', 'lambdas', fn, 'handler.ts'))) as {
      fromEnvironment(env: Environment, clients: AwsClients, functionTimeoutMs: number): unknown;
      createHandler(deps: unknown): HttpApiHandler;
    };
    return factory.createHandler(factory.fromEnvironment(rt.environment, rt.clients, UNHURRIED_TIMEOUT_MS));
  };
  const handlers = Object.fromEntries(await Promise.all([...new Set(ROUTE_LIST.map((r) => r.fn))].map(async (fn) => [fn, await load(fn)] as const)));
  const catchAll = async (fn: string) => ({ method: '*', path: '*', functionName: fn, handler: await load(fn), access: 'public' }) as const;
  api = {
    lambda: inProcess(localRoutes(ROUTE_LIST, handlers), await catchAll(DEFAULT_ROUTE.fn), UNHURRIED_TIMEOUT_MS),
    http: overHttp(rt.apiUrl),
  };
  const legacyRoute = await catchAll('legacy-load-entry-data');
  legacyApi = { lambda: inProcess([legacyRoute], undefined, UNHURRIED_TIMEOUT_MS), http: overHttp(rt.legacyUrl) };
  const created = await send(`${rt.apiUrl}/v1/projects/${project}/credentials`, JSON.stringify({ label: 'fuzz' }));
  secret = (created.json as { secret: string }).secret;
  await send(
    `${rt.apiUrl}/v1/entries/${entry}`,
    JSON.stringify({ project_id: project, flow_id: flow, current_page_key: 'p', user_data: { a: 1 } }),
    { 'content-type': 'application/json' },
    'PUT',
  );
  legacyKey = 'fuzz-legacy-key';
  await send(
    `${rt.apiUrl}/v1/legacy/flows/${flow}/key`,
    JSON.stringify({ secret: legacyKey, project_id: project }),
    { 'content-type': 'application/json' },
    'PUT',
  );
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

/** JSON number text that no double holds as sent (README, input rules): too large, too small, or an integer past ±2^53 − 1. */
const unsurvivingNumber = fc.oneof(
  fc.constantFrom('1e400', '-1e309', '1e-400'),
  fc.bigInt({ min: 2n ** 53n, max: 10n ** 30n }).chain((n) => fc.constantFrom(`${n}`, `-${n}`)),
);

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
  const withExtra = fc
    .tuple(near, fc.dictionary(fc.constantFrom('__proto__', 'constructor', 'expires', 'expires_at', 'project_id', 'x'), fc.jsonValue({ maxDepth: 1 })))
    .map(
      ([n, extra]) => `{${[...Object.entries(n), ...Object.entries(extra)].map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v) ?? 'null'}`).join(',')}}`,
    );
  // A near-valid body with one field's value, or a number inside it, replaced by such a number's text.
  const withNumber = fc
    .tuple(near, fc.constantFrom(...Object.keys(right)), fc.boolean(), unsurvivingNumber)
    .map(([n, key, nested, number]) => JSON.stringify({ ...n, [key]: nested ? { deep: ['@N'] } : '@N' }).replace('"@N"', number));
  return fc.oneof(
    { weight: 5, arbitrary: near.map((o) => JSON.stringify(o)) },
    { weight: 2, arbitrary: withExtra },
    { weight: 1, arbitrary: withNumber },
    { weight: 1, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  );
};

const contentTypes = fc.constantFrom(
  'application/json',
  'text/plain;charset=UTF-8',
  'application/json; charset=utf-8',
  'text/html',
  'application/x-www-form-urlencoded',
  undefined,
);

/**
 * Sends RUNS generated requests to `target` on `to` in this process, then
 * HTTP_RUNS over HTTP, and counts the statuses of both. With `withValid`, the
 * valid body goes first each time (fast-check's example, one of the runs), for
 * routes whose fields are too many for the generator to get all of them right
 * reliably.
 */
const fuzz = async (
  to: { lambda: Sender; http: Sender },
  target: string,
  right: Record<string, unknown>,
  headers: Record<string, string> = {},
  accepted: (reply: Awaited<ReturnType<typeof send>>) => boolean = (reply) => (reply.json as { entry?: { entry_id?: string } }).entry?.entry_id === entry,
  withValid = false,
) => {
  const statuses = new Map<number, number>();
  for (const [sender, numRuns] of [
    [to.lambda, RUNS],
    [to.http, HTTP_RUNS],
  ] as const) {
    if (numRuns === 0) continue;
    // The first answer that failed the property, to say what it was (fast-check names only the request).
    let refused: unknown;
    await fc
      .assert(
        fc.asyncProperty(bodies(right), contentTypes, async (text, contentType) => {
          const reply = await sender(target, new TextEncoder().encode(text), { ...headers, ...(contentType ? { 'content-type': contentType } : {}) });
          statuses.set(reply.status, (statuses.get(reply.status) ?? 0) + 1);
          const ok = reply.status < 300 ? accepted(reply) : isDocumentedRefusal(reply);
          if (!ok) refused ??= { request: { text, contentType }, reply };
          return ok;
        }),
        { numRuns, examples: withValid ? [[JSON.stringify(right), 'application/json']] : [] },
      )
      .catch((error: unknown) => {
        // fast-check names the shrunk request, and an error the property threw only as the cause.
        const cause = error instanceof Error && error.cause !== undefined ? `\nthe property threw: ${String(error.cause)}` : '';
        throw new Error(`${String(error)}${cause}\nthe first request that failed, and its answer: ${JSON.stringify(refused)}`);
      });
  }
  return statuses;
};

/** How the titles count the requests. */
const REQUESTS = `${RUNS} + ${HTTP_RUNS} (in process + over HTTP)`;

it(`POST /v1/load-entry-data answers ${REQUESTS} generated requests with a 2xx or a documented 4xx, never a 5xx`, async () => {
  const statuses = await fuzz(
    api,
    '/v1/load-entry-data',
    {
      flow_id: flow,
      project_id: project,
      entry_id: entry,
      token: seedToken(secret, entry, FUTURE),
      expires_at: FUTURE,
    },
    {},
    undefined,
    true,
  );
  expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  // fast-check counts each run's valid example among its runs.
  expect([...statuses.values()].reduce((a, b) => a + b, 0)).toBe(RUNS + HTTP_RUNS);
}, 600_000);

it(`the legacy endpoint answers ${REQUESTS} generated requests the same way`, async () => {
  const statuses = await fuzz(
    legacyApi,
    '/',
    {
      flow_id: flow,
      entry_id: entry,
      token: seedToken(legacyKey, entry, FUTURE),
      expires: FUTURE,
    },
    {},
    undefined,
    true,
  );
  expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
}, 600_000);

it(`POST /v1/entries/{entry_id}/link-requests answers ${REQUESTS} generated requests from a page with a 202 or a documented 4xx, never a 5xx`, async () => {
  const site = 'https://fuzz.example';
  await send(`${rt.apiUrl}/v1/projects/${project}/allowed-origins`, JSON.stringify({ origins: [site] }), { 'content-type': 'application/json' }, 'PUT');
  await send(`${rt.apiUrl}/v1/projects/${project}/browser-saves`, JSON.stringify({ enabled: true }), { 'content-type': 'application/json' }, 'PUT');
  const made = await send(`${rt.apiUrl}/v1/entries`, JSON.stringify({ project_id: project, flow_id: flow, current_page_key: 'p', user_data: {} }), {
    'content-type': 'application/json',
    origin: site,
  });
  const { entry_id: madeId, save_token: saveToken } = made.json as { entry_id: string; save_token: string };
  registerSensitive(saveToken);
  try {
    const statuses = await fuzz(
      api,
      `/v1/entries/${madeId}/link-requests`,
      { project_id: project, flow_id: flow, save_token: saveToken, channel: 'email', to: 'ada@example.com', resume_url: `${site}/flow` },
      { origin: site },
      (reply) => reply.status === 202 && typeof (reply.json as { expires_at?: unknown }).expires_at === 'string',
      true,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The valid body goes first, so one request at least is valid; however many are (both runs ask for the same entry), the entry's limit holds: at most 3 links in the hour.
    expect(statuses.get(202) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(202)).toBeLessThanOrEqual(3);
  } finally {
    await send(`${rt.apiUrl}/v1/projects/${project}/browser-saves`, JSON.stringify({ enabled: false }), { 'content-type': 'application/json' }, 'PUT');
    await deleteEntry(madeId);
    await deleteEntry(`link-requests#${madeId}`);
  }
}, 600_000);

it(`POST /v1/entries/{entry_id}/handoff answers ${REQUESTS} generated requests from a page with a 201 or a documented 4xx, never a 5xx`, async () => {
  const site = 'https://fuzz.example';
  await send(`${rt.apiUrl}/v1/projects/${project}/allowed-origins`, JSON.stringify({ origins: [site] }), { 'content-type': 'application/json' }, 'PUT');
  await send(`${rt.apiUrl}/v1/projects/${project}/browser-saves`, JSON.stringify({ enabled: true }), { 'content-type': 'application/json' }, 'PUT');
  const made = await send(`${rt.apiUrl}/v1/entries`, JSON.stringify({ project_id: project, flow_id: flow, current_page_key: 'p', user_data: {} }), {
    'content-type': 'application/json',
    origin: site,
  });
  const { entry_id: madeId, save_token: saveToken } = made.json as { entry_id: string; save_token: string };
  registerSensitive(saveToken);
  try {
    const statuses = await fuzz(
      api,
      `/v1/entries/${madeId}/handoff`,
      { project_id: project, flow_id: flow, save_token: saveToken, resume_url: `${site}/flow` },
      { origin: site },
      (reply) => {
        const link = reply.json as { url?: unknown; short_url?: unknown; expires_at?: unknown };
        if (typeof link.url === 'string') registerSensitive(link.url, new URL(link.url).searchParams.get('token'));
        return reply.status === 201 && typeof link.url === 'string' && typeof link.short_url === 'string' && typeof link.expires_at === 'string';
      },
      true,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The valid body goes first; however many are valid, the entry's limit holds: at most 10 in the hour.
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
    expect(statuses.get(201)).toBeLessThanOrEqual(10);
  } finally {
    await send(`${rt.apiUrl}/v1/projects/${project}/browser-saves`, JSON.stringify({ enabled: false }), { 'content-type': 'application/json' }, 'PUT');
    await deleteEntry(madeId);
    await deleteEntry(`handoffs#${madeId}`);
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

  it(`POST /v1/entries answers ${REQUESTS} generated requests with a 201 or a documented 4xx, never a 5xx`, async () => {
    const statuses = await fuzz(
      api,
      '/v1/entries',
      draft,
      { origin: site },
      (reply) => {
        const made = reply.json as { entry_id?: unknown; save_token?: unknown };
        if (typeof made.entry_id === 'string') created.push(made.entry_id);
        if (typeof made.save_token === 'string') registerSensitive(made.save_token);
        return reply.status === 201 && typeof made.entry_id === 'string' && typeof made.save_token === 'string';
      },
      true,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    expect(statuses.get(201) ?? 0).toBeGreaterThan(0);
  }, 600_000);

  it(`POST /v1/entries/{entry_id}/progress answers ${REQUESTS} generated requests with a 200 or a documented 4xx, never a 5xx`, async () => {
    const made = (await send(`${rt.apiUrl}/v1/entries`, JSON.stringify(draft), { 'content-type': 'application/json', origin: site })).json as {
      entry_id: string;
      save_token: string;
    };
    created.push(made.entry_id);
    registerSensitive(made.save_token);
    const statuses = await fuzz(
      api,
      `/v1/entries/${made.entry_id}/progress`,
      { ...draft, current_page_key: 'page_2', save_token: made.save_token, seq: 1 },
      { origin: site },
      (reply) => reply.status === 200 && typeof (reply.json as { seq?: unknown }).seq === 'number',
      true,
    );
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
    // The valid save is taken; the same seq again (the HTTP run's first request) is a 409 stale_save.
    expect(statuses.get(200) ?? 0).toBeGreaterThan(0);
  }, 600_000);
});

it(`GET and HEAD /r/{code} answer ${SHORT_LINK_RUNS} + ${HTTP_RUNS} (in process + over HTTP) generated codes with a 302 to the stored link for its own code and a 404 for any other, never a 5xx`, async () => {
  // On the project's own origin (the link-requests test lists it): mint refuses a resume_url elsewhere.
  const minted = await send(
    `${rt.apiUrl}/v1/tokens`,
    JSON.stringify({ project_id: project, entry_id: entry, resume_url: 'https://fuzz.example/flow', short: true }),
  );
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
    for (const [sender, numRuns] of [
      [api.lambda, SHORT_LINK_RUNS],
      [api.http, HTTP_RUNS],
    ] as const) {
      if (numRuns === 0) continue;
      await fc.assert(
        fc.asyncProperty(codes, fc.constantFrom('GET', 'HEAD'), async (c, method) => {
          const res = await sender(`/r/${encodeURIComponent(c)}`, undefined, { accept: '*/*' }, method);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          return res.status === 302 ? c === code && res.headers.get('location') === url : res.status === 404 && c !== code;
        }),
        { numRuns },
      );
    }
  } finally {
    await deleteEntry(shortLinkKey(code));
  }
  expect(statuses.get(302) ?? 0).toBeGreaterThan(0);
}, 600_000);
