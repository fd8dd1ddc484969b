import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { computeToken } from '../../lambdas/shared/token';
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
    const created = await invoke(credentials, routeEvent('POST /v1/projects/{project_id}/credentials', { project_id: projectId }, { label: 'k' }));
    const secret = (created.json as { secret: string }).secret;
    const mintFor = async (id: string, ttl: number) =>
      (await invoke(mint, routeEvent('POST /v1/tokens', {}, { project_id: projectId, entry_id: id, ttl_seconds: ttl }))).json as { token: string; expires_at: string };
    const resume = (id: string, link: { token: string; expires_at: string }) =>
      invoke(loadEntryData, loadEntryEvent({ flow_id: flowId, project_id: projectId, entry_id: id, token: link.token, expires_at: link.expires_at }));

    const before = await mintFor(entryId, 3600);
    const external = { expires_at: '2099-01-01T00:00:00Z', token: computeToken(secret, entryId, '2099-01-01T00:00:00Z') };
    const untouched = await mintFor(other, 3600);
    expect((await resume(entryId, before)).status).toBe(200);

    const wrongProject = await invoke(entries, routeEvent('POST /v1/entries/{entry_id}/revoke-links', { entry_id: entryId }, { project_id: uid('proj') }));
    expect(wrongProject.status).toBe(404);
    const revoked = await invoke(entries, routeEvent('POST /v1/entries/{entry_id}/revoke-links', { entry_id: entryId }, { project_id: projectId }));
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

    const shown = await invoke(entries, routeEvent('GET /v1/entries/{entry_id}', { entry_id: entryId }, undefined, { project_id: projectId }));
    expect((shown.json as { entry: { links_valid_after: string } }).entry.links_valid_after).toBe((revoked.json as { links_valid_after: string }).links_valid_after);
  } finally {
    await deleteEntry(entryId);
    await deleteEntry(other);
    await deleteProject(projectId);
  }
});
