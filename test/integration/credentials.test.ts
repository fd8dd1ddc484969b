import { createHash } from 'node:crypto';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from '../../lambdas/adapters/clients';
import { projectSecretName } from '../../lambdas/adapters/naming';
import { computeToken } from '../../lambdas/domain/token';
import { errorOf, invoke } from '../support/http';
import { deleteProject, seedEntry, uid, deleteEntry } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { lambda, testEnvironment } from '../support/lambdas';

// No key cache in this file, so a revocation is visible at once (the cache window is tested in revocation.test.ts).
const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '0' });
const credentials = await lambda('credentials', env);
const loadEntryData = await lambda('load-entry-data', env);
const mint = await lambda('mint', env);

const CREATE = 'createCredential';
const LIST = 'listCredentials';
const REVOKE = 'revokeCredential';
const FUTURE = '2099-05-01T00:00:00.000Z';

interface Created {
  credential: { credential_id: string; label: string; environment: string; created_at: string; status: string };
  secret: string;
  revoked_credential_ids: string[];
}

const create = async (projectId: string, body: Record<string, unknown>) => {
  const reply = await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, body));
  return { reply, created: reply.json as Created };
};

let projectId: string;
let flowId: string;
let entryId: string;
beforeEach(async () => {
  projectId = uid('proj');
  flowId = uid('flow');
  entryId = uid('entry');
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'p1', userData: { a: 1 } });
});
afterEach(async () => {
  await deleteEntry(entryId);
  await deleteProject(projectId).catch(() => undefined);
});

/** Does a token signed with `secret` resume the entry? */
const resumes = async (secret: string) => {
  const body = { flow_id: flowId, project_id: projectId, entry_id: entryId, token: computeToken(secret, entryId, FUTURE), expires_at: FUTURE };
  return (await invoke(loadEntryData, loadEntryEvent(body))).status;
};

describe('creating a credential', () => {
  it('returns 201 with metadata and the secret value, once; the value verifies at load-entry-data', async () => {
    const { reply, created } = await create(projectId, { label: 'Token Signing Secret' });
    expect(reply.status).toBe(201);
    expect(created.credential).toEqual({
      credential_id: expect.stringMatching(/^cred_[0-9a-f]{20}$/),
      label: 'Token Signing Secret',
      environment: 'production',
      created_at: expect.any(String),
      status: 'active',
      algorithm: 'sha256',
    });
    expect(Buffer.from(created.secret.slice(4), 'base64url')).toHaveLength(32);
    expect(created.secret).toMatch(/^tss_[A-Za-z0-9_-]{43}$/);
    // A brand-new project: nothing was revoked, and the response says so.
    expect(created.revoked_credential_ids).toEqual([]);
    expect(await resumes(created.secret)).toBe(200);
  });

  it('gives a secret that verifies a token computed outside the product with the seed formula', async () => {
    const { created } = await create(projectId, { label: 'ext' });
    const token = createHash('sha256').update(`${created.secret}---${entryId}---${FUTURE}`).digest('hex');
    const body = { flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: FUTURE };
    expect((await invoke(loadEntryData, loadEntryEvent(body))).status).toBe(200);
  });

  it('with the default replace, revokes the other credentials of the environment at once', async () => {
    const first = await create(projectId, { label: 'first' });
    const second = await create(projectId, { label: 'second' });
    expect(second.created.revoked_credential_ids).toEqual([first.created.credential.credential_id]);
    // The revoked credential keeps its metadata in the stored secret, but loses its value.
    const stored = (
      await secretsManager.send(
        new GetSecretValueCommand({ SecretId: projectSecretName(process.env.SECRET_PREFIX as string, projectId), VersionStage: 'AWSCURRENT' }),
      )
    ).SecretString!;
    expect(stored).toContain(first.created.credential.credential_id);
    expect(stored).not.toContain(first.created.secret);
    expect(await resumes(first.created.secret)).toBe(401);
    expect(await resumes(second.created.secret)).toBe(200);
  });

  it('with replace: false, keeps both valid (rotation without downtime)', async () => {
    const first = await create(projectId, { label: 'old' });
    const second = await create(projectId, { label: 'new', replace: false });
    expect(second.created.revoked_credential_ids).toEqual([]);
    expect(await resumes(first.created.secret)).toBe(200);
    expect(await resumes(second.created.secret)).toBe(200);
  });

  it('for a provider: verifies, is never what mint signs with, and replaces and is replaced only within its own kind', async () => {
    const own = await create(projectId, { label: 'backend' });
    const braze = await create(projectId, { label: 'braze', provider: 'braze' });
    expect(braze.reply.status).toBe(201);
    expect(braze.created.credential).toMatchObject({ label: 'braze', provider: 'braze', status: 'active' });
    // Created with the default replace: true, it revoked no credential of the backend's.
    expect(braze.created.revoked_credential_ids).toEqual([]);
    expect([await resumes(own.created.secret), await resumes(braze.created.secret)]).toEqual([200, 200]);

    // Mint signs with the newest of the service's own credentials, never with the provider's, newer as it is.
    const minted = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId }));
    expect((minted.json as { credential_id: string }).credential_id).toBe(own.created.credential.credential_id);

    // A new Braze credential replaces the old Braze one only; a new backend credential leaves Braze's alone.
    const braze2 = await create(projectId, { label: 'braze 2', provider: 'braze' });
    expect(braze2.created.revoked_credential_ids).toEqual([braze.created.credential.credential_id]);
    const own2 = await create(projectId, { label: 'backend 2' });
    expect(own2.created.revoked_credential_ids).toEqual([own.created.credential.credential_id]);
    expect([await resumes(braze.created.secret), await resumes(braze2.created.secret), await resumes(own2.created.secret)]).toEqual([401, 200, 200]);

    // Revoking the provider's credential (it leaked) leaves the backend's links working.
    await invoke(credentials, routeEvent(REVOKE, { project_id: projectId, credential_id: braze2.created.credential.credential_id }));
    expect([await resumes(braze2.created.secret), await resumes(own2.created.secret)]).toEqual([401, 200]);
  });

  it("with only a provider's credential, mint has nothing to sign with (409), though the provider's links verify", async () => {
    const braze = await create(projectId, { label: 'braze', provider: 'braze' });
    const minted = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId }));
    expect([minted.status, errorOf(minted).code]).toEqual([409, 'no_active_credential']);
    expect(await resumes(braze.created.secret)).toBe(200);
  });

  it("refuses an environment other than the deployment's", async () => {
    const { reply } = await create(projectId, { label: 'x', environment: 'staging' });
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain('"production"');
  });

  it.each([
    [{}, 'label is required'],
    [{ label: '' }, 'label must be 1 to 128'],
    [{ label: 'a\nb' }, 'label must be 1 to 128'],
    [{ label: 'x', replace: 'yes' }, 'replace must be of type boolean'],
    [{ label: 'x', secret: 'mine' }, 'unknown field "secret"'],
  ])('refuses %j with 400', async (body, message) => {
    const { reply } = await create(projectId, body);
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain(message);
  });

  it('20 parallel creations with replace: false leave 20 active credentials, none lost', async () => {
    // A creation that lost its race on all its attempts answers 503 with Retry-After and writes nothing (a loaded
    // machine makes that likelier: each attempt's read-to-write window is longer); the caller retries it, as a client would.
    const refusals: string[] = [];
    const createRetrying = async (label: string) => {
      for (let attempt = 1; ; attempt++) {
        const r = await create(projectId, { label, replace: false });
        if (r.reply.status !== 503 || attempt === 5) return r;
        refusals.push(`${r.reply.status} ${errorOf(r.reply).code} ${r.reply.headers['retry-after']}`);
      }
    };
    const replies = await Promise.all(Array.from({ length: 20 }, (_, i) => createRetrying(`c${i}`)));
    expect(replies.map((r) => r.reply.status)).toEqual(Array(20).fill(201));
    expect(refusals.filter((r) => r !== '503 service_unavailable 1')).toEqual([]);
    const list = await invoke(credentials, routeEvent(LIST, { project_id: projectId }));
    const listed = (list.json as { credentials: Array<{ credential_id: string; status: string }> }).credentials;
    expect(
      listed
        .filter((c) => c.status === 'active')
        .map((c) => c.credential_id)
        .sort(),
    ).toEqual(replies.map((r) => r.created.credential.credential_id).sort());
    for (const r of replies.slice(0, 3)) expect(await resumes(r.created.secret)).toBe(200);
  }, 60_000);
});

describe('listing credentials', () => {
  it('returns metadata only, never a value, revoked ones included', async () => {
    const first = await create(projectId, { label: 'one' });
    const second = await create(projectId, { label: 'two' });
    const reply = await invoke(credentials, routeEvent(LIST, { project_id: projectId }));
    expect(reply.status).toBe(200);
    expect(reply.raw).not.toContain(first.created.secret);
    expect(reply.raw).not.toContain(second.created.secret);
    expect(reply.json).toEqual({
      credentials: [{ ...first.created.credential, status: 'revoked', revoked_at: expect.any(String) }, second.created.credential],
    });
  });

  it('returns an empty list for a project with no secret', async () => {
    const reply = await invoke(credentials, routeEvent(LIST, { project_id: uid('proj') }));
    expect(reply.json).toEqual({ credentials: [] });
  });
});

describe('revoking a credential', () => {
  it('returns 204 and the credential stops verifying', async () => {
    const { created } = await create(projectId, { label: 'r' });
    expect(await resumes(created.secret)).toBe(200);
    const reply = await invoke(credentials, routeEvent(REVOKE, { project_id: projectId, credential_id: created.credential.credential_id }));
    expect(reply.status).toBe(204);
    expect(await resumes(created.secret)).toBe(401);
  });

  it('answers 404 for an unknown credential and 400 for a malformed id', async () => {
    await create(projectId, { label: 'r' });
    const missing = await invoke(credentials, routeEvent(REVOKE, { project_id: projectId, credential_id: `cred_${'0'.repeat(20)}` }));
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('not_found');
    const malformed = await invoke(credentials, routeEvent(REVOKE, { project_id: projectId, credential_id: 'nope' }));
    expect(malformed.status).toBe(400);
    expect(errorOf(malformed).message).toContain('credential_id');
  });

  it("parallel revocations and creations never lose one another's change", async () => {
    const seeded = await Promise.all(Array.from({ length: 6 }, (_, i) => create(projectId, { label: `s${i}`, replace: false })));
    const toRevoke = seeded.slice(0, 3).map((s) => s.created.credential.credential_id);
    const ops = [
      ...toRevoke.map((id) => invoke(credentials, routeEvent(REVOKE, { project_id: projectId, credential_id: id }))),
      ...Array.from({ length: 4 }, (_, i) => invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: `n${i}`, replace: false }))),
    ];
    const replies = await Promise.all(ops);
    expect(replies.map((r) => r.status).sort()).toEqual([201, 201, 201, 201, 204, 204, 204]);
    const list = (await invoke(credentials, routeEvent(LIST, { project_id: projectId }))).json as {
      credentials: Array<{ credential_id: string; status: string }>;
    };
    expect(
      list.credentials
        .filter((c) => c.status === 'revoked')
        .map((c) => c.credential_id)
        .sort(),
    ).toEqual([...toRevoke].sort());
    expect(list.credentials.filter((c) => c.status === 'active')).toHaveLength(3 + 4);
  }, 60_000);
});
