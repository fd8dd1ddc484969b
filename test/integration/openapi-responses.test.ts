import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as legacyKeys } from '../../lambdas/legacy-keys/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as legacyLoad } from '../../lambdas/legacy-load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { computeToken } from '../../lambdas/domain/token';
import { ROUTES, routeKey } from '../../lambdas/http/routes';
import { type Handler, invoke, type Reply } from '../support/http';
import { deleteEntry, deleteProject, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';

/** docs/openapi.yaml, checked against what the handlers really answer (moto behind them). */
const doc = parse(readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'openapi.yaml'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: object }> }> }>>;
  components: { schemas: Record<string, object> };
};
// Formats are annotations here; the closed object shapes are what this test holds the API to.
const ajv = new (Ajv2020 as unknown as { default: typeof Ajv2020 }).default({ strict: false, validateFormats: false, allErrors: true });
for (const [name, schema] of Object.entries(doc.components.schemas)) ajv.addSchema(schema, `#/components/schemas/${name}`);

const seen = new Map<string, Set<number>>();

/** Asserts that the reply is documented for that route: its status listed, its body matching that status's schema. */
const conforms = (key: string, reply: Reply, pathTemplate?: string): void => {
  const [method, template] = key.split(' ');
  const responses = doc.paths[pathTemplate ?? template][method.toLowerCase()].responses;
  const documented = responses[String(reply.status)];
  if (!documented) throw new Error(`${key} answered ${reply.status}, which docs/openapi.yaml does not list`);
  const schema = documented.content?.['application/json']?.schema;
  if (schema === undefined) {
    expect(reply.raw).toBe('');
  } else {
    const validate = ajv.compile(schema);
    if (!validate(reply.json)) throw new Error(`${key} ${reply.status}: ${ajv.errorsText(validate.errors)} in ${reply.raw}`);
  }
  seen.set(key, (seen.get(key) ?? new Set()).add(reply.status));
};

const call = async (handler: Handler, key: string, params: Record<string, string> = {}, body?: unknown, query?: Record<string, string>) => {
  const reply = await invoke(handler, routeEvent(key, params, body, query));
  conforms(key, reply);
  return reply;
};

const projectId = uid('proj');
const flowId = uid('flow');
const entryId = uid('entry');
afterAll(async () => {
  await deleteEntry(entryId);
  await deleteProject(projectId);
});

it('every route answers exactly what docs/openapi.yaml documents, for its successes and its errors', async () => {
  const p = { project_id: projectId };
  const created = await call(credentials, 'POST /v1/projects/{project_id}/credentials', p, { label: 'docs' });
  expect(created.status).toBe(201);
  await call(credentials, 'POST /v1/projects/{project_id}/credentials', p, { label: 'v2', algorithm: 'hmac-sha256', replace: false });
  await call(credentials, 'POST /v1/projects/{project_id}/credentials', p, {});
  const listed = await call(credentials, 'GET /v1/projects/{project_id}/credentials', p);
  const [first] = (listed.json as { credentials: Array<{ credential_id: string }> }).credentials;
  await call(credentials, 'GET /v1/projects/{project_id}/allowed-origins', p);
  await call(credentials, 'PUT /v1/projects/{project_id}/allowed-origins', p, { origins: ['https://docs.example'] });
  await call(credentials, 'GET /v1/projects/{project_id}/allowed-origins', p);
  await call(credentials, 'DELETE /v1/projects/{project_id}/allowed-origins', p);

  const e = { entry_id: entryId };
  const entry = { project_id: projectId, flow_id: flowId, current_page_key: 'page_1', user_data: { answer: 'docs-check' } };
  expect((await call(entries, 'PUT /v1/entries/{entry_id}', e, entry)).status).toBe(201);
  expect((await call(entries, 'PUT /v1/entries/{entry_id}', e, { ...entry, current_page_key: 'page_2' })).status).toBe(200);
  expect((await call(entries, 'PUT /v1/entries/{entry_id}', e, { ...entry, flow_id: uid('flow') })).status).toBe(409);
  await call(entries, 'GET /v1/entries/{entry_id}', e, undefined, p);
  await call(entries, 'GET /v1/entries/{entry_id}', { entry_id: uid('entry') }, undefined, p);

  const link = await call(mint, 'POST /v1/tokens', {}, { project_id: projectId, entry_id: entryId, flow_id: flowId, resume_url: 'https://docs.example/flow' });
  await call(mint, 'POST /v1/tokens', {}, { project_id: uid('proj'), entry_id: entryId });
  const { token, expires_at } = link.json as { token: string; expires_at: string };
  await call(entries, 'POST /v1/entries/{entry_id}/revoke-links', e, p);
  // links_valid_after now shows on the admin view.
  await call(entries, 'GET /v1/entries/{entry_id}', e, undefined, p);

  const resume = (body: unknown) => invoke(loadEntryData, loadEntryEvent(body));
  const seedLink = computeToken((created.json as { secret: string }).secret, entryId, '2099-01-01T00:00:00Z');
  for (const body of [
    { flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at },
    { flow_id: flowId, project_id: projectId, entry_id: entryId, token: seedLink, expires_at: '2099-01-01T00:00:00Z' },
    { flow_id: flowId, project_id: projectId, entry_id: entryId, token: 'f'.repeat(64), expires_at },
    { flow_id: flowId },
  ]) {
    conforms('POST /v1/load-entry-data', await resume(body));
  }
  const fresh = await call(mint, 'POST /v1/tokens', {}, { project_id: projectId, entry_id: entryId, flow_id: flowId });
  const ok = await resume({ flow_id: flowId, project_id: projectId, entry_id: entryId, ...(fresh.json as object), credential_id: undefined, url: undefined });
  expect(ok.status).toBe(200);
  conforms('POST /v1/load-entry-data', ok);

  await call(credentials, 'DELETE /v1/projects/{project_id}/credentials/{credential_id}', { ...p, credential_id: first.credential_id });
  await call(credentials, 'DELETE /v1/projects/{project_id}/credentials/{credential_id}', { ...p, credential_id: 'cred_00000000000000000000' });

  const f = { flow_id: flowId };
  await call(legacyKeys, 'PUT /v1/legacy/flows/{flow_id}/key', f, { secret: 'docs-legacy-key', project_id: projectId });
  await call(legacyKeys, 'PUT /v1/legacy/flows/{flow_id}/key', f, { secret: 'docs-legacy-key' });
  const legacyToken = computeToken('docs-legacy-key', entryId, '2099-01-01T00:00:00Z');
  for (const body of [{ flow_id: flowId, entry_id: entryId, token: legacyToken, expires: '2099-01-01T00:00:00Z' }, { flow_id: flowId }]) {
    conforms('POST /', await invoke(legacyLoad, functionUrlEvent('POST', '/', body)), '/');
  }
  await call(legacyKeys, 'DELETE /v1/legacy/flows/{flow_id}/key', f);
  await call(legacyKeys, 'DELETE /v1/legacy/flows/{flow_id}/key', f);
  expect((await call(entries, 'DELETE /v1/entries/{entry_id}', e, undefined, p)).status).toBe(204);
  await call(entries, 'DELETE /v1/entries/{entry_id}', e, undefined, p);

  // Every route was exercised, with each success status it documents (a public route's 204 is its CORS preflight).
  for (const route of ROUTES) {
    const key = routeKey(route.method, route.path);
    const documented = Object.keys(doc.paths[route.path][route.method.toLowerCase()].responses)
      .map(Number)
      .filter((status) => status < 300 && !(route.access === 'public' && status === 204));
    expect({ key, statuses: [...(seen.get(key) ?? [])].filter((status) => status < 300).sort() }).toEqual({ key, statuses: documented.sort() });
  }
});
