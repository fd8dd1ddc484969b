import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { countCalls } from '../../dev-support/call-counter';
import { ROUTES } from '../../lambdas/http/routes';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { lambdaContext } from '../../local/http-api-event';
import { errorOf, invoke } from '../support/http';
import { deleteEntry, deleteProject, seedEntry, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';

type MintReply = { token: string; entry_id: string; flow_id: string; expires_at: string; url?: string; credential_id: string };
type InvokeError = { error: { code: string; message: string } };

/** A direct invocation, as a backend with lambda:InvokeFunction makes it. */
const invokeMint = async (payload: unknown) =>
  (await (mint as unknown as (e: unknown, c: unknown) => Promise<unknown>)(payload, lambdaContext('mint'))) as MintReply & InvokeError;

let projectId: string;
let flowId: string;
let entryId: string;
let credentialId: string;
// A project with a credential but not the entry.
const otherProject = uid('proj');
beforeAll(async () => {
  await invoke(credentials, routeEvent('createCredential', { project_id: otherProject }, { label: 'other' }));
});
afterAll(async () => {
  await deleteProject(otherProject);
});
beforeEach(async () => {
  projectId = uid('proj');
  flowId = uid('flow');
  entryId = uid('entry');
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_4', userData: { colour: 'teal' } });
  const created = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'm' }));
  credentialId = (created.json as { credential: { credential_id: string } }).credential.credential_id;
});
afterEach(async () => {
  await deleteEntry(entryId);
  await deleteProject(projectId);
});

const resume = (m: { token: string; expires_at: string }) =>
  invoke(loadEntryData, loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: entryId, token: m.token, expires_at: m.expires_at }));

describe('mint by direct invocation', () => {
  it('signs a 7-day link with the seed formula that load-entry-data accepts', async () => {
    const before = Date.now();
    const minted = await invokeMint({ project_id: projectId, entry_id: entryId });
    expect(minted).toEqual({
      token: expect.stringMatching(/^[0-9a-f]{64}$/),
      entry_id: entryId,
      // The entry's flow, which the page posts with the link: the CLI builds its curl from it.
      flow_id: flowId,
      expires_at: expect.any(String),
      credential_id: credentialId,
    });
    const lifetime = Date.parse(minted.expires_at) - before;
    expect(lifetime).toBeGreaterThanOrEqual(7 * 86400_000 - 1000);
    expect(lifetime).toBeLessThanOrEqual(7 * 86400_000 + 1000);
    const reply = await resume(minted);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ entry: { colour: 'teal', entry_id: entryId, current_page_key: 'page_4' } });
  });

  it('keeps a given expires_at exactly as sent, offset included, and URL-encodes it into the resume URL', async () => {
    const at = new Date(Date.now() + 86400_000);
    const local = new Date(at.getTime() + 3600_000).toISOString().replace('Z', '').slice(0, 19) + '+01:00';
    const minted = await invokeMint({ project_id: projectId, entry_id: entryId, expires_at: local, resume_url: 'https://quiz.example.com/flow?utm=mail#top' });
    expect(minted.expires_at).toBe(local);
    const url = new URL(minted.url!);
    expect(minted.url).toContain(`expires_at=${encodeURIComponent(local)}`);
    expect(url.searchParams.get('expires_at')).toBe(local);
    expect(url.searchParams.get('token')).toBe(minted.token);
    expect(url.searchParams.get('entry_id')).toBe(entryId);
    expect(url.searchParams.get('utm')).toBe('mail');
    expect(url.hash).toBe('#top');
    expect((await resume(minted)).status).toBe(200);
  });

  it('signs with the newest active credential', async () => {
    const second = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'newer', replace: false }));
    const newest = (second.json as { credential: { credential_id: string } }).credential.credential_id;
    expect((await invokeMint({ project_id: projectId, entry_id: entryId })).credential_id).toBe(newest);
  });

  it("reads the project's keys afresh on every call: a credential replaced a moment ago never signs another link", async () => {
    expect((await invokeMint({ project_id: projectId, entry_id: entryId })).credential_id).toBe(credentialId);
    const replaced = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'replacement' }));
    const replacement = (replaced.json as { credential: { credential_id: string } }).credential.credential_id;
    const minted = await invokeMint({ project_id: projectId, entry_id: entryId });
    expect(minted.credential_id).toBe(replacement);
    expect((await resume(minted)).status).toBe(200);
  });

  it.each([
    [{ ttl_seconds: 31 * 86400 }, 'Invalid request: ttl_seconds is beyond the maximum link lifetime of 30 days (2592000 seconds).'],
    // Far beyond: the same message, not a rule about whole seconds.
    [{ ttl_seconds: 40_000_000 }, 'Invalid request: ttl_seconds is beyond the maximum link lifetime of 30 days (2592000 seconds).'],
    [{ ttl_seconds: 0 }, 'Invalid request: ttl_seconds must be a whole number of seconds, at least 1.'],
    [{ expires_at: '2030-01-01T01:00:00 01:00' }, 'the "+" was probably turned into a space by missing URL encoding'],
    [{ expires_at: '2020-01-01T00:00:00Z' }, 'expires_at is in the past'],
    [{ expires_at: '2999-01-01T00:00:00Z' }, 'beyond the maximum link lifetime'],
    [{ expires_at: '2030-02-30T00:00:00Z' }, 'expires_at must be an RFC 3339'],
    [{ ttl_seconds: 60, expires_at: '2099-01-01T00:00:00Z' }, 'not both'],
    [{ ttl_seconds: 1.5 }, 'ttl_seconds must be of type integer'],
    [{ resume_url: 'http://quiz.example.com/' }, 'https'],
    [{ resume_url: 'javascript:alert(1)' }, 'https'],
    [{ resume_url: 'https://u:p@quiz.example.com/' }, 'credentials'],
    [{ resume_url: 'not a url' }, 'absolute URL'],
    [{ extra: 1 }, 'unknown field "extra"'],
  ])('refuses %j with invalid_request', async (extra, message) => {
    const result = await invokeMint({ project_id: projectId, entry_id: entryId, ...extra });
    expect(result.error.code).toBe('invalid_request');
    expect(result.error.message).toContain(message);
    expect(result.error.message).toMatch(/^Invalid request: .+\.$/);
  });

  it.each([
    ['an entry that was never saved', () => ({ entry_id: uid('entry') }), (e: string) => `There is no entry ${e} in project ${projectId}`],
    ["another project's entry", () => ({ entry_id: entryId, project_id: otherProject }), () => `There is no entry ${entryId} in project ${otherProject}`],
    [
      'its entry in another flow (flow_id given)',
      () => ({ entry_id: entryId, flow_id: 'flow_other' }),
      () => `There is no entry ${entryId} in project ${projectId}'s flow flow_other`,
    ],
  ])('refuses %s with 404 entry_not_found, and signs nothing', async (_what, body, where) => {
    const request = { project_id: projectId, ...body() };
    const result = await invokeMint(request);
    expect(result).toEqual({
      error: { code: 'entry_not_found', message: `${where(request.entry_id)}: save it (PUT /v1/entries/{entry_id}) before minting a link to it.` },
    });
  });

  it("reads the project's secret on every call, so it never signs with a credential revoked a moment ago", async () => {
    expect((await invokeMint({ project_id: projectId, entry_id: entryId })).credential_id).toBe(credentialId);
    // The default replace revokes the credential this instance has just signed with.
    const rotated = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'rotated' }));
    expect((rotated.json as { revoked_credential_ids: string[] }).revoked_credential_ids).toEqual([credentialId]);
    const newer = (rotated.json as { credential: { credential_id: string } }).credential.credential_id;
    const sm = countCalls(secretsManager);
    try {
      expect((await invokeMint({ project_id: projectId, entry_id: entryId })).credential_id).toBe(newer);
      expect(sm.calls).toEqual(['GetSecretValueCommand']);
    } finally {
      sm.detach();
    }
  });

  it("answers existence from one strongly consistent read, then records a campaign link in one write and counts it in the campaign's; nothing is written for a missing entry", async () => {
    const calls = countCalls(dynamodb);
    try {
      expect((await invokeMint({ project_id: projectId, entry_id: entryId, campaign: 'spring' })).token).toBeDefined();
      expect((await invokeMint({ project_id: projectId, entry_id: uid('entry') })).error.code).toBe('entry_not_found');
      expect(calls.calls).toEqual(['GetItemCommand', 'UpdateItemCommand', 'UpdateItemCommand', 'GetItemCommand']);
      expect(calls.inputs.map((i) => i.ConsistentRead)).toEqual([true, undefined, undefined, true]);
    } finally {
      calls.detach();
    }
  });

  it("writes nothing for a link minted without a campaign (its entry's links never revoked): one read, no write", async () => {
    const calls = countCalls(dynamodb);
    try {
      expect((await invokeMint({ project_id: projectId, entry_id: entryId })).token).toBeDefined();
      expect(calls.calls).toEqual(['GetItemCommand']);
    } finally {
      calls.detach();
    }
  });

  it('refuses an entry past its retention (not yet deleted by the TTL) with 404 entry_not_found', async () => {
    const expired = uid('entry');
    await seedEntry({ entryId: expired, projectId, flowId, currentPageKey: 'p', userData: {}, retainUntil: Math.floor(Date.now() / 1000) - 60 });
    try {
      expect((await invokeMint({ project_id: projectId, entry_id: expired })).error.code).toBe('entry_not_found');
    } finally {
      await deleteEntry(expired);
    }
  });

  it('refuses a payload with a lone UTF-16 surrogate (or U+FFFD) in a string with invalid_request, as the HTTP routes do', async () => {
    for (const resumeUrl of ['https://quiz.example.com/p\ud800', 'https://quiz.example.com/p\ufffd']) {
      expect((await invokeMint({ project_id: projectId, entry_id: entryId, resume_url: resumeUrl })).error.code).toBe('invalid_request');
    }
  });

  it('accepts http on localhost for local development', async () => {
    const minted = await invokeMint({ project_id: projectId, entry_id: entryId, resume_url: 'http://localhost:3000/demo' });
    expect(minted.url).toMatch(/^http:\/\/localhost:3000\/demo\?token=/);
  });

  it('answers no_active_credential for a project without credentials', async () => {
    const result = await invokeMint({ project_id: uid('proj'), entry_id: entryId });
    expect(result.error).toEqual({ code: 'no_active_credential', message: expect.stringContaining('create one first') });
  });
});

describe(`the mint route (${ROUTES.mint.key})`, () => {
  it('mints the same way over HTTP', async () => {
    const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, ttl_seconds: 600 }));
    expect(reply.status).toBe(200);
    const minted = reply.json as MintReply;
    expect(Date.parse(minted.expires_at) - Date.now()).toBeLessThanOrEqual(600_000);
    expect((await resume(minted)).status).toBe(200);
  });

  it('answers errors in the HTTP error shape', async () => {
    const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId }));
    expect(reply.status).toBe(400);
    expect(errorOf(reply)).toEqual({ code: 'invalid_request', message: 'Invalid request: entry_id is required.' });
    const none = await invoke(mint, routeEvent('mint', {}, { project_id: uid('proj'), entry_id: entryId }));
    expect(none.status).toBe(409);
    const missing = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: 'entry_not_saved' }));
    expect(missing.status).toBe(404);
    expect(errorOf(missing).code).toBe('entry_not_found');
  });
});

describe('a project that lists its own origins (issue 26, item 7)', () => {
  const OUTSIDE = "Invalid request: resume_url must be on one of the project's allowed origins, and https://evil.example is not.";
  beforeEach(async () => {
    const set = await invoke(
      credentials,
      routeEvent('setAllowedOrigins', { project_id: projectId }, { origins: ['https://quiz.example.com', 'https://*.brand.example'] }),
    );
    expect(set.status).toBe(200);
  });

  it('mints links that open on its origins', async () => {
    for (const resumeUrl of ['https://quiz.example.com/flow', 'https://shop.brand.example/resume']) {
      const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, resume_url: resumeUrl }));
      expect([reply.status, (reply.json as MintReply).url?.startsWith(`${resumeUrl}?token=`)]).toEqual([200, true]);
    }
  });

  it.each([
    ['a resume_url on another site', {}],
    ["a short link (on the team's domain) to another site", { short: true }],
  ])('refuses %s with 400 invalid_request, and writes nothing', async (_what, extra) => {
    const calls = countCalls(dynamodb);
    try {
      const reply = await invoke(
        mint,
        routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, resume_url: 'https://evil.example/phish', ...extra }),
      );
      expect([reply.status, errorOf(reply)]).toEqual([400, { code: 'invalid_request', message: OUTSIDE }]);
      // Refused after the project's read, before the entry's: no link recorded, no short link stored.
      expect(calls.calls).toEqual([]);
    } finally {
      calls.detach();
    }
  });

  it('refuses a look-alike host, another scheme or port of a listed origin, and does so on direct invocation too', async () => {
    for (const resumeUrl of ['https://quiz.example.com.evil.example/', 'https://quiz.example.com:8443/', 'https://a.b.brand.example/']) {
      const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, resume_url: resumeUrl }));
      expect([resumeUrl, reply.status, errorOf(reply).code]).toEqual([resumeUrl, 400, 'invalid_request']);
    }
    const invoked = await invokeMint({ project_id: projectId, entry_id: entryId, resume_url: 'https://evil.example/phish', short: true });
    expect(invoked.error).toEqual({ code: 'invalid_request', message: OUTSIDE });
  });

  it('holds no project without a list of its own, or with a bare "*", to any origin', async () => {
    await invoke(credentials, routeEvent('setAllowedOrigins', { project_id: projectId }, { origins: ['*'] }));
    expect((await invokeMint({ project_id: projectId, entry_id: entryId, resume_url: 'https://anywhere.example/' })).url).toBeDefined();
    await invoke(credentials, routeEvent('clearAllowedOrigins', { project_id: projectId }));
    expect((await invokeMint({ project_id: projectId, entry_id: entryId, resume_url: 'https://anywhere.example/' })).url).toBeDefined();
  });
});
