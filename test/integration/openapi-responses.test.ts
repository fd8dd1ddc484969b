import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { handler as browserSaves } from '../../lambdas/browser-saves/index';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as legacyKeys } from '../../lambdas/legacy-keys/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as legacyLoad } from '../../lambdas/legacy-load-entry-data/index';
import { handler as linkRequests } from '../../lambdas/link-requests/index';
import { handler as mint } from '../../lambdas/mint/index';
import { handler as shortLinks } from '../../lambdas/short-links/index';
import { computeToken } from '../../lambdas/domain/token';
import { ROUTE_LIST, type RouteName } from '../../lambdas/http/routes';
import { type Handler, invoke, type Reply } from '../support/http';
import { deleteEntry, deleteProject, uid } from '../support/seed';
import { CAMPAIGN_SHARDS, campaignKey, LINK_REQUESTS_KEY_PREFIX, shortLinkKey } from '../../lambdas/adapters/naming';
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

/** What the README promises on every response, whatever the route and the status. */
const SECURITY_HEADERS = {
  'strict-transport-security': expect.stringMatching(/^max-age=\d+/),
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** Asserts that the reply is documented for that route (or for the legacy `POST /`): its status listed, its body matching that status's schema. */
const conforms = (route: RouteName | 'legacy', reply: Reply): void => {
  const { method, path: template } = route === 'legacy' ? { method: 'POST', path: '/' } : ROUTE_LIST.find((r) => r.name === route)!;
  const key = `${method} ${template}`;
  expect({ key, status: reply.status, headers: reply.headers }).toMatchObject({ key, status: reply.status, headers: SECURITY_HEADERS });
  const responses = doc.paths[template][method.toLowerCase()].responses;
  const documented = responses[String(reply.status)];
  if (!documented) throw new Error(`${key} answered ${reply.status}, which docs/openapi.yaml does not list`);
  // A documented page (the short-link 404) is checked for its media type; JSON against its schema.
  const mediaType = (reply.headers['content-type'] ?? 'application/json').split(';')[0];
  const content = documented.content?.[mediaType];
  if (documented.content && !content) throw new Error(`${key} ${reply.status} answered ${mediaType}, which docs/openapi.yaml does not list`);
  const schema = mediaType === 'application/json' ? content?.schema : undefined;
  if (method === 'HEAD') {
    // HEAD has GET's status and headers, never a body.
    expect(reply.raw).toBe('');
  } else if (content && mediaType !== 'application/json') {
    expect(reply.raw.length).toBeGreaterThan(0);
  } else if (schema === undefined) {
    expect(reply.raw).toBe('');
  } else {
    const validate = ajv.compile(schema);
    if (!validate(reply.json)) throw new Error(`${key} ${reply.status}: ${ajv.errorsText(validate.errors)} in ${reply.raw}`);
  }
  seen.set(route, (seen.get(route) ?? new Set()).add(reply.status));
};

const call = async (
  handler: Handler,
  route: RouteName,
  params: Record<string, string> = {},
  body?: unknown,
  query?: Record<string, string>,
  headers?: Record<string, string>,
) => {
  const reply = await invoke(handler, routeEvent(route, params, body, query, headers));
  conforms(route, reply);
  return reply;
};

const projectId = uid('proj');
const flowId = uid('flow');
const entryId = uid('entry');
afterAll(async () => {
  await deleteEntry(entryId);
  await deleteProject(projectId);
});

it('every route answers exactly what docs/openapi.yaml documents, for its successes and its errors, each answer with the security headers', async () => {
  const p = { project_id: projectId };
  const created = await call(credentials, 'createCredential', p, { label: 'docs' });
  expect(created.status).toBe(201);
  await call(credentials, 'createCredential', p, { label: 'v2', algorithm: 'hmac-sha256', replace: false });
  await call(credentials, 'createCredential', p, {});
  const listed = await call(credentials, 'listCredentials', p);
  const [first] = (listed.json as { credentials: Array<{ credential_id: string }> }).credentials;
  await call(credentials, 'getAllowedOrigins', p);
  await call(credentials, 'setAllowedOrigins', p, { origins: ['https://docs.example'] });
  await call(credentials, 'getAllowedOrigins', p);
  await call(credentials, 'clearAllowedOrigins', p);

  // Browser saves: refused without the project's own origins, then on, then a page creates and saves an entry.
  await call(credentials, 'setBrowserSaves', p, { enabled: true });
  await call(credentials, 'setAllowedOrigins', p, { origins: ['https://docs.example'] });
  await call(credentials, 'setBrowserSaves', p, { enabled: true, sms_countries: ['GB', 'US'] });
  await call(credentials, 'getBrowserSaves', p);
  // A flow's resume policy: set (and refused), read, cleared.
  const policyFlow = { project_id: projectId, flow_id: flowId };
  await call(credentials, 'setResumePolicy', policyFlow, { withheld_fields: ['/a/~2'] });
  await call(credentials, 'setResumePolicy', policyFlow, { withheld_fields: ['card_number'] });
  await call(credentials, 'getResumePolicy', policyFlow);
  await call(credentials, 'clearResumePolicy', policyFlow);
  const page = { origin: 'https://docs.example' };
  const draft = { project_id: projectId, flow_id: flowId, current_page_key: 'page_1', user_data: { draft: 'docs-check' } };
  const made = await call(browserSaves, 'createEntry', {}, draft, undefined, page);
  const { entry_id: madeId, save_token: saveToken } = made.json as { entry_id: string; save_token: string };
  await call(browserSaves, 'createEntry', {}, draft, undefined, { origin: 'https://elsewhere.example' });
  await call(browserSaves, 'saveProgress', { entry_id: madeId }, { ...draft, save_token: saveToken, seq: 1 }, undefined, page);
  await call(browserSaves, 'saveProgress', { entry_id: madeId }, { ...draft, save_token: saveToken, seq: 1 }, undefined, page);
  await call(browserSaves, 'saveProgress', { entry_id: madeId }, { ...draft, save_token: 's1.' + 'A'.repeat(43), seq: 2 }, undefined, page);
  // Link requests: accepted (a link on the bus), refused with a bad address, past the hour's three, with another entry's token.
  const ask = { project_id: projectId, flow_id: flowId, save_token: saveToken, channel: 'sms' };
  for (let i = 0; i < 4; i++) await call(linkRequests, 'linkRequests', { entry_id: madeId }, ask, undefined, page);
  await call(linkRequests, 'linkRequests', { entry_id: madeId }, { ...ask, to: '+33612345678' }, undefined, page);
  await call(linkRequests, 'linkRequests', { entry_id: madeId }, { ...ask, to: 'not a number' }, undefined, page);
  await call(linkRequests, 'linkRequests', { entry_id: madeId }, { ...ask, channel: 'email', resume_url: 'https://elsewhere.example/' }, undefined, page);
  await call(linkRequests, 'linkRequests', { entry_id: madeId }, { ...ask, save_token: 's1.' + 'A'.repeat(43) }, undefined, page);
  await call(linkRequests, 'linkRequests', { entry_id: madeId }, ask, undefined, { origin: 'https://elsewhere.example' });
  // Hand-offs (served by the same Lambda): 11 in the hour (the last 429), a resume_url elsewhere, another entry's token.
  const handoff = { project_id: projectId, flow_id: flowId, save_token: saveToken };
  for (let i = 0; i < 11; i++) await call(linkRequests, 'handoff', { entry_id: madeId }, handoff, undefined, page);
  await call(linkRequests, 'handoff', { entry_id: madeId }, { ...handoff, resume_url: 'https://elsewhere.example/' }, undefined, page);
  await call(linkRequests, 'handoff', { entry_id: madeId }, { ...handoff, save_token: 's1.' + 'A'.repeat(43) }, undefined, page);
  await deleteEntry(madeId);
  await deleteEntry(`${LINK_REQUESTS_KEY_PREFIX}${madeId}`);

  const e = { entry_id: entryId };
  const entry = { project_id: projectId, flow_id: flowId, current_page_key: 'page_1', user_data: { answer: 'docs-check' } };
  expect((await call(entries, 'putEntry', e, entry)).status).toBe(201);
  expect((await call(entries, 'putEntry', e, { ...entry, current_page_key: 'page_2' })).status).toBe(200);
  expect((await call(entries, 'putEntry', e, { ...entry, flow_id: uid('flow') })).status).toBe(409);
  await call(entries, 'getEntry', e, undefined, p);
  await call(entries, 'getEntry', { entry_id: uid('entry') }, undefined, p);

  const link = await call(mint, 'mint', {}, { project_id: projectId, entry_id: entryId, flow_id: flowId, resume_url: 'https://docs.example/flow' });
  await call(mint, 'mint', {}, { project_id: uid('proj'), entry_id: entryId });
  const { token, expires_at } = link.json as { token: string; expires_at: string };
  const batch = { project_id: projectId, resume_url: 'https://docs.example/flow', short: true, links: [{ entry_id: entryId }, { entry_id: 'bad--id' }] };
  const minted = await call(mint, 'mintBatch', {}, batch);
  await call(mint, 'mintBatch', {}, { ...batch, links: [] });
  await call(mint, 'mintBatch', {}, { ...batch, project_id: uid('proj') });
  const shortUrl = (minted.json as { links: Array<{ short_url: string }> }).links[0].short_url;
  const code = new URL(shortUrl).pathname.split('/').pop()!;
  for (const [route, headers] of [
    ['followShortLink', {}],
    ['checkShortLink', {}],
    ['followShortLink', { accept: 'application/json' }],
  ] as const) {
    await call(shortLinks, route, { code }, undefined, undefined, headers);
    await call(shortLinks, route, { code: code.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a')) }, undefined, undefined, headers);
  }
  await deleteEntry(shortLinkKey(code));
  await call(entries, 'revokeLinks', e, p);
  await call(entries, 'completeEntry', e, p);
  await call(entries, 'completeEntry', { entry_id: uid('entry') }, p);
  await call(entries, 'completeEntry', e, {});
  // A campaign's figures, the project's list (a page, and a malformed one), and a campaign never sent.
  await call(mint, 'mint', {}, { project_id: projectId, entry_id: entryId, campaign: 'docs-campaign' });
  await call(entries, 'listCampaigns', p, undefined, {});
  await call(entries, 'listCampaigns', p, undefined, { limit: '0' });
  await call(entries, 'getCampaign', { ...p, campaign: 'docs-campaign' });
  await call(entries, 'getCampaign', { ...p, campaign: 'never-sent' });
  await call(entries, 'getCampaign', { ...p, campaign: 'no--way' });
  for (let shard = 0; shard < CAMPAIGN_SHARDS; shard++) await deleteEntry(campaignKey(projectId, 'docs-campaign', shard));
  // links_valid_after now shows on the admin view.
  await call(entries, 'getEntry', e, undefined, p);

  const resume = (body: unknown) => invoke(loadEntryData, loadEntryEvent(body));
  const seedLink = computeToken((created.json as { secret: string }).secret, entryId, '2099-01-01T00:00:00Z');
  for (const body of [
    { flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at },
    { flow_id: flowId, project_id: projectId, entry_id: entryId, token: seedLink, expires_at: '2099-01-01T00:00:00Z' },
    { flow_id: flowId, project_id: projectId, entry_id: entryId, token: 'f'.repeat(64), expires_at },
    { flow_id: flowId },
  ]) {
    conforms('loadEntryData', await resume(body));
  }
  const fresh = await call(mint, 'mint', {}, { project_id: projectId, entry_id: entryId, flow_id: flowId });
  const ok = await resume({ flow_id: flowId, project_id: projectId, entry_id: entryId, ...(fresh.json as object), credential_id: undefined, url: undefined });
  expect(ok.status).toBe(200);
  conforms('loadEntryData', ok);

  await call(credentials, 'revokeCredential', { ...p, credential_id: first.credential_id });
  await call(credentials, 'revokeCredential', { ...p, credential_id: 'cred_00000000000000000000' });

  const f = { flow_id: flowId };
  await call(legacyKeys, 'importLegacyKey', f, { secret: 'docs-legacy-key', project_id: projectId });
  await call(legacyKeys, 'importLegacyKey', f, { secret: 'docs-legacy-key' });
  const legacyToken = computeToken('docs-legacy-key', entryId, '2099-01-01T00:00:00Z');
  for (const body of [{ flow_id: flowId, entry_id: entryId, token: legacyToken, expires: '2099-01-01T00:00:00Z' }, { flow_id: flowId }]) {
    conforms('legacy', await invoke(legacyLoad, functionUrlEvent('POST', '/', body)));
  }
  await call(legacyKeys, 'retireLegacyKey', f);
  await call(legacyKeys, 'retireLegacyKey', f);
  expect((await call(entries, 'deleteEntry', e, undefined, p)).status).toBe(204);
  await call(entries, 'deleteEntry', e, undefined, p);

  // Every route was exercised, with each success status it documents (a public route's 204 is its CORS preflight).
  for (const route of ROUTE_LIST) {
    const documented = Object.keys(doc.paths[route.path][route.method.toLowerCase()].responses)
      .map(Number)
      .filter((status) => status < 300 && !(route.access === 'public' && status === 204));
    expect({ route: route.name, statuses: [...(seen.get(route.name) ?? [])].filter((status) => status < 300).sort() }).toEqual({
      route: route.name,
      statuses: documented.sort(),
    });
  }
});
