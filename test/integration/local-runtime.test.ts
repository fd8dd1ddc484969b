import { createHash } from 'node:crypto';
import { SAVE_TOKEN_PATTERN } from '../../lambdas/domain/save-token';
import { sdkOptions } from '../../lambdas/adapters/clients';
import { FUNCTION_TIMEOUT_MS } from '../../lambdas/runtime/deadline';
import type { LocalRuntime } from '../../local/runtime';
import { sdkOptionsWithin } from '../../local/sdk-options';
import { httpRequest } from '../support/raw-http';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { startTestRuntime } from '../support/runtime';

// As `npm start` sets it: no resume is early by its timing. Passed to the runtime's Lambdas, not through process.env.
const settings = { EARLY_RESUME_SECONDS: 0 };

/** A site the demo project also lists as its own (it takes browser saves, so it lists its origins). */
const SITE = 'https://quiz.example';
let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime({ demoOrigins: [SITE], settings });
});
afterAll(async () => {
  await runtime.stop();
});

const resumeBody = () => ({
  flow_id: runtime.demo.flowId,
  project_id: runtime.demo.projectId,
  entry_id: runtime.demo.entryId,
  token: runtime.demo.token,
  expires_at: runtime.demo.expiresAt,
});

describe('the local runtime', () => {
  it('serves the printed resume request over HTTP and returns the demo entry', async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'POST',
      // A person's browser: an automated client's resume (isbot: curl, Node's fetch) is answered with no save token.
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      },
      body: JSON.stringify(resumeBody()),
    });
    expect(res.status).toBe(200);
    // The demo project takes browser saves, so a person's resume answers a save token too.
    expect(await res.json()).toEqual({
      entry: { ...runtime.demo.userData, entry_id: runtime.demo.entryId, current_page_key: runtime.demo.currentPageKey },
      save_token: expect.stringMatching(new RegExp(SAVE_TOKEN_PATTERN)),
    });
  });

  it('answers a CORS preflight through the same handler', async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'OPTIONS',
      headers: { origin: 'https://site.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it.each([
    ['an unknown path', 'POST', '/v1/nothing-here'],
    ["another method on a route's path", 'GET', '/v1/load-entry-data'],
  ])("answers %s with the documented 404, through the Lambda of API Gateway's $default route", async (_what, method, path) => {
    const res = await fetch(`${runtime.apiUrl}${path}`, { method });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.json()).toEqual({
      error: {
        code: 'not_found',
        message: `No route serves ${method} ${path}. Resume links are posted to POST /v1/load-entry-data; docs/openapi.yaml lists every route.`,
      },
    });
  });

  it("refuses a body over API Gateway's 10 MB limit before the Lambda", async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
  });

  it('serves the legacy contract on its own port as a Function URL would, with deprecation headers', async () => {
    // A flow and entry of the demo project's own: the demo flow's key stays the one other runtimes of the run (the
    // e2e demo's legacy link) signed with; replacing it failed their links when this file ran beside them.
    const legacyKey = 'local-legacy-key-0001';
    const flowId = uid('flow');
    const entryId = uid('entry');
    await seedEntry({ entryId, projectId: runtime.demo.projectId, flowId, currentPageKey: 'page_1', userData: { step: 1 } });
    const put = await fetch(`${runtime.apiUrl}/v1/legacy/flows/${flowId}/key`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: legacyKey, project_id: runtime.demo.projectId }),
    });
    expect(put.status).toBe(204);
    const expires = '2099-02-01T00:00:00.000Z';
    const token = createHash('sha256').update(`${legacyKey}---${entryId}---${expires}`).digest('hex');
    const res = await fetch(`${runtime.legacyUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flow_id: flowId, entry_id: entryId, token, expires }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe('@1779753600');
    expect(res.headers.get('link')).toBe(`<${runtime.legacyUrl}/migration-guide>; rel="deprecation"; type="text/markdown"`);
    expect(((await res.json()) as { entry: { entry_id: string } }).entry.entry_id).toBe(entryId);
    await deleteEntry(entryId);
    await fetch(`${runtime.apiUrl}/v1/legacy/flows/${flowId}/key`, { method: 'DELETE' });
    const guide = await fetch(`${runtime.legacyUrl}/migration-guide`);
    expect(await guide.text()).toContain(`${runtime.apiUrl}/v1/load-entry-data`);
  });

  it('keeps the demo secret when restarted against the same emulator', async () => {
    const second = await startTestRuntime({ settings });
    try {
      expect(second.demo.secret).toBe(runtime.demo.secret);
    } finally {
      await second.stop();
    }
  });

  it('names its own address in the legacy Link header, whatever Host the client sends', async () => {
    const hostile = { host: 'evil.example', 'content-type': 'application/json' };
    for (const res of [
      await httpRequest(`${runtime.legacyUrl}/`, { method: 'POST', headers: hostile, body: '{}' }),
      await httpRequest(`${runtime.legacyUrl}/migration-guide`, { headers: hostile }),
    ]) {
      expect(res.headers.link).toBe(`<${runtime.legacyUrl}/migration-guide>; rel="deprecation"; type="text/markdown"`);
    }
  });
});

describe('the local console', () => {
  const lines: string[] = [];
  let logged: LocalRuntime;
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const key = credential();
  const expiresAt = '2099-01-01T00:00:00.000Z';
  const token = createHash('sha256').update(`${key.secret}---${entryId}---${expiresAt}`).digest('hex');
  beforeAll(async () => {
    logged = await startTestRuntime({ log: (line) => lines.push(line), settings });
    await seedProject(projectId, [key]);
    await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_1', userData: { name: 'Ada' } });
  });
  afterAll(async () => {
    await logged.stop();
    await deleteEntry(entryId);
    await deleteProject(projectId);
  });

  const PERSON = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
  const resume = async (body: Record<string, string>) => {
    lines.length = 0;
    const res = await fetch(`${logged.apiUrl}/v1/load-entry-data`, {
      method: 'POST',
      // A person's browser: Node's own User-Agent is an automated client's (isbot), which the line would name.
      headers: { 'content-type': 'application/json', 'user-agent': PERSON },
      body: JSON.stringify({ flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt, ...body }),
    });
    return { status: res.status, body: await res.text(), line: lines.join('\n') };
  };
  const INVALID_TOKEN = '{"error":{"code":"invalid_token","message":"The link is not valid: its token does not match. Ask for a new link."}}';

  it.each([
    [
      'a token no key of the project signed',
      { token: 'a'.repeat(64) },
      401,
      INVALID_TOKEN,
      `401 invalid_token (no key of project ${projectId} matched (1 tried))`,
    ],
    [
      'a project with no secret',
      { project_id: 'proj_nobody_here' },
      401,
      INVALID_TOKEN,
      '401 invalid_token (project proj_nobody_here has no active Token Signing Secret in this environment)',
    ],
    ['another flow', { flow_id: 'flow_other' }, 404, undefined, `404 entry_not_found (entry ${entryId} is not in project ${projectId}'s flow flow_other)`],
  ])('shows why beside the status for %s, while the response says no more than in AWS', async (_what, body, status, response, why) => {
    const result = await resume(body);
    expect(result.status).toBe(status);
    if (response) expect(result.body).toBe(response);
    expect(result.body).not.toContain('(');
    expect(result.line).toBe(`POST /v1/load-entry-data -> ${why}`);
  });

  it('shows a missing entry, and never the token', async () => {
    const missing = 'entry_never_saved';
    const other = createHash('sha256').update(`${key.secret}---${missing}---${expiresAt}`).digest('hex');
    const result = await resume({ entry_id: missing, token: other });
    expect(result.line).toBe(`POST /v1/load-entry-data -> 404 entry_not_found (entry ${missing} does not exist)`);
    expect(result.line).not.toContain(other);
  });

  it('shows a success as its status alone, and a request no route serves as not_found, with the reason its answer gives', async () => {
    expect((await resume({})).line).toBe('POST /v1/load-entry-data -> 200');
    lines.length = 0;
    await fetch(`${logged.apiUrl}/v1/load-entry-data`);
    expect(lines).toEqual([
      'GET /v1/load-entry-data -> 404 not_found (No route serves GET /v1/load-entry-data. Resume links are posted to POST /v1/load-entry-data; docs/openapi.yaml lists every route.)',
    ]);
  });

  it.each([
    ['a body that is not JSON', { 'content-type': 'application/json' }, '{', 400],
    [
      'a field the schema refuses',
      { 'content-type': 'application/json' },
      JSON.stringify({ flow_id: 'f', project_id: 'p', entry_id: 'e', token: 'x', expires_at: '2099-01-01T00:00:00Z' }),
      400,
    ],
    ['another content type', { 'content-type': 'text/html' }, '{}', 415],
    ["a body over the route's limit", { 'content-type': 'application/json' }, JSON.stringify({ pad: 'x'.repeat(5000) }), 413],
  ])('shows the reason the answer gives for %s, not an internal name', async (_what, headers, body, status) => {
    lines.length = 0;
    const res = await fetch(`${logged.apiUrl}/v1/load-entry-data`, { method: 'POST', headers, body });
    const { error } = (await res.json()) as { error: { code: string; message: string } };
    expect([res.status, lines]).toEqual([status, [`POST /v1/load-entry-data -> ${status} ${error.code} (${error.message})`]]);
    expect(lines[0]).not.toMatch(/Error\)/);
  });

  it('shows how a resume of a campaign link is counted: human or early, and why (no resume is early by its timing locally)', async () => {
    const minted = await fetch(`${logged.apiUrl}/v1/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project_id: projectId, entry_id: entryId, campaign: 'spring-sms' }),
    });
    const link = (await minted.json()) as { token: string; expires_at: string };
    registerSensitive(link.token);
    const open = async (userAgent: string) => {
      lines.length = 0;
      const res = await fetch(`${logged.apiUrl}/v1/load-entry-data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': userAgent },
        body: JSON.stringify({ flow_id: flowId, project_id: projectId, entry_id: entryId, token: link.token, expires_at: link.expires_at }),
      });
      expect(res.status).toBe(200);
      return lines.join('\n');
    };
    // At once after the mint: in AWS within EARLY_RESUME_SECONDS (30 s), counted early; npm start sets 0.
    expect(await open('Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0 Safari/537.36')).toMatch(
      /^POST \/v1\/load-entry-data -> 200 human \(campaign spring-sms, link \d+ s old\)$/,
    );
    expect(await open('curl/8.5.0')).toMatch(
      /^POST \/v1\/load-entry-data -> 200 early \(campaign spring-sms, link \d+ s old: an automated client's User-Agent\)$/,
    );
    // The person's resume is the one a completion is attributed to.
    const completed = await fetch(`${logged.apiUrl}/v1/entries/${entryId}/complete`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ project_id: projectId }),
    });
    expect(await completed.json()).toEqual({ entry_id: entryId, completed_at: expect.any(String), campaign: 'spring-sms' });
  });
});

describe('the local admin routes and web pages', () => {
  const FORBIDDEN = {
    error: {
      code: 'forbidden',
      message: 'Admin routes do not accept requests from web pages on other origins. Call them from your backend, the CLI or curl.',
    },
  };
  const projectId = uid('proj');
  const existing = credential({ label: 'in use' });
  beforeAll(async () => {
    await seedProject(projectId, [existing]);
  });
  afterAll(async () => {
    await deleteProject(projectId);
  });

  const credentialsUrl = () => `${runtime.apiUrl}/v1/projects/${projectId}/credentials`;
  const host = () => new URL(runtime.apiUrl).host;
  const listCredentials = async () => {
    const res = await httpRequest(credentialsUrl());
    expect(res.status).toBe(200);
    return (JSON.parse(res.body) as { credentials: { credential_id: string; status: string }[] }).credentials;
  };

  it('refuses a text/plain POST from a page on another origin with 403, and creates no credential', async () => {
    // A CORS-simple request: the browser sends it without a preflight, and `replace` defaults to true.
    const res = await httpRequest(credentialsUrl(), {
      method: 'POST',
      headers: { origin: 'https://evil.example', 'content-type': 'text/plain;charset=UTF-8', 'sec-fetch-site': 'cross-site' },
      body: JSON.stringify({ label: 'planted' }),
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual(FORBIDDEN);
    expect((await listCredentials()).map((c) => [c.credential_id, c.status])).toEqual([[existing.credential_id, 'active']]);
  });

  it.each([
    ['an Origin of another site', { origin: 'https://evil.example' }],
    ['an Origin on another port of loopback', { origin: 'http://127.0.0.1:1' }],
    ['the opaque Origin of a sandboxed page', { origin: 'null' }],
    ['no Origin but Sec-Fetch-Site: cross-site', { 'sec-fetch-site': 'cross-site' }],
    ['no Origin but Sec-Fetch-Site: same-site', { 'sec-fetch-site': 'same-site' }],
    [
      "a DNS-rebound page: its own origin, but not this server's host",
      { host: 'rebound.example', origin: 'http://rebound.example', 'sec-fetch-site': 'same-origin' },
    ],
  ])('refuses a request with %s', async (_name, headers: Record<string, string>) => {
    const res = await httpRequest(credentialsUrl(), { headers });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body)).toEqual(FORBIDDEN);
  });

  it.each([
    ['no browser headers (a backend, curl, the CLI)', () => ({})],
    ["the API's own origin (the demo page)", () => ({ origin: runtime.apiUrl, 'sec-fetch-site': 'same-origin' })],
    [
      'its own origin by the name localhost',
      () => ({ host: `localhost:${new URL(runtime.apiUrl).port}`, origin: `http://localhost:${new URL(runtime.apiUrl).port}` }),
    ],
    ['Sec-Fetch-Site: none (an address typed into the browser)', () => ({ host: host(), 'sec-fetch-site': 'none' })],
  ])('serves a request with %s', async (_name, headers: () => Record<string, string>) => {
    const res = await httpRequest(credentialsUrl(), { headers: headers() });
    expect(res.status).toBe(200);
  });

  it('leaves the public routes to their own CORS rules', async () => {
    const res = await httpRequest(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'POST',
      headers: { origin: SITE, 'sec-fetch-site': 'cross-site', 'content-type': 'text/plain' },
      body: JSON.stringify(resumeBody()),
    });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('*');
  });
});

it("gives its Lambdas' SDK clients the deployed timeouts at the deployed function timeout, and proportionally longer ones at a longer timeout", () => {
  expect(sdkOptionsWithin()).toEqual(sdkOptions);
  expect(sdkOptionsWithin(FUNCTION_TIMEOUT_MS * 30).requestHandler).toEqual({
    ...sdkOptions.requestHandler,
    connectionTimeout: sdkOptions.requestHandler.connectionTimeout * 30,
    requestTimeout: sdkOptions.requestHandler.requestTimeout * 30,
    socketTimeout: sdkOptions.requestHandler.socketTimeout * 30,
  });
});
