import { execFileSync } from 'node:child_process';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { handler } from '../../lambdas/load-entry-data/index';
import { computeToken } from '../../lambdas/domain/token';
import { countCalls } from '../../dev-support/call-counter';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, seedScenario, uid } from '../support/seed';
import { errorOf, invoke } from '../support/http';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { lengthExtend } from '../support/sha256-length-extension';

const FUTURE = '2099-01-01T00:00:00.000Z';
const ddbCalls = countCalls(dynamodb);
const smCalls = countCalls(secretsManager);

type Scenario = Awaited<ReturnType<typeof seedScenario>>;

const bodyFor = (s: Scenario, overrides: Record<string, unknown> = {}) => ({
  flow_id: s.flowId,
  project_id: s.projectId,
  entry_id: s.entryId,
  token: computeToken(s.credential.secret, s.entryId, FUTURE),
  expires_at: FUTURE,
  ...overrides,
});

const post = (body: unknown, options?: Parameters<typeof loadEntryEvent>[1]) => invoke(handler, loadEntryEvent(body, options));

let s: Scenario;
beforeEach(async () => {
  s = await seedScenario({ name: 'Grace', answers: { q1: 'b', q2: [1, 2] }, step_count: 4 });
  ddbCalls.reset();
  smCalls.reset();
});
afterEach(async () => {
  await s.cleanup();
});

describe('a valid link', () => {
  it('returns the saved user data with entry_id and current_page_key, and reads the entry exactly once', async () => {
    const reply = await post(bodyFor(s));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({
      entry: { name: 'Grace', answers: { q1: 'b', q2: [1, 2] }, step_count: 4, entry_id: s.entryId, current_page_key: 'page_2' },
    });
    expect(ddbCalls.calls).toEqual(['GetItemCommand']);
    // Eventually consistent by default (CONSISTENT_READS unset): half the read price.
    expect(ddbCalls.inputs[0].ConsistentRead).toBe(false);
  });

  it('verifies a token minted outside the product by openssl from the seed formula', async () => {
    const message = `${s.credential.secret}---${s.entryId}---${FUTURE}`;
    const token = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: message }).toString().split(' ')[0];
    const reply = await post(bodyFor(s, { token }));
    expect(reply.status).toBe(200);
  });

  it('accepts the token in upper case', async () => {
    const reply = await post(bodyFor(s, { token: computeToken(s.credential.secret, s.entryId, FUTURE).toUpperCase() }));
    expect(reply.status).toBe(200);
  });

  it('accepts an expires_at with a +hh:mm offset, hashed exactly as sent', async () => {
    const expiresAt = '2099-01-01T01:00:00+01:00';
    const reply = await post(bodyFor(s, { expires_at: expiresAt, token: computeToken(s.credential.secret, s.entryId, expiresAt) }));
    expect(reply.status).toBe(200);
  });

  it('accepts text/plain (a CORS-simple request) and a base64-encoded body', async () => {
    expect((await post(bodyFor(s), { contentType: 'text/plain;charset=UTF-8' })).status).toBe(200);
    expect((await post(bodyFor(s), { base64: true })).status).toBe(200);
  });

  it('verifies with any active credential of the project', async () => {
    const second = credential({ label: 'rotation' });
    await seedProject(s.projectId, [s.credential, second]);
    const reply = await post(bodyFor(s, { token: computeToken(second.secret, s.entryId, FUTURE) }));
    expect(reply.status).toBe(200);
  });

  it('keeps the contract fields when user data has keys of the same name', async () => {
    await seedEntry({
      entryId: s.entryId,
      projectId: s.projectId,
      flowId: s.flowId,
      currentPageKey: 'p9',
      userData: { entry_id: 'x', current_page_key: 'y', a: 1 },
    });
    const reply = await post(bodyFor(s));
    expect(reply.json).toEqual({ entry: { a: 1, entry_id: s.entryId, current_page_key: 'p9' } });
  });
});

describe('a link that must be refused', () => {
  it('one changed hex digit: 401 invalid_token, and DynamoDB is never called', async () => {
    const token = computeToken(s.credential.secret, s.entryId, FUTURE);
    const tampered = token.slice(0, 10) + (token[10] === 'a' ? 'b' : 'a') + token.slice(11);
    const reply = await post(bodyFor(s, { token: tampered }));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
    expect(ddbCalls.calls).toEqual([]);
  });

  it('an expired link with a valid token: 401 token_expired, and DynamoDB is never called', async () => {
    const past = '2020-01-01T00:00:00.000Z';
    const reply = await post(bodyFor(s, { expires_at: past, token: computeToken(s.credential.secret, s.entryId, past) }));
    expect(reply.status).toBe(401);
    expect(errorOf(reply)).toEqual({ code: 'token_expired', message: 'The link has expired. Ask for a new link.' });
    expect(ddbCalls.calls).toEqual([]);
  });

  it('an expired link with a wrong token is invalid, not expired (expiry is only told to token holders)', async () => {
    const past = '2020-01-01T00:00:00.000Z';
    const reply = await post(bodyFor(s, { expires_at: past, token: computeToken('wrong', s.entryId, past) }));
    expect(errorOf(reply).code).toBe('invalid_token');
  });

  it('a token moved to another expiry: 401 invalid_token', async () => {
    const reply = await post(bodyFor(s, { expires_at: '2099-01-01T00:00:00.001Z' }));
    expect(errorOf(reply).code).toBe('invalid_token');
  });

  it("a token signed with another project's secret: 401 invalid_token", async () => {
    const other = await seedScenario();
    try {
      const reply = await post(bodyFor(s, { token: computeToken(other.credential.secret, s.entryId, FUTURE) }));
      expect(reply.status).toBe(401);
      expect(errorOf(reply).code).toBe('invalid_token');
    } finally {
      await other.cleanup();
    }
  });

  it("a token valid under project A's secret never returns project B's entry: 404 entry_not_found", async () => {
    const b = await seedScenario({ secret_of_b: 'must not leak' });
    try {
      // The attacker holds A's secret and mints a token for B's entry id, naming project A and B's flow.
      const reply = await post(bodyFor(s, { entry_id: b.entryId, flow_id: b.flowId, token: computeToken(s.credential.secret, b.entryId, FUTURE) }));
      expect(reply.status).toBe(404);
      expect(errorOf(reply).code).toBe('entry_not_found');
      expect(reply.raw).not.toContain('must not leak');
    } finally {
      await b.cleanup();
    }
  });

  it('a valid token with another flow_id: 404 entry_not_found', async () => {
    const reply = await post(bodyFor(s, { flow_id: uid('flow') }));
    expect(reply.status).toBe(404);
    expect(errorOf(reply).code).toBe('entry_not_found');
  });

  it('a valid token for an entry that does not exist: 404 entry_not_found', async () => {
    const entryId = uid('entry');
    const reply = await post(bodyFor(s, { entry_id: entryId, token: computeToken(s.credential.secret, entryId, FUTURE) }));
    expect(reply.status).toBe(404);
    expect(errorOf(reply)).toEqual({ code: 'entry_not_found', message: 'No saved entry matches this link.' });
    // The refusal is confirmed by a strongly consistent read: the entry may have been saved a moment ago.
    expect(ddbCalls.inputs.map((i) => i.ConsistentRead)).toEqual([false, true]);
  });

  it('an entry past its retention deadline (not yet swept by TTL): 404 entry_not_found', async () => {
    await seedEntry({
      entryId: s.entryId,
      projectId: s.projectId,
      flowId: s.flowId,
      currentPageKey: 'p',
      userData: {},
      retainUntil: Math.floor(Date.now() / 1000) - 1,
    });
    const reply = await post(bodyFor(s));
    expect(errorOf(reply).code).toBe('entry_not_found');
  });

  it('a project that has no secret: 401 invalid_token, like a wrong token', async () => {
    const reply = await post(bodyFor(s, { project_id: uid('proj') }));
    expect(reply.status).toBe(401);
    expect(errorOf(reply).code).toBe('invalid_token');
  });

  it("a credential of another environment does not verify in this deployment's", async () => {
    const staging = credential({ environment: 'staging' });
    await seedProject(s.projectId, [staging]);
    const reply = await post(bodyFor(s, { token: computeToken(staging.secret, s.entryId, FUTURE) }));
    expect(errorOf(reply).code).toBe('invalid_token');
  });

  it('a forged length extension in expires_at is refused at the grammar', async () => {
    const past = '2020-01-01T00:00:00Z';
    const token = computeToken(s.credential.secret, s.entryId, past);
    const suffix = Buffer.from('2099-01-01T00:00:00Z');
    const forged = lengthExtend(token, Buffer.byteLength(`${s.credential.secret}---${s.entryId}---${past}`), suffix);
    const expiresAt = Buffer.concat([Buffer.from(past), forged.glue, suffix]).toString('latin1');
    const reply = await post(bodyFor(s, { expires_at: expiresAt, token: forged.digestHex }));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).code).toBe('invalid_request');
    expect(errorOf(reply).message).toContain('expires_at');
    expect(ddbCalls.calls).toEqual([]);
    expect(smCalls.calls).toEqual([]);
  });

  it('a forged length extension in entry_id is refused at the grammar', async () => {
    const token = computeToken(s.credential.secret, s.entryId, FUTURE);
    const suffix = Buffer.from(`---${FUTURE}`);
    const forged = lengthExtend(token, Buffer.byteLength(`${s.credential.secret}---${s.entryId}---${FUTURE}`), suffix);
    const entryId = Buffer.concat([Buffer.from(`${s.entryId}---${FUTURE}`), forged.glue]).toString('latin1');
    const reply = await post(bodyFor(s, { entry_id: entryId, token: forged.digestHex }));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain('entry_id');
  });
});

describe('served from a Lambda Function URL (currentContractFunctionUrl)', () => {
  it('answers the same request delivered as a Function URL event (routeKey $default)', async () => {
    const reply = await invoke(handler, functionUrlEvent('POST', '/', bodyFor(s)));
    expect(reply.status).toBe(200);
    expect((reply.json as { entry: { entry_id: string } }).entry.entry_id).toBe(s.entryId);
  });
});

describe('key freshness', () => {
  it('a credential created after the keys were cached works at once', async () => {
    expect((await post(bodyFor(s))).status).toBe(200);
    const fresh = credential({ label: 'new' });
    await seedProject(s.projectId, [s.credential, fresh]);
    const reply = await post(bodyFor(s, { token: computeToken(fresh.secret, s.entryId, FUTURE) }));
    expect(reply.status).toBe(200);
  });

  it('a flood of bad tokens costs at most one Secrets Manager refetch per interval', async () => {
    expect((await post(bodyFor(s))).status).toBe(200);
    smCalls.reset();
    for (let i = 0; i < 20; i++) {
      await post(bodyFor(s, { token: computeToken(`bad-${i}`, s.entryId, FUTURE) }));
    }
    expect(smCalls.calls).toEqual(['GetSecretValueCommand']);
  });

  it('warm valid resumes make no Secrets Manager call', async () => {
    await post(bodyFor(s));
    smCalls.reset();
    for (let i = 0; i < 5; i++) expect((await post(bodyFor(s))).status).toBe(200);
    expect(smCalls.calls).toEqual([]);
  });
});

describe('bad input', () => {
  const cases: Array<[string, (s: Scenario) => unknown, string]> = [
    ['a missing field', (s) => ({ ...bodyFor(s), project_id: undefined }), 'project_id is required'],
    ['the legacy field name', (s) => ({ ...bodyFor(s), expires_at: undefined, expires: FUTURE }), '"expires_at"'],
    ['an unknown field', (s) => ({ ...bodyFor(s), admin: true }), 'unknown field "admin"'],
    ['a number for a string', (s) => ({ ...bodyFor(s), entry_id: 42 }), 'entry_id must be of type string'],
    ['an id with --', (s) => ({ ...bodyFor(s), entry_id: 'a--b' }), 'entry_id must be 1 to 128'],
    ['an id of 129 characters', (s) => ({ ...bodyFor(s), flow_id: 'f'.repeat(129) }), 'flow_id must be 1 to 128'],
    ['a 63-digit token', (s) => ({ ...bodyFor(s), token: 'a'.repeat(63) }), 'token must be 64 hexadecimal'],
    ['30 February', (s) => ({ ...bodyFor(s), expires_at: '2099-02-30T00:00:00Z' }), 'expires_at must be an RFC 3339'],
    ['Arabic-Indic digits in expires_at', (s) => ({ ...bodyFor(s), expires_at: '٢٠٩٩-01-01T00:00:00Z' }), 'expires_at'],
    ['an array body', () => [], 'the request body must be a JSON object'],
    ['a string body', () => 'hello', 'the request body must be a JSON object'],
    ['a null body', () => null, 'the request body must be a JSON object'],
  ];
  it.each(cases)('%s: 400 invalid_request naming the problem', async (_name, body, message) => {
    const reply = await post(body(s));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).code).toBe('invalid_request');
    expect(errorOf(reply).message).toContain(message);
    // Every 400 in one format, whether the schema or the domain (the calendar) refused it.
    expect(errorOf(reply).message).toMatch(/^Invalid request: .+\.$/);
    expect(ddbCalls.calls).toEqual([]);
  });

  it('a date that is not on the calendar: 400 in the format of every other 400', async () => {
    const reply = await post({ ...bodyFor(s), expires_at: '2027-02-30T00:00:00.000Z' });
    expect(errorOf(reply)).toEqual({
      code: 'invalid_request',
      message: 'Invalid request: expires_at must be an RFC 3339 date-time on a real calendar date, e.g. 2025-01-01T00:00:00.000Z or 2025-01-01T01:00:00+01:00.',
    });
  });

  it('an expires_at whose "+" became a space: 400 saying the link lost it to missing URL encoding', async () => {
    const reply = await post({ ...bodyFor(s), expires_at: '2025-01-01T01:00:00 01:00' });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toEqual({
      code: 'invalid_request',
      message:
        'Invalid request: expires_at has a space where its UTC offset\'s "+" belongs: the "+" was probably turned into a space by missing URL encoding (the link must carry it as %2B).',
    });
  });

  it('a body that is not JSON: 400', async () => {
    const reply = await post('{"flow_id":', { raw: true });
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toEqual({ code: 'invalid_request', message: 'Invalid request: the request body is not valid UTF-8 JSON.' });
  });

  it('an empty body: 400', async () => {
    const reply = await post('', { raw: true });
    expect(errorOf(reply).code).toBe('invalid_request');
  });

  it.each([
    [null, 'unsupported_media_type'],
    ['application/x-www-form-urlencoded', 'unsupported_media_type'],
    ['application/xml', 'unsupported_media_type'],
    ['application/json; charset=iso-8859-1', 'unsupported_media_type'],
  ])('Content-Type %s: 415', async (contentType, code) => {
    const reply = await post(bodyFor(s), { contentType });
    expect(reply.status).toBe(415);
    expect(errorOf(reply).code).toBe(code);
  });

  it('a body over the limit: 413 payload_too_large', async () => {
    const reply = await post({ ...bodyFor(s), pad: 'x'.repeat(5000) });
    expect(reply.status).toBe(413);
    expect(errorOf(reply).code).toBe('payload_too_large');
  });

  it('a body of 1 MB: 413, never a 5xx', async () => {
    const reply = await post('x'.repeat(1024 * 1024), { raw: true });
    expect(reply.status).toBe(413);
  });

  it('__proto__ and constructor keys are refused as unknown fields', async () => {
    const raw = `{"__proto__":{"admin":true},${JSON.stringify(bodyFor(s)).slice(1)}`;
    const reply = await post(raw, { raw: true });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain('__proto__');
    const reply2 = await post({ ...bodyFor(s), constructor: { prototype: {} } });
    expect(reply2.status).toBe(400);
  });
});

describe('responses', () => {
  it('carry security headers and no-store on success and on error', async () => {
    for (const reply of [await post(bodyFor(s)), await post({})]) {
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
      expect(reply.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(reply.headers['cache-control']).toBe('no-store');
      expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(reply.headers['access-control-allow-origin']).toBe('*');
    }
  });

  it('never contain a stack trace or internal detail', async () => {
    const replies = [await post({}), await post('nope', { raw: true }), await post(bodyFor(s, { token: 'f'.repeat(64) }))];
    for (const reply of replies) {
      expect(Object.keys(reply.json as object)).toEqual(['error']);
      expect(Object.keys(errorOf(reply)).sort()).toEqual(['code', 'message']);
      expect(reply.raw).not.toMatch(/at \S+ \(|node_modules|Exception|\.ts:/);
    }
  });
});

afterAll(async () => {
  ddbCalls.detach();
  smCalls.detach();
  await Promise.allSettled([deleteEntry('none'), deleteProject('none')]);
});
