import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { computeToken } from '../../lambdas/domain/token';
import { mintV2Token } from '../../lambdas/domain/token-v2';
import { errorOf, invoke } from '../support/http';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';

const CREATE = 'createCredential';

let projectId: string;
let flowId: string;
let entryId: string;
let secret: string;
beforeEach(async () => {
  projectId = uid('proj');
  flowId = uid('flow');
  entryId = uid('entry');
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'p', userData: { v: 2 } });
  const created = await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: 'v2', algorithm: 'hmac-sha256' }));
  expect(created.status).toBe(201);
  secret = (created.json as { secret: string }).secret;
});
afterEach(async () => {
  await deleteEntry(entryId);
  await deleteProject(projectId);
});

const mintLink = async (body: Record<string, unknown> = {}) => {
  const reply = await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, ...body }));
  return reply.json as { token: string; expires_at: string; credential_id: string };
};
const resume = (token: string, expiresAt: string, overrides: Record<string, unknown> = {}) =>
  invoke(loadEntryData, loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt, ...overrides }));

describe('v2 (HMAC-SHA256) tokens', () => {
  it('accepts only the canonical spelling: the three others with the unused bits of the last character set are refused', async () => {
    const link = await mintLink();
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(link.token.slice(-1));
    expect(last % 4).toBe(0);
    for (let unused = 1; unused < 4; unused++) {
      const variant = `${link.token.slice(0, -1)}${alphabet[last + unused]}`;
      // The same 32 bytes of MAC: the spelling is all that differs.
      expect(Buffer.from(variant.split('.')[2], 'base64url')).toEqual(Buffer.from(link.token.split('.')[2], 'base64url'));
      const reply = await resume(variant, link.expires_at);
      expect([reply.status, errorOf(reply).code]).toEqual([400, 'invalid_request']);
    }
    expect((await resume(link.token, link.expires_at)).status).toBe(200);
  });

  it('a hmac-sha256 credential mints v2.<credential_id>.<mac> tokens that load-entry-data accepts', async () => {
    const link = await mintLink();
    expect(link.token).toMatch(new RegExp(`^v2\\.${link.credential_id}\\.[A-Za-z0-9_-]{43}$`));
    expect((await resume(link.token, link.expires_at)).status).toBe(200);
  });

  it('bind the flow when minted with one', async () => {
    const link = await mintLink({ flow_id: flowId });
    expect((await resume(link.token, link.expires_at)).status).toBe(200);
    const otherFlow = uid('flow');
    await seedEntry({ entryId, projectId, flowId: otherFlow, currentPageKey: 'p', userData: {} });
    const reply = await resume(link.token, link.expires_at, { flow_id: otherFlow });
    expect(errorOf(reply).code).toBe('invalid_token');
  });

  it('bind the project: the same token under another project id is refused, even where that project holds the very same key', async () => {
    const link = await mintLink();
    expect(errorOf(await resume(link.token, link.expires_at, { project_id: uid('proj') })).code).toBe('invalid_token');
    // Project B holds A's credential, id and secret alike: only the project inside the MAC tells the token apart.
    // Were it not there, the token would verify under B and the answer would be B's 404 entry_not_found.
    const other = uid('proj');
    await seedProject(other, [credential({ credential_id: link.credential_id, secret, algorithm: 'hmac-sha256' })]);
    try {
      const reply = await resume(link.token, link.expires_at, { project_id: other });
      expect([reply.status, errorOf(reply).code]).toEqual([401, 'invalid_token']);
    } finally {
      await deleteProject(other);
    }
  });

  it('refuse a changed MAC, expiry or entry', async () => {
    const link = await mintLink();
    const mac = link.token.slice(-43);
    const flipped = link.token.slice(0, -43) + (mac[0] === 'A' ? 'B' : 'A') + mac.slice(1);
    expect(errorOf(await resume(flipped, link.expires_at)).code).toBe('invalid_token');
    expect(errorOf(await resume(link.token, '2099-01-01T00:00:00Z')).code).toBe('invalid_token');
    expect(errorOf(await resume(link.token, link.expires_at, { entry_id: uid('entry') })).code).toBe('invalid_token');
  });

  it('keep the schemes apart: a seed token under a v2 key is refused, and a v2 token under a seed (sha256) key', async () => {
    const expiresAt = '2099-01-01T00:00:00Z';
    const reply = await resume(computeToken(secret, entryId, expiresAt), expiresAt);
    expect(errorOf(reply).code).toBe('invalid_token');

    const created = await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: 'seed', replace: false }));
    const seed = created.json as { secret: string; credential: { credential_id: string } };
    const crossed = mintV2Token({ id: seed.credential.credential_id, secret: seed.secret }, { projectId, flowId, entryId, expiresAt });
    const refused = await resume(crossed, expiresAt);
    expect([refused.status, errorOf(refused).code]).toEqual([401, 'invalid_token']);
    // The same key does sign seed tokens that verify.
    expect((await resume(computeToken(seed.secret, entryId, expiresAt), expiresAt)).status).toBe(200);
  });

  it("keep the schemes apart the other way: a v2 token made with a seed (sha256) credential's own id and secret is refused", async () => {
    const seed = await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: 'seed', replace: false }));
    const { credential, secret: seedSecret } = seed.json as { credential: { credential_id: string }; secret: string };
    registerSensitive(seedSecret);
    const expiresAt = '2099-01-01T00:00:00Z';
    expect((await resume(computeToken(seedSecret, entryId, expiresAt), expiresAt)).status).toBe(200);
    const forged = mintV2Token({ id: credential.credential_id, secret: seedSecret }, { projectId, entryId, expiresAt });
    expect(errorOf(await resume(forged, expiresAt)).code).toBe('invalid_token');
  });

  it('refuse a v2-shaped token naming an unknown credential without trying other keys', async () => {
    const link = await mintLink();
    const forged = link.token.replace(link.credential_id, `cred_${'0'.repeat(20)}`);
    expect(errorOf(await resume(forged, link.expires_at)).code).toBe('invalid_token');
  });
});
