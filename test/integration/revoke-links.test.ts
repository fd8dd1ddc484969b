import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { handler as mint } from '../../lambdas/mint/index';
import { dynamodb } from '../../lambdas/adapters/clients';
import { linkDigest } from '../../lambdas/domain/link-digest';
import { MAX_ALLOWED_LINKS } from '../../lambdas/domain/ports';
import { countCalls } from '../../dev-support/call-counter';
import { computeToken } from '../../lambdas/domain/token';
import { errorOf, invoke } from '../support/http';
import { deleteEntry, deleteProject, seedEntry, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';

it('revoke-links invalidates every link issued so far for one entry, without rotating the secret', async () => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const other = uid('entry');
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'p', userData: {} });
  await seedEntry({ entryId: other, projectId, flowId, currentPageKey: 'p', userData: {} });
  try {
    const created = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'k' }));
    const secret = (created.json as { secret: string }).secret;
    const mintFor = async (id: string, ttl: number) =>
      (await invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: id, ttl_seconds: ttl }))).json as { token: string; expires_at: string };
    const resume = (id: string, link: { token: string; expires_at: string }) =>
      invoke(loadEntryData, loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: id, token: link.token, expires_at: link.expires_at }));

    const before = await mintFor(entryId, 3600);
    const external = { expires_at: '2099-01-01T00:00:00Z', token: computeToken(secret, entryId, '2099-01-01T00:00:00Z') };
    const untouched = await mintFor(other, 3600);
    expect((await resume(entryId, before)).status).toBe(200);

    const wrongProject = await invoke(entries, routeEvent('revokeLinks', { entry_id: entryId }, { project_id: uid('proj') }));
    expect(wrongProject.status).toBe(404);
    const revoked = await invoke(entries, routeEvent('revokeLinks', { entry_id: entryId }, { project_id: projectId }));
    expect(revoked.status).toBe(200);
    expect(revoked.json).toEqual({ entry_id: entryId, links_valid_after: expect.any(String) });

    const refused = await resume(entryId, before);
    expect(refused.status).toBe(401);
    expect(errorOf(refused)).toEqual({ code: 'link_revoked', message: 'This link has been revoked. Ask for a new link.' });
    expect(errorOf(await resume(entryId, external)).code).toBe('link_revoked');
    expect((await resume(other, untouched)).status).toBe(200);

    const after = await mintFor(entryId, 7200);
    expect((await resume(entryId, after)).status).toBe(200);
    expect(errorOf(await resume(entryId, before)).code).toBe('link_revoked');

    const shown = await invoke(entries, routeEvent('getEntry', { entry_id: entryId }, undefined, { project_id: projectId }));
    expect((shown.json as { entry: { links_valid_after: string } }).entry.links_valid_after).toBe(
      (revoked.json as { links_valid_after: string }).links_valid_after,
    );
  } finally {
    await deleteEntry(entryId);
    await deleteEntry(other);
    await deleteProject(projectId);
  }
});

describe('what survives a revoke-links', () => {
  // Within mint's maximum link lifetime.
  const X = new Date(Date.now() + 10 * 86_400_000).toISOString();
  const setup = async () => {
    const projectId = uid('proj');
    const flowId = uid('flow');
    const entryId = uid('entry');
    await seedEntry({ entryId, projectId, flowId, currentPageKey: 'p', userData: {} });
    const create = async (replace: boolean) =>
      ((await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'k', replace }))).json as { secret: string }).secret;
    const mintLink = async (body: Record<string, unknown>) => invoke(mint, routeEvent('mint', {}, { project_id: projectId, entry_id: entryId, ...body }));
    const resume = (token: string, expiresAt: string) =>
      invoke(loadEntryData, loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt }));
    const revoke = () => invoke(entries, routeEvent('revokeLinks', { entry_id: entryId }, { project_id: projectId }));
    const cleanup = async () => {
      await deleteEntry(entryId);
      await deleteProject(projectId);
    };
    return { projectId, entryId, create, mintLink, resume, revoke, cleanup };
  };

  it('a link issued before the revoke stays revoked when the product later mints a link with the same expires_at under another key', async () => {
    const t = await setup();
    try {
      const k1 = await t.create(true);
      const old = computeToken(k1, t.entryId, X);
      expect((await t.resume(old, X)).status).toBe(200);
      await t.create(false);
      expect((await t.revoke()).status).toBe(200);
      expect(errorOf(await t.resume(old, X)).code).toBe('link_revoked');

      const minted = await t.mintLink({ expires_at: X });
      const fresh = minted.json as { token: string; expires_at: string };
      expect(fresh.expires_at).toBe(X);
      expect(fresh.token).not.toBe(old);
      expect((await t.resume(fresh.token, X)).status).toBe(200);
      const after = await t.resume(old, X);
      expect([after.status, errorOf(after).code]).toEqual([401, 'link_revoked']);
    } finally {
      await t.cleanup();
    }
  });

  it('what the seed scheme cannot tell apart: the same key and the same expires_at give the same link, so minting it again revives it', async () => {
    const t = await setup();
    try {
      const k1 = await t.create(true);
      const old = computeToken(k1, t.entryId, X);
      await t.revoke();
      expect(errorOf(await t.resume(old, X)).code).toBe('link_revoked');
      expect(((await t.mintLink({ expires_at: X })).json as { token: string }).token).toBe(old);
      expect((await t.resume(old, X)).status).toBe(200);
    } finally {
      await t.cleanup();
    }
  });

  it('the allow-list holds digests of exact links (a link in upper-case hex is the same link), never the tokens themselves', async () => {
    const t = await setup();
    try {
      await t.create(true);
      await t.revoke();
      const link = (await t.mintLink({ ttl_seconds: 3600 })).json as { token: string; expires_at: string };
      expect((await t.resume(link.token.toUpperCase(), link.expires_at)).status).toBe(200);
      const { Item } = await dynamodb.send(
        new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: t.entryId } }, ConsistentRead: true }),
      );
      expect(Item?.allowed_links?.SS).toEqual([linkDigest(link.token)]);
      expect(JSON.stringify(Item)).not.toContain(link.token);
    } finally {
      await t.cleanup();
    }
  });

  it('mint reads the revocation state with a strongly consistent read, so a link minted right after revoke-links is recorded', async () => {
    const t = await setup();
    const calls = countCalls(dynamodb);
    try {
      await t.create(true);
      await t.revoke();
      calls.reset();
      expect((await t.mintLink({ ttl_seconds: 3600 })).status).toBe(200);
      expect(calls.calls).toEqual(['GetItemCommand', 'UpdateItemCommand']);
      expect(calls.inputs[0]).toMatchObject({ ConsistentRead: true });
    } finally {
      calls.detach();
      await t.cleanup();
    }
  });

  it(`refuses with 409 conflict once ${MAX_ALLOWED_LINKS} links were minted since the revoke, so the entry cannot outgrow DynamoDB's item size`, async () => {
    const t = await setup();
    try {
      await t.create(true);
      await t.revoke();
      const digests = Array.from({ length: MAX_ALLOWED_LINKS }, (_, i) => linkDigest(`v2.cred_${String(i).padStart(20, '0')}.x`));
      await dynamodb.send(
        new UpdateItemCommand({
          TableName: process.env.TABLE_NAME,
          Key: { entry_id: { S: t.entryId } },
          UpdateExpression: 'ADD allowed_links :d',
          ExpressionAttributeValues: { ':d': { SS: digests } },
        }),
      );
      const refused = await t.mintLink({ ttl_seconds: 3600 });
      expect([refused.status, errorOf(refused).code]).toEqual([409, 'conflict']);
      expect(errorOf(refused).message).toContain('revoke its links again');
      expect((await t.revoke()).status).toBe(200);
      expect((await t.mintLink({ ttl_seconds: 3600 })).status).toBe(200);
    } finally {
      await t.cleanup();
    }
  });
});
