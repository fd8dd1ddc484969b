import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { countCalls } from '../../dev-support/call-counter';
import { dynamodb as lambdaDynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { ENTRY_TABLE } from '../../lambdas/adapters/naming';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { computeToken } from '../../lambdas/domain/token';
import { controlClock } from '../support/clock';
import { errorOf, type Handler, invoke, type Reply } from '../support/http';
import { lambda, testEnvironment, unhurriedClients } from '../support/lambdas';
import { registerSensitive } from '../support/sensitive';
import { credential, deleteEntry, deleteProject, dynamodb, seedEntry, seedProject, uid } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { routeEvent } from '../fixtures/admin-events';

/**
 * A flow's resume policy (docs/withheld-fields.md, docs/second-factor.md) against moto: withheld fields
 * on both resume contracts, the second factor's three refusals, its hourly
 * bound, and the key cache TTL within which a change takes effect.
 */
process.env.KEY_CACHE_TTL_SECONDS = '60';
// Twenty resumes at once below: clients whose timeouts a loaded machine does not outrun (support/lambdas.ts).
const loadClients = unhurriedClients();
const load = await lambda('load-entry-data', testEnvironment(), loadClients);
const legacy = ((await import('../../lambdas/legacy-load-entry-data/index')) as { handler: Handler }).handler;
const credentials = ((await import('../../lambdas/credentials/index')) as { handler: Handler }).handler;
const entries = ((await import('../../lambdas/entries/index')) as { handler: Handler }).handler;
const mint = ((await import('../../lambdas/mint/index')) as { handler: Handler }).handler;
const saves = ((await import('../../lambdas/browser-saves/index')) as { handler: Handler }).handler;
const legacyKeys = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);
const clock = controlClock();
afterAll(() => clock.restore());

const FUTURE = '2099-06-01T00:00:00Z';
const SITE = 'https://quiz.example';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const EMAIL = 'Grace.Hopper@Example.com';
registerSensitive(EMAIL, EMAIL.toLowerCase(), '4111111111111111', 'SW1A 1AA', '1906-12-09');
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const USER_DATA = { name: 'Grace', email: EMAIL, card_number: '4111111111111111', address: { street: '1 Navy Way', postcode: 'SW1A 1AA' }, 'a/b': 'kept' };

/** A project with a credential, its own origin and browser saves on, and one entry of one flow. */
const scenario = async (policy?: { withheld_fields: string[]; verify_field?: string }, userData: Record<string, unknown> = USER_DATA) => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const cred = credential();
  await seedProject(projectId, [cred], { allowed_origins: [SITE], browser_saves: true, ...(policy ? { resume_policies: { [flowId]: policy } } : {}) });
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_2', userData });
  cleanups.push(async () => {
    await deleteEntry(entryId);
    await deleteProject(projectId);
  });
  const body = (extra: Record<string, unknown> = {}) => ({
    project_id: projectId,
    flow_id: flowId,
    entry_id: entryId,
    token: computeToken(cred.secret, entryId, FUTURE),
    expires_at: FUTURE,
    ...extra,
  });
  const resume = (extra?: Record<string, unknown>) => invoke(load, loadEntryEvent(body(extra)));
  return { projectId, flowId, entryId, cred, body, resume };
};

const putPolicy = (projectId: string, flowId: string, policy: unknown) =>
  invoke(credentials, routeEvent('setResumePolicy', { project_id: projectId, flow_id: flowId }, policy));
const entryOf = (reply: Reply) => (reply.json as { entry: Record<string, unknown> }).entry;
const codeOf = (reply: Reply) => [reply.status, errorOf(reply).code];

describe('the resume-policy routes', () => {
  it('PUT stores a policy that GET reads back; DELETE clears it', async () => {
    const projectId = uid('proj');
    const flowId = uid('flow');
    cleanups.push(() => deleteProject(projectId));
    const put = await putPolicy(projectId, flowId, { withheld_fields: ['card_number', '/address/postcode', 'card_number'], verify_field: 'email' });
    expect([put.status, put.json]).toEqual([200, { flow_id: flowId, withheld_fields: ['card_number', '/address/postcode'], verify_field: 'email' }]);
    const get = await invoke(credentials, routeEvent('getResumePolicy', { project_id: projectId, flow_id: flowId }));
    expect(get.json).toEqual({ flow_id: flowId, withheld_fields: ['card_number', '/address/postcode'], verify_field: 'email' });
    const otherFlow = uid('flow');
    const other = await invoke(credentials, routeEvent('getResumePolicy', { project_id: projectId, flow_id: otherFlow }));
    expect([other.status, other.json]).toEqual([200, { flow_id: otherFlow, withheld_fields: [], verify_field: null }]);
    const cleared = await invoke(credentials, routeEvent('clearResumePolicy', { project_id: projectId, flow_id: flowId }));
    expect([cleared.status, cleared.json]).toEqual([200, { flow_id: flowId, withheld_fields: [], verify_field: null }]);
    // A PUT of [] and no verify_field clears it as DELETE does.
    expect((await putPolicy(projectId, flowId, { withheld_fields: ['ssn'], verify_field: 'email' })).status).toBe(200);
    const emptied = await putPolicy(projectId, flowId, { withheld_fields: [] });
    expect([emptied.status, emptied.json]).toEqual([200, { flow_id: flowId, withheld_fields: [], verify_field: null }]);
    const read = await invoke(credentials, routeEvent('getResumePolicy', { project_id: projectId, flow_id: flowId }));
    expect(read.json).toEqual({ flow_id: flowId, withheld_fields: [], verify_field: null });
  });

  it.each([
    ['a pointer with a bad escape', { withheld_fields: ['/a/~2'] }, 'withheld_fields'],
    ['too many fields', { withheld_fields: Array.from({ length: 21 }, (_, i) => `f${i}`) }, 'withheld_fields'],
    ['a field too long', { withheld_fields: ['x'.repeat(129)] }, 'withheld_fields'],
    ['an empty verify_field', { withheld_fields: [], verify_field: '' }, 'verify_field'],
    ['no withheld_fields', { verify_field: 'email' }, 'withheld_fields'],
  ])('refuses %s with 400 invalid_request naming the field', async (_name, policy, field) => {
    const reply = await putPolicy(uid('proj'), uid('flow'), policy);
    expect(codeOf(reply)).toEqual([400, 'invalid_request']);
    expect(errorOf(reply).message).toContain(field);
  });

  it('refuses an eleventh flow with a policy with 409 conflict', async () => {
    const projectId = uid('proj');
    cleanups.push(() => deleteProject(projectId));
    for (let i = 0; i < 10; i++) expect((await putPolicy(projectId, uid('flow'), { withheld_fields: ['ssn'] })).status).toBe(200);
    expect(codeOf(await putPolicy(projectId, uid('flow'), { withheld_fields: ['ssn'] }))).toEqual([409, 'conflict']);
  });
});

describe('withheld fields', () => {
  it('withheld fields never leave on either contract, while the admin GET returns them', async () => {
    const s = await scenario({ withheld_fields: ['card_number', '/address/postcode', '/a~1b'] });
    const legacyKey = `legacy-${uid('k')}`;
    registerSensitive(legacyKey);
    await legacyKeys.put(s.flowId, s.projectId, legacyKey, new Date());

    const current = await s.resume();
    expect(current.status).toBe(200);
    expect(entryOf(current)).toEqual({ name: 'Grace', email: EMAIL, address: { street: '1 Navy Way' }, entry_id: s.entryId, current_page_key: 'page_2' });

    const old = await invoke(
      legacy,
      functionUrlEvent('POST', '/', { flow_id: s.flowId, entry_id: s.entryId, token: computeToken(legacyKey, s.entryId, FUTURE), expires: FUTURE }),
    );
    expect(old.status).toBe(200);
    expect(entryOf(old)).toEqual({ name: 'Grace', email: EMAIL, address: { street: '1 Navy Way' }, entry_id: s.entryId, current_page_key: 'page_2' });
    expect(old.raw).not.toContain('4111111111111111');

    const admin = await invoke(entries, routeEvent('getEntry', { entry_id: s.entryId }, undefined, { project_id: s.projectId }));
    expect((admin.json as { entry: { user_data: unknown } }).entry.user_data).toEqual(USER_DATA);
  });

  it('entry_id and current_page_key are answered even when the policy names them', async () => {
    const s = await scenario({ withheld_fields: ['entry_id', 'current_page_key', 'card_number'] });
    const reply = await s.resume();
    expect(reply.status).toBe(200);
    expect(entryOf(reply)).toEqual({ name: 'Grace', email: EMAIL, address: USER_DATA.address, 'a/b': 'kept', entry_id: s.entryId, current_page_key: 'page_2' });
  });

  it('a resume of a flow with a policy makes the calls of one without: the policy comes with the keys, and adds no AWS call', async () => {
    const withPolicy = await scenario({ withheld_fields: ['card_number'] });
    const without = await scenario();
    const callsOf = async (s: Awaited<ReturnType<typeof scenario>>) => {
      // The first resume reads the project's keys (and with them its policies); the second is served from the cache.
      expect((await s.resume()).status).toBe(200);
      // The resume Lambda's own clients (it is built with them above), not the module's singletons.
      const ddb = countCalls(loadClients.dynamodb);
      const sm = countCalls(loadClients.secretsManager);
      try {
        const reply = await s.resume();
        expect(reply.status).toBe(200);
        return { card: entryOf(reply).card_number, dynamodb: [...ddb.calls], secretsManager: [...sm.calls] };
      } finally {
        ddb.detach();
        sm.detach();
      }
    };
    const a = await callsOf(withPolicy);
    const b = await callsOf(without);
    expect([a.card, b.card]).toEqual([undefined, '4111111111111111']);
    expect(a.dynamodb).toEqual(b.dynamodb);
    // One read of the entry, and the rotation of its save generation (a browser-saves project's resume by a person).
    expect(a.dynamodb).toEqual(['GetItemCommand', 'UpdateItemCommand']);
    expect([a.secretsManager, b.secretsManager]).toEqual([[], []]);
  });

  it("a browser save of a flow with a policy (withheld fields, a verify field's digest) is one conditional write and no read, as one without", async () => {
    const page = { origin: SITE };
    const saveCalls = async (policy?: { withheld_fields: string[]; verify_field?: string }) => {
      const s = await scenario(policy);
      const created = await invoke(
        saves,
        routeEvent('createEntry', {}, { project_id: s.projectId, flow_id: s.flowId, current_page_key: 'p1', user_data: USER_DATA }, {}, page),
      );
      const { entry_id: entryId, save_token: saveToken } = created.json as { entry_id: string; save_token: string };
      cleanups.push(() => deleteEntry(entryId));
      const ddb = countCalls(lambdaDynamodb);
      const sm = countCalls(secretsManager);
      try {
        const saved = await invoke(
          saves,
          routeEvent(
            'saveProgress',
            { entry_id: entryId },
            { project_id: s.projectId, flow_id: s.flowId, save_token: saveToken, seq: 1, current_page_key: 'p2', user_data: USER_DATA },
            {},
            page,
          ),
        );
        expect(saved.status).toBe(200);
        return [...ddb.calls, ...sm.calls];
      } finally {
        ddb.detach();
        sm.detach();
      }
    };
    expect(await saveCalls({ withheld_fields: ['card_number', '/address/postcode'], verify_field: 'email' })).toEqual(['UpdateItemCommand']);
    expect(await saveCalls()).toEqual(['UpdateItemCommand']);
  });

  it('nothing a page can call answers user data: create and progress answer ids, a token and a number', async () => {
    const s = await scenario({ withheld_fields: ['card_number'] });
    const page = { origin: SITE };
    const created = await invoke(
      saves,
      routeEvent('createEntry', {}, { project_id: s.projectId, flow_id: s.flowId, current_page_key: 'p1', user_data: USER_DATA }, {}, page),
    );
    expect(created.status).toBe(201);
    const { entry_id: entryId, save_token: saveToken } = created.json as { entry_id: string; save_token: string };
    cleanups.push(() => deleteEntry(entryId));
    expect(Object.keys(created.json as object).sort()).toEqual(['entry_id', 'save_token']);
    const saved = await invoke(
      saves,
      routeEvent(
        'saveProgress',
        { entry_id: entryId },
        { project_id: s.projectId, flow_id: s.flowId, save_token: saveToken, seq: 1, current_page_key: 'p2', user_data: USER_DATA },
        {},
        page,
      ),
    );
    expect([saved.status, saved.json]).toEqual([200, { seq: 1 }]);
  });
});

describe('the second factor', () => {
  it('answers verification_required without a value, verification_failed for a wrong one, and the entry for the right one, normalised', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    const required = await s.resume();
    expect(codeOf(required)).toEqual([401, 'verification_required']);
    expect((required.json as { error: { field: string } }).error.field).toBe('email');
    expect(required.raw).not.toContain('Grace');

    const wrong = await s.resume({ verification: 'ada@example.com' });
    expect(codeOf(wrong)).toEqual([401, 'verification_failed']);
    expect((wrong.json as { error: { field: string } }).error.field).toBe('email');
    expect(wrong.raw).not.toContain('Grace');

    const right = await s.resume({ verification: `  ${EMAIL.toUpperCase()} ` });
    expect(right.status).toBe(200);
    expect(entryOf(right).name).toBe('Grace');
  });

  it('checked only once the link has verified: an invalid or expired link answers as it always did and counts no value; a verified link without a value reads no entry', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    const past = '2020-01-01T00:00:00Z';
    for (let i = 0; i < 6; i++) {
      expect(codeOf(await s.resume({ token: 'f'.repeat(64), verification: `guess${i}@example.com` }))).toEqual([401, 'invalid_token']);
      expect(codeOf(await s.resume({ token: computeToken(s.cred.secret, s.entryId, past), expires_at: past, verification: `old${i}@example.com` }))).toEqual([
        401,
        'token_expired',
      ]);
    }
    // None of those twelve values was counted: the owner still verifies at once.
    expect((await s.resume({ verification: EMAIL })).status).toBe(200);

    // A valid link to an entry never written: without a value, the answer comes before any read of the entry.
    const missing = uid('entry');
    const ddb = countCalls(loadClients.dynamodb);
    try {
      const reply = await invoke(load, loadEntryEvent(s.body({ entry_id: missing, token: computeToken(s.cred.secret, missing, FUTURE) })));
      expect(codeOf(reply)).toEqual([401, 'verification_required']);
      expect(ddb.calls).toEqual([]);
    } finally {
      ddb.detach();
    }
  });

  it('the legacy contract cannot resume a flow with a verify_field: 401 without the field, 400 with it', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    const legacyKey = `legacy-${uid('k')}`;
    registerSensitive(legacyKey);
    await legacyKeys.put(s.flowId, s.projectId, legacyKey, new Date());
    const body = { flow_id: s.flowId, entry_id: s.entryId, token: computeToken(legacyKey, s.entryId, FUTURE), expires: FUTURE };
    const refused = await invoke(legacy, functionUrlEvent('POST', '/', body));
    expect(codeOf(refused)).toEqual([401, 'verification_required']);
    expect(refused.raw).not.toContain('Grace');
    expect(codeOf(await invoke(legacy, functionUrlEvent('POST', '/', { ...body, verification: EMAIL })))).toEqual([400, 'invalid_request']);
  });

  it('after 5 wrong values an entry answers 429 with Retry-After, the right value included, until the oldest is an hour old', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: '/dob' }, { name: 'Grace', dob: '1906-12-09' });
    for (let day = 1; day <= 5; day++) expect(codeOf(await s.resume({ verification: `1906-12-0${day}` }))).toEqual([401, 'verification_failed']);
    const limited = await s.resume({ verification: '1906-12-09' });
    expect(codeOf(limited)).toEqual([429, 'too_many_verification_attempts']);
    expect(limited.headers['retry-after']).toBe('3600');
    expect(limited.raw).not.toContain('Grace');
    clock.advance(3_599_999);
    expect(codeOf(await s.resume({ verification: '1906-12-09' }))).toEqual([429, 'too_many_verification_attempts']);
    clock.advance(1);
    expect((await s.resume({ verification: '1906-12-09' })).status).toBe(200);
  });

  it('a holder of a leaked link can keep the owner at 429; revoke-links ends that link and its count of wrong values, so the link the team sends next verifies', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    for (let i = 0; i < 5; i++) expect(codeOf(await s.resume({ verification: `thief${i}@example.com` }))).toEqual([401, 'verification_failed']);
    expect(codeOf(await s.resume({ verification: EMAIL }))).toEqual([429, 'too_many_verification_attempts']);
    // A new link alone resets nothing: the count is the entry's, not the link's.
    const another = await invoke(mint, routeEvent('mint', {}, { project_id: s.projectId, flow_id: s.flowId, entry_id: s.entryId, ttl_seconds: 1800 }));
    const second = another.json as { token: string; expires_at: string };
    registerSensitive(second.token);
    expect(codeOf(await invoke(load, loadEntryEvent({ ...s.body({ verification: EMAIL }), token: second.token, expires_at: second.expires_at })))).toEqual([
      429,
      'too_many_verification_attempts',
    ]);

    expect((await invoke(entries, routeEvent('revokeLinks', { entry_id: s.entryId }, { project_id: s.projectId }))).status).toBe(200);
    expect(codeOf(await s.resume({ verification: 'thief9@example.com' }))).toEqual([401, 'link_revoked']);
    const minted = await invoke(mint, routeEvent('mint', {}, { project_id: s.projectId, flow_id: s.flowId, entry_id: s.entryId, ttl_seconds: 3600 }));
    expect(minted.status).toBe(200);
    const fresh = minted.json as { token: string; expires_at: string };
    registerSensitive(fresh.token);
    const owner = await invoke(load, loadEntryEvent({ ...s.body({ verification: EMAIL }), token: fresh.token, expires_at: fresh.expires_at }));
    expect(owner.status).toBe(200);
  });

  it('20 concurrent wrong values get at most 5 verification_failed answers; the others, and the right value after, 429', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => s.resume({ verification: `guess${i}@example.com` })));
    const codes = replies.map((r) => errorOf(r).code);
    const failed = codes.filter((c) => c === 'verification_failed').length;
    expect(failed).toBeLessThanOrEqual(5);
    expect(codes.filter((c) => c === 'too_many_verification_attempts').length).toBe(20 - failed);
    // Losers of the compare-and-swap race are refused too; at least one guess was compared.
    expect(failed).toBeGreaterThan(0);
    const more = 5 - failed;
    for (let i = 0; i < more; i++) expect(codeOf(await s.resume({ verification: `late${i}@example.com` }))).toEqual([401, 'verification_failed']);
    expect(codeOf(await s.resume({ verification: EMAIL }))).toEqual([429, 'too_many_verification_attempts']);
  });

  it('a right value gives its attempt back: six right resumes in a row all answer the entry', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    for (let i = 0; i < 6; i++) expect((await s.resume({ verification: EMAIL })).status).toBe(200);
  });

  it('a browser-saves entry stores a keyed digest, not the value; a resume with the right value rotates the save token', async () => {
    const s = await scenario({ withheld_fields: ['card_number'], verify_field: 'email' });
    const page = { origin: SITE };
    const created = await invoke(
      saves,
      routeEvent('createEntry', {}, { project_id: s.projectId, flow_id: s.flowId, current_page_key: 'p1', user_data: USER_DATA }, {}, page),
    );
    const { entry_id: entryId, save_token: first } = created.json as { entry_id: string; save_token: string };
    cleanups.push(() => deleteEntry(entryId));
    const item = (await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } } }))).Item!;
    const digest = item.verify_digest?.M;
    expect(digest?.f?.S).toBe('email');
    expect(digest?.d?.S).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.stringify(item.verify_digest)).not.toMatch(/grace|example/i);

    const body = { ...s.body(), entry_id: entryId, token: computeToken(s.cred.secret, entryId, FUTURE) };
    const resume = (verification?: string) =>
      invoke(load, {
        ...loadEntryEvent({ ...body, ...(verification ? { verification } : {}) }),
        headers: { 'content-type': 'application/json', 'user-agent': CHROME },
      });
    expect(codeOf(await resume('nobody@example.com'))).toEqual([401, 'verification_failed']);
    const right = await resume(EMAIL.toLowerCase());
    expect(right.status).toBe(200);
    const answer = right.json as { entry: Record<string, unknown>; save_token?: string };
    expect(answer.entry.card_number).toBeUndefined();
    expect(answer.save_token).toMatch(/^s2\./);
    const oldSave = await invoke(
      saves,
      routeEvent(
        'saveProgress',
        { entry_id: entryId },
        { project_id: s.projectId, flow_id: s.flowId, save_token: first, seq: 1, current_page_key: 'p2', user_data: USER_DATA },
        {},
        page,
      ),
    );
    expect(codeOf(oldSave)).toEqual([401, 'invalid_save_token']);
  });

  it('an entry written before its flow had a verify_field (or by the admin API) is verified against its stored value', async () => {
    // scenario() seeds the entry directly, with no digest, as one written before the policy.
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    expect(codeOf(await s.resume({ verification: 'someone@example.com' }))).toEqual([401, 'verification_failed']);
    expect((await s.resume({ verification: EMAIL })).status).toBe(200);
  });

  it("the admin PUT removes the entry's digest: the entry is verified against the value it stores", async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' });
    const created = await invoke(
      saves,
      routeEvent('createEntry', {}, { project_id: s.projectId, flow_id: s.flowId, current_page_key: 'p1', user_data: USER_DATA }, {}, { origin: SITE }),
    );
    const { entry_id: entryId } = created.json as { entry_id: string };
    cleanups.push(() => deleteEntry(entryId));
    const item = async () =>
      (
        await dynamodb.send(
          new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } }, ConsistentRead: true }),
        )
      ).Item!;
    expect((await item()).verify_digest).toBeDefined();
    const newEmail = 'ada.lovelace@example.com';
    registerSensitive(newEmail);
    const put = await invoke(
      entries,
      routeEvent('putEntry', { entry_id: entryId }, { project_id: s.projectId, flow_id: s.flowId, current_page_key: 'p9', user_data: { email: newEmail } }),
    );
    expect(put.status).toBe(200);
    expect((await item()).verify_digest).toBeUndefined();
    const resume = (verification: string) =>
      invoke(load, loadEntryEvent({ ...s.body({ verification }), entry_id: entryId, token: computeToken(s.cred.secret, entryId, FUTURE) }));
    expect(codeOf(await resume(EMAIL))).toEqual([401, 'verification_failed']);
    expect((await resume(newEmail)).status).toBe(200);
  });

  it('an entry with no value for the verify field cannot be resumed: every value answers verification_failed', async () => {
    const s = await scenario({ withheld_fields: [], verify_field: 'email' }, { name: 'Grace' });
    expect(codeOf(await s.resume({ verification: 'grace@example.com' }))).toEqual([401, 'verification_failed']);
  });
});

describe('a change takes effect within keyCacheTtl', () => {
  it('a policy written through this process’s admin route applies at once on both contracts (locally every route runs in one process), with no TTL to wait', async () => {
    const s = await scenario();
    const legacyKey = `legacy_${'q'.repeat(40)}`;
    registerSensitive(legacyKey);
    await legacyKeys.put(s.flowId, s.projectId, legacyKey, new Date());
    const legacyResume = () =>
      invoke(
        legacy,
        functionUrlEvent('POST', '/', { flow_id: s.flowId, entry_id: s.entryId, token: computeToken(legacyKey, s.entryId, FUTURE), expires: FUTURE }),
      );
    // Both caches hold the project (the legacy one under the flow) before the change.
    expect(entryOf(await s.resume()).card_number).toBe('4111111111111111');
    expect(entryOf(await legacyResume()).card_number).toBe('4111111111111111');

    expect((await putPolicy(s.projectId, s.flowId, { withheld_fields: ['card_number'] })).status).toBe(200);

    expect(entryOf(await s.resume()).card_number).toBeUndefined();
    expect(entryOf(await legacyResume()).card_number).toBeUndefined();
    expect((await putPolicy(s.projectId, s.flowId, { withheld_fields: [], verify_field: 'email' })).status).toBe(200);
    expect(codeOf(await legacyResume())).toEqual([401, 'verification_required']);
  });

  it('a policy written to the project reaches load-entry-data within the key cache TTL, and so does its removal', async () => {
    const s = await scenario();
    expect(entryOf(await s.resume()).card_number).toBe('4111111111111111');
    // Written as another instance's admin route would: this process's cache is not told.
    await seedProject(s.projectId, [s.cred], {
      allowed_origins: [SITE],
      browser_saves: true,
      resume_policies: { [s.flowId]: { withheld_fields: ['card_number'], verify_field: 'email' } },
    });
    expect((await s.resume()).status).toBe(200);
    clock.advance(59_999);
    expect(entryOf(await s.resume()).card_number).toBe('4111111111111111');
    clock.advance(1);
    expect(codeOf(await s.resume())).toEqual([401, 'verification_required']);
    expect(entryOf(await s.resume({ verification: EMAIL })).card_number).toBeUndefined();

    await seedProject(s.projectId, [s.cred], { allowed_origins: [SITE], browser_saves: true });
    clock.advance(59_999);
    expect(codeOf(await s.resume())).toEqual([401, 'verification_required']);
    clock.advance(1);
    expect(entryOf(await s.resume()).card_number).toBe('4111111111111111');
  });
});
