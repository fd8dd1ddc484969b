import type { LocalRuntime } from '../../local/runtime';
import { controlClock } from '../support/clock';
import { lengthExtend } from '../support/sha256-length-extension';
import { deleteEntry, deleteProject, uid } from '../support/seed';
import { errorCode, isDocumentedRefusal, postJson, seedToken, send } from './support';
import { startTestRuntime } from '../support/runtime';

// "Revoked, after the cache interval" moves the clock past the default TTL instead of waiting.
process.env.KEY_CACHE_TTL_SECONDS = '60';
const clock = controlClock();

let rt: LocalRuntime;
let load: string;
let legacy: string;
const FUTURE = '2099-10-01T00:00:00.000Z';

interface Tenant {
  projectId: string;
  flowId: string;
  entryId: string;
  secret: string;
  credentialId: string;
}
const tenants: Tenant[] = [];
/** Entries a test saved outside a tenant. */
const extraEntries: string[] = [];
let legacyKey: string;

const admin = async (method: string, path: string, body?: unknown) => {
  const reply = await send(`${rt.apiUrl}${path}`, body === undefined ? undefined : JSON.stringify(body), { 'content-type': 'application/json' }, method);
  if (reply.status >= 300) throw new Error(`${method} ${path} -> ${reply.status} ${reply.text}`);
  return reply.json as Record<string, any>;
};

const tenant = async (data: Record<string, unknown>): Promise<Tenant> => {
  const t = { projectId: uid('proj'), flowId: uid('flow'), entryId: uid('entry') };
  const created = await admin('POST', `/v1/projects/${t.projectId}/credentials`, { label: 'attack-suite' });
  await admin('PUT', `/v1/entries/${t.entryId}`, { project_id: t.projectId, flow_id: t.flowId, current_page_key: 'p1', user_data: data });
  const full = { ...t, secret: created.secret as string, credentialId: created.credential.credential_id as string };
  tenants.push(full);
  return full;
};

const body = (t: Tenant, overrides: Record<string, unknown> = {}) => ({
  flow_id: t.flowId,
  project_id: t.projectId,
  entry_id: t.entryId,
  token: seedToken(t.secret, t.entryId, FUTURE),
  expires_at: FUTURE,
  ...overrides,
});

let A: Tenant;
let B: Tenant;
beforeAll(async () => {
  rt = await startTestRuntime();
  load = `${rt.apiUrl}/v1/load-entry-data`;
  legacy = `${rt.legacyUrl}/`;
  A = await tenant({ owner: 'A', ssn: 'A-secret-data' });
  B = await tenant({ owner: 'B', ssn: 'B-secret-data' });
  legacyKey = `legacy-${uid('k')}`;
  await admin('PUT', `/v1/legacy/flows/${A.flowId}/key`, { secret: legacyKey, project_id: A.projectId });
}, 60_000);
afterAll(async () => {
  clock.restore();
  await rt.stop();
  for (const t of tenants) {
    await deleteEntry(t.entryId);
    await deleteProject(t.projectId);
  }
  for (const entryId of extraEntries) await deleteEntry(entryId);
});

it('sanity: a genuine link works on both endpoints', async () => {
  expect((await postJson(load, body(A))).status).toBe(200);
  const legacyBody = { flow_id: A.flowId, entry_id: A.entryId, token: seedToken(legacyKey, A.entryId, FUTURE), expires: FUTURE };
  expect((await postJson(legacy, legacyBody)).status).toBe(200);
});

describe('SHA-256 length extension', () => {
  const glueFor = (t: Tenant, expires: string, suffix: string) =>
    lengthExtend(seedToken(t.secret, t.entryId, expires), Buffer.byteLength(`${t.secret}---${t.entryId}---${expires}`), Buffer.from(suffix, 'latin1'));

  it('with the extension in expires_at: 400, on both endpoints', async () => {
    const past = '2020-01-01T00:00:00Z';
    const forged = glueFor(A, past, '2099-01-01T00:00:00Z');
    const expires = `${past}${forged.glue.toString('latin1')}2099-01-01T00:00:00Z`;
    const reply = await postJson(load, body(A, { expires_at: expires, token: forged.digestHex }));
    expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_request']);
    const legacyForged = lengthExtend(seedToken(legacyKey, A.entryId, past), Buffer.byteLength(`${legacyKey}---${A.entryId}---${past}`), Buffer.from('9'));
    const legacyReply = await postJson(legacy, {
      flow_id: A.flowId,
      entry_id: A.entryId,
      token: legacyForged.digestHex,
      expires: `${past}${legacyForged.glue.toString('latin1')}9`,
    });
    expect([legacyReply.status, errorCode(legacyReply)]).toEqual([400, 'invalid_request']);
  });

  it('with the extension in entry_id: 400', async () => {
    const forged = glueFor(A, FUTURE, `---${FUTURE}`);
    const entryId = `${A.entryId}---${FUTURE}${forged.glue.toString('latin1')}`;
    const reply = await postJson(load, body(A, { entry_id: entryId, token: forged.digestHex }));
    expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_request']);
  });
});

describe('crossing tenants', () => {
  it("a token valid under project A's secret for project B's entry: 404, and B's data never leaks", async () => {
    const reply = await postJson(load, body(A, { entry_id: B.entryId, flow_id: B.flowId, token: seedToken(A.secret, B.entryId, FUTURE) }));
    expect([reply.status, errorCode(reply)]).toEqual([404, 'entry_not_found']);
    expect(reply.text).not.toContain('B-secret-data');
  });

  it("a legacy key imported for project A opens no entry of project B, even in B's flow of the same name: 404, B's data never leaks", async () => {
    // The review's reproduction: B saves an entry in a flow named like the flow A's legacy key was imported for.
    const entryB1 = uid('entry');
    extraEntries.push(entryB1);
    await admin('PUT', `/v1/entries/${entryB1}`, {
      project_id: B.projectId,
      flow_id: A.flowId,
      current_page_key: 'p1',
      user_data: { owner: 'B', ssn: 'B-secret-data' },
    });
    const reply = await postJson(legacy, { flow_id: A.flowId, entry_id: entryB1, token: seedToken(legacyKey, entryB1, FUTURE), expires: FUTURE });
    expect([reply.status, errorCode(reply)]).toEqual([404, 'entry_not_found']);
    expect(reply.text).not.toContain('B-secret-data');
  });

  it("the legacy contract applies the owning project's allowed origins: 403 before any token check, as on the current one", async () => {
    const t = await tenant({ owner: 'C' });
    await admin('PUT', `/v1/projects/${t.projectId}/allowed-origins`, { origins: ['https://shop.example'] });
    const key = `legacy-${uid('k')}`;
    await admin('PUT', `/v1/legacy/flows/${t.flowId}/key`, { secret: key, project_id: t.projectId });
    const legacyBody = { flow_id: t.flowId, entry_id: t.entryId, token: seedToken(key, t.entryId, FUTURE), expires: FUTURE };
    const fromElsewhere = (b: unknown, origin: string) => send(legacy, JSON.stringify(b), { 'content-type': 'text/plain', origin });
    for (const b of [legacyBody, { ...legacyBody, token: 'f'.repeat(64) }]) {
      const refused = await fromElsewhere(b, 'https://evil.example');
      expect([refused.status, errorCode(refused)]).toEqual([403, 'forbidden']);
    }
    const current = await send(load, JSON.stringify(body(t)), { 'content-type': 'text/plain', origin: 'https://evil.example' });
    expect([current.status, errorCode(current)]).toEqual([403, 'forbidden']);
    const allowed = await fromElsewhere(legacyBody, 'https://shop.example');
    expect(allowed.status).toBe(200);
    const currentAllowed = await send(load, JSON.stringify(body(t)), { 'content-type': 'text/plain', origin: 'https://shop.example' });
    expect(currentAllowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(currentAllowed.headers.get('access-control-allow-origin'));
  });

  it("the same naming project B: 401 (A's key is not B's)", async () => {
    const reply = await postJson(load, body(B, { token: seedToken(A.secret, B.entryId, FUTURE) }));
    expect([reply.status, errorCode(reply)]).toEqual([401, 'invalid_token']);
  });

  it('a valid token with a different flow_id: 404', async () => {
    const reply = await postJson(load, body(A, { flow_id: B.flowId }));
    expect([reply.status, errorCode(reply)]).toEqual([404, 'entry_not_found']);
  });

  it('legacy and current keys swapped: 401 both ways', async () => {
    const current = await postJson(load, body(A, { token: seedToken(legacyKey, A.entryId, FUTURE) }));
    expect([current.status, errorCode(current)]).toEqual([401, 'invalid_token']);
    const old = await postJson(legacy, { flow_id: A.flowId, entry_id: A.entryId, token: seedToken(A.secret, A.entryId, FUTURE), expires: FUTURE });
    expect([old.status, errorCode(old)]).toEqual([401, 'invalid_token']);
  });
});

describe('revocation and expiry', () => {
  it('a revoked credential, after the cache interval: 401', async () => {
    const t = await tenant({ x: 1 });
    expect((await postJson(load, body(t))).status).toBe(200);
    await admin('DELETE', `/v1/projects/${t.projectId}/credentials/${t.credentialId}`);
    clock.advance(60_000);
    const reply = await postJson(load, body(t));
    expect([reply.status, errorCode(reply)]).toEqual([401, 'invalid_token']);
  });

  it('an expired link: 401 token_expired', async () => {
    const past = '2024-05-05T05:05:05Z';
    const reply = await postJson(load, body(A, { expires_at: past, token: seedToken(A.secret, A.entryId, past) }));
    expect([reply.status, errorCode(reply)]).toEqual([401, 'token_expired']);
  });
});

describe('malformed input', () => {
  it.each([
    ['entry_id of 129 characters', { entry_id: 'e'.repeat(129) }],
    ['entry_id of 100 000 characters', { entry_id: 'e'.repeat(100_000) }],
    ['token of 65 hex digits', { token: 'a'.repeat(65) }],
    ['expires_at of 36 characters', { expires_at: '2099-01-01T00:00:00.0000000000+01:00' }],
    ['Arabic-Indic digits in expires_at', { expires_at: '٢٠٩٩-01-01T00:00:00Z' }],
    ['full-width digits in expires_at', { expires_at: '２０９９-01-01T00:00:00Z' }],
    ['Devanagari digits in expires_at', { expires_at: '२०९९-01-01T00:00:00Z' }],
    ['a NUL in entry_id', { entry_id: 'entry\u0000x' }],
  ])('%s: 400 or 413, never a 200', async (_name, overrides) => {
    const reply = await postJson(load, body(A, overrides));
    expect([400, 413]).toContain(reply.status);
    expect(isDocumentedRefusal(reply)).toBe(true);
  });

  it('duplicate JSON keys: 400 (project_id given twice)', async () => {
    const raw = JSON.stringify(body(A)).replace('{', `{"project_id":"${B.projectId}",`);
    const reply = await send(load, raw);
    expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_request']);
    expect((reply.json as { error: { message: string } }).error.message).toContain('"project_id" more than once');
  });

  it.each([
    ['__proto__', `{"__proto__":{"isAdmin":true},${JSON.stringify({ a: 1 }).slice(1)}`],
    ['constructor', `{"constructor":{"prototype":{"x":1}},"flow_id":"f"}`],
  ])('a %s key: 400', async (_name, raw) => {
    const reply = await send(load, raw);
    expect([reply.status, errorCode(reply)]).toEqual([400, 'invalid_request']);
  });

  it.each([
    ['missing', {}],
    ['form-encoded', { 'content-type': 'application/x-www-form-urlencoded' }],
    ['XML', { 'content-type': 'application/xml' }],
    ['JSON in another charset', { 'content-type': 'application/json; charset=utf-16' }],
  ])('Content-Type %s: 415', async (_name, headers) => {
    // A byte body, so fetch adds no Content-Type of its own (it adds text/plain to strings).
    const reply = await send(load, new TextEncoder().encode(JSON.stringify(body(A))), headers as Record<string, string>);
    expect([reply.status, errorCode(reply)]).toEqual([415, 'unsupported_media_type']);
  });

  it('a body of 1 MB: 413 from the Lambda; of 11 MB: 413 before it', async () => {
    const mb = await send(load, `{"pad":"${'x'.repeat(1024 * 1024)}"}`);
    expect([mb.status, errorCode(mb)]).toEqual([413, 'payload_too_large']);
    const huge = await send(load, new Uint8Array(11 * 1024 * 1024).fill(0x20));
    expect(huge.status).toBe(413);
  });

  it('the legacy endpoint refuses the same malformed input', async () => {
    const dup = await send(legacy, `{"flow_id":"a","flow_id":"b","entry_id":"e","token":"${'a'.repeat(64)}","expires":"${FUTURE}"}`);
    expect([dup.status, errorCode(dup)]).toEqual([400, 'invalid_request']);
    const digits = await postJson(legacy, { flow_id: A.flowId, entry_id: A.entryId, token: 'a'.repeat(64), expires: '２０９９-01-01T00:00:00Z' });
    expect([digits.status, errorCode(digits)]).toEqual([400, 'invalid_request']);
    const mb = await send(legacy, `{"pad":"${'x'.repeat(1024 * 1024)}"}`);
    expect(mb.status).toBe(413);
  });
});
