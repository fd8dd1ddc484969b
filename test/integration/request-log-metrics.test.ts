import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { RequestLogMetrics } from '../../lib/constructs/log-metrics';
import { secretsManager } from '../../lambdas/adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { computeToken } from '../../lambdas/domain/token';
import { VERIFICATION_OUTCOMES } from '../../lambdas/domain/verification-outcome';
import { STALE_KEYS_SERVED } from '../../lambdas/runtime/log-schema';
import { type MetricFilterSpec, matchesFilter, parseFilterPattern, publishedMetrics } from '../support/cloudwatch-filter';
import { captureLines } from '../support/capture-lines';
import { type Handler, invoke } from '../support/http';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, seedScenario, uid } from '../support/seed';
import { controlClock } from '../support/clock';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { docSection } from '../support/docs';

const current = ((await import('../../lambdas/load-entry-data/index')) as { handler: Handler }).handler;
const entries = ((await import('../../lambdas/entries/index')) as { handler: Handler }).handler;
const saves = ((await import('../../lambdas/browser-saves/index')) as { handler: Handler }).handler;
const links = ((await import('../../lambdas/link-requests/index')) as { handler: Handler }).handler;
const legacy = ((await import('../../lambdas/legacy-load-entry-data/index')) as { handler: Handler }).handler;

const readme = docSection('docs/operations.md', 'Observability');

/** The metric filters the construct puts on each public Lambda's log group, as synthesized. */
const stack = new Stack(new App(), 'Filters');
new RequestLogMetrics(stack, 'Current', { logGroup: new logs.LogGroup(stack, 'CurrentLogs') });
new RequestLogMetrics(stack, 'Legacy', { logGroup: new logs.LogGroup(stack, 'LegacyLogs'), kind: 'legacy' });
new RequestLogMetrics(stack, 'Saves', { logGroup: new logs.LogGroup(stack, 'SavesLogs'), kind: 'saves' });
new RequestLogMetrics(stack, 'Links', { logGroup: new logs.LogGroup(stack, 'LinksLogs'), kind: 'links' });
const filtersOf = (prefix: string): MetricFilterSpec[] =>
  Object.entries(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter'))
    .filter(([id]) => id.startsWith(prefix))
    .map(([, r]) => r.Properties as MetricFilterSpec);

describe('metrics from the request log line', () => {
  it('counts verifications by outcome and by matching credential, one line per request, nothing for malformed requests', async () => {
    const s = await seedScenario();
    const future = '2099-09-01T00:00:00Z';
    const past = '2020-09-01T00:00:00Z';
    const body = {
      flow_id: s.flowId,
      project_id: s.projectId,
      entry_id: s.entryId,
      token: computeToken(s.credential.secret, s.entryId, future),
      expires_at: future,
    };
    const lines = await captureLines(async () => {
      try {
        await invoke(current, loadEntryEvent(body));
        await invoke(current, loadEntryEvent(body));
        await invoke(current, loadEntryEvent({ ...body, token: computeToken('x', s.entryId, future) }));
        await invoke(current, loadEntryEvent({ ...body, expires_at: past, token: computeToken(s.credential.secret, s.entryId, past) }));
        await invoke(current, loadEntryEvent({ ...body, flow_id: 'other_flow' }));
        await invoke(current, loadEntryEvent({ ...body, token: 'bad' }));
      } finally {
        await s.cleanup();
      }
    });

    expect(lines).toHaveLength(6);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.map((r) => r.outcome)).toEqual(['ok', 'ok', 'invalid_token', 'expired', 'not_found', 'invalid_request']);
    for (const r of records) expect(r.request_id).toEqual(expect.stringMatching(/^\S{8,}$/));
    expect(lines.join('\n')).not.toContain(s.credential.secret);

    expect(publishedMetrics(filtersOf('Current'), lines)).toEqual({
      'SessionRecovery/Verifications{outcome=ok}': 2,
      'SessionRecovery/Verifications{outcome=invalid_token}': 1,
      'SessionRecovery/Verifications{outcome=expired}': 1,
      'SessionRecovery/Verifications{outcome=not_found}': 1,
      [`SessionRecovery/Verifications{credential_id=${s.credential.credential_id}}`]: 2,
    });
  });

  it('counts legacy calls per flow, flows without a legacy key under one value, and never a guide download', async () => {
    const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);
    const s = await seedScenario();
    await store.put(s.flowId, s.projectId, 'legacy-metric-key', new Date());
    const expires = '2099-01-01T00:00:00Z';
    const token = createHash('sha256').update(`legacy-metric-key---${s.entryId}---${expires}`).digest('hex');
    const lines = await captureLines(async () => {
      try {
        await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: s.flowId, entry_id: s.entryId, token, expires }));
        await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: uid('flow'), entry_id: s.entryId, token, expires }));
        await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: uid('flow'), entry_id: s.entryId, token, expires }));
        await invoke(legacy, functionUrlEvent('GET', '/migration-guide'));
      } finally {
        await store.retire(s.flowId);
        await s.cleanup();
      }
    });
    expect(lines).toHaveLength(4);
    expect(publishedMetrics(filtersOf('Legacy'), lines)).toEqual({
      [`SessionRecovery/LegacyCalls{flow_id=${s.flowId}}`]: 1,
      'SessionRecovery/LegacyCalls{flow_id=unknown}': 2,
      'SessionRecovery/Verifications{outcome=ok}': 1,
      'SessionRecovery/Verifications{outcome=invalid_token}': 2,
    });
  });
});

describe('entries created from browsers', () => {
  it('are counted in all and by project, only when created: never a save, nor a create refused because the project does not take browser saves', async () => {
    const site = 'https://quiz.example';
    const takes = uid('proj');
    const refuses = uid('proj');
    await seedProject(takes, [credential()], { allowed_origins: [site], browser_saves: true });
    await seedProject(refuses, [credential()], { allowed_origins: [site] });
    const page = { origin: site };
    const draft = (projectId: string) => ({ project_id: projectId, flow_id: 'flow_saves', current_page_key: 'page_1', user_data: {} });
    let made: { entry_id: string; save_token: string } | undefined;
    const lines = await captureLines(async () => {
      try {
        const create = await invoke(saves, routeEvent('createEntry', {}, draft(takes), {}, page));
        expect(create.status).toBe(201);
        made = create.json as { entry_id: string; save_token: string };
        const progress = { ...draft(takes), current_page_key: 'page_2', save_token: made.save_token, seq: Date.now() };
        expect((await invoke(saves, routeEvent('saveProgress', { entry_id: made.entry_id }, progress, {}, page))).status).toBe(200);
        expect((await invoke(saves, routeEvent('createEntry', {}, draft(refuses), {}, page))).status).toBe(403);
        expect((await invoke(saves, routeEvent('createEntry', {}, draft(uid('proj')), {}, page))).status).toBe(403);
      } finally {
        if (made) await deleteEntry(made.entry_id);
        await deleteProject(takes);
        await deleteProject(refuses);
      }
    });
    expect(lines).toHaveLength(4);
    expect(publishedMetrics(filtersOf('Saves'), lines)).toEqual({
      'SessionRecovery/EntriesCreated{}': 1,
      [`SessionRecovery/EntriesCreated{project_id=${takes}}`]: 1,
    });
  });
});

describe('link requests from pages', () => {
  it('are counted when accepted, in all and by channel, and every validated one by outcome: a refusal under its code, a malformed request not at all', async () => {
    const site = 'https://quiz.example';
    const projectId = uid('proj');
    await seedProject(projectId, [credential()], { allowed_origins: [site], browser_saves: true, sms_countries: ['GB'] });
    const page = { origin: site };
    const draft = { project_id: projectId, flow_id: 'flow_links', current_page_key: 'page_1', user_data: {} };
    const made: string[] = [];
    const lines = await captureLines(async () => {
      try {
        const created = (await invoke(saves, routeEvent('createEntry', {}, draft, {}, page))).json as { entry_id: string; save_token: string };
        made.push(created.entry_id);
        const ask = (extra: Record<string, unknown>) =>
          invoke(
            links,
            routeEvent(
              'linkRequests',
              { entry_id: created.entry_id },
              { project_id: projectId, flow_id: 'flow_links', save_token: created.save_token, ...extra },
              {},
              page,
            ),
          );
        expect((await ask({ channel: 'email' })).status).toBe(202);
        expect((await ask({ channel: 'sms', to: '+447400123456' })).status).toBe(202);
        expect((await ask({ channel: 'sms', to: '+33612345678' })).status).toBe(403);
        expect((await ask({ channel: 'email' })).status).toBe(202);
        expect((await ask({ channel: 'email' })).status).toBe(429);
        expect((await ask({ channel: 'fax' })).status).toBe(400);
      } finally {
        for (const entryId of made) await deleteEntry(entryId);
        await deleteProject(projectId);
      }
    });
    const published = publishedMetrics(filtersOf('Links'), lines.slice(1));
    expect(published).toEqual({
      'SessionRecovery/LinkRequests{}': 3,
      'SessionRecovery/LinkRequests{channel=email}': 2,
      'SessionRecovery/LinkRequests{channel=sms}': 1,
      'SessionRecovery/LinkRequests{outcome=ok}': 3,
      'SessionRecovery/LinkRequests{outcome=sms_not_allowed}': 1,
      'SessionRecovery/LinkRequests{outcome=too_many_link_requests}': 1,
    });
  });
});

describe('metrics from the warning lines', () => {
  it('counts a request answered from cached keys while Secrets Manager is down (fault injected: moto cannot fail on demand)', async () => {
    const s = await seedScenario();
    const future = '2099-09-01T00:00:00Z';
    const body = {
      flow_id: s.flowId,
      project_id: s.projectId,
      entry_id: s.entryId,
      token: computeToken(s.credential.secret, s.entryId, future),
      expires_at: future,
    };
    let sm: ReturnType<typeof mockClient> | undefined;
    const lines = await captureLines(async () => {
      try {
        await invoke(current, loadEntryEvent(body));
        sm = mockClient(SecretsManagerClient);
        sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'down', $metadata: { httpStatusCode: 500 } }));
        // A bad token forces a refetch, which fails: the cached keys answer, and that is counted.
        await invoke(current, loadEntryEvent({ ...body, token: computeToken('nope', s.entryId, future) }));
      } finally {
        sm?.restore();
        await s.cleanup();
      }
    });
    const metrics = publishedMetrics(filtersOf('Current'), lines);
    expect(metrics['SessionRecovery/StaleKeysServed{}']).toBe(1);
    expect(metrics['SessionRecovery/Verifications{outcome=invalid_token}']).toBe(1);
    // The warning names the project it served stale keys for, under the key its source gives (SigningKeySource.scope).
    const stale = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === STALE_KEYS_SERVED);
    expect(stale.map((l) => [l.project_id, l.secret, l.error_name])).toEqual([[s.projectId, undefined, 'InternalServiceError']]);
  });

  it('counts it on the legacy route too, naming the flow whose key was served stale', async () => {
    const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);
    const s = await seedScenario();
    await store.put(s.flowId, s.projectId, 'legacy-stale-key', new Date());
    const expires = '2099-01-01T00:00:00Z';
    const tokenOf = (key: string) => createHash('sha256').update(`${key}---${s.entryId}---${expires}`).digest('hex');
    let sm: ReturnType<typeof mockClient> | undefined;
    const lines = await captureLines(async () => {
      try {
        await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: s.flowId, entry_id: s.entryId, token: tokenOf('legacy-stale-key'), expires }));
        sm = mockClient(SecretsManagerClient);
        sm.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'down', $metadata: { httpStatusCode: 500 } }));
        await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: s.flowId, entry_id: s.entryId, token: tokenOf('nope'), expires }));
      } finally {
        sm?.restore();
        await store.retire(s.flowId);
        await s.cleanup();
      }
    });
    expect(publishedMetrics(filtersOf('Legacy'), lines)['SessionRecovery/StaleKeysServed{}']).toBe(1);
    const stale = lines
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.message === STALE_KEYS_SERVED);
    expect(stale.map((l) => [l.flow_id, l.project_id, l.secret, l.error_name])).toEqual([[s.flowId, s.projectId, undefined, 'InternalServiceError']]);
  });
});

describe('the filter-pattern reader the tests above rely on', () => {
  it('follows CloudWatch semantics for the subset it reads, and refuses the rest', () => {
    const p = '{ ($.a = "x*") && (($.b = "1") || ($.c != "*")) }';
    expect(matchesFilter(p, '{"a":"xyz","b":"1"}')).toBe(true);
    expect(matchesFilter(p, '{"a":"xyz","b":"2","c":"q"}')).toBe(false);
    expect(matchesFilter(p, '{"a":"y","b":"1"}')).toBe(false);
    expect(matchesFilter(p, '{"b":"1"}')).toBe(false);
    expect(matchesFilter(p, 'not json')).toBe(false);
    expect(matchesFilter('{ $.n = "*" }', '{"n":5}')).toBe(false);
    expect(() => parseFilterPattern('{ $.n > 5 }')).toThrow(/unsupported|subset/);
    expect(() => parseFilterPattern('ERROR')).toThrow();
  });
});

// Last in the file: it moves the clock past the lookup bucket's window and back, leaving the bucket empty for what would follow.
describe('every outcome the README lists for Verifications', () => {
  it('counts a revoked link, a refused origin, a lookup past the bound, a throttled and a failed read under their own outcome', async () => {
    const future = '2099-09-01T00:00:00Z';
    const projectId = uid('proj');
    const flowId = uid('flow');
    const entryId = uid('entry');
    const key = credential();
    await seedProject(projectId, [key], { allowed_origins: ['https://quiz.example'] });
    await seedEntry({ entryId, projectId, flowId, currentPageKey: 'p', userData: {} });
    const body = { flow_id: flowId, project_id: projectId, entry_id: entryId, token: computeToken(key.secret, entryId, future), expires_at: future };
    const page = { origin: 'https://quiz.example' };
    const clock = controlClock();
    const lines = await captureLines(async () => {
      try {
        expect((await invoke(current, loadEntryEvent(body, page))).status).toBe(200);
        expect((await invoke(current, loadEntryEvent(body, { origin: 'https://elsewhere.example' }))).status).toBe(403);
        for (const [fault, status] of [
          [new ProvisionedThroughputExceededException({ message: 'Rate exceeded', $metadata: { httpStatusCode: 400 } }), 503],
          [new Error('unexpected'), 500],
        ] as const) {
          const ddb = mockClient(DynamoDBClient);
          ddb.on(GetItemCommand).rejects(fault);
          try {
            expect((await invoke(current, loadEntryEvent(body, page))).status).toBe(status);
          } finally {
            ddb.restore();
          }
        }
        await invoke(entries, routeEvent('revokeLinks', { entry_id: entryId }, { project_id: projectId }));
        expect((await invoke(current, loadEntryEvent(body, page))).status).toBe(401);
        // A full bucket of lookups for ids this instance holds nothing for (20), then one past it.
        clock.advance(60_000);
        for (let i = 0; i <= 20; i++) await invoke(current, loadEntryEvent({ ...body, project_id: uid('proj') }));
      } finally {
        clock.restore();
        await deleteEntry(entryId);
        await deleteProject(projectId);
      }
    });
    const counted = publishedMetrics(filtersOf('Current'), lines);
    const byOutcome = Object.fromEntries(VERIFICATION_OUTCOMES.map((o) => [o, counted[`SessionRecovery/Verifications{outcome=${o}}`] ?? 0]));
    // The outcomes the README names, in its order.
    expect(byOutcome).toEqual({ ok: 1, invalid_token: 20, expired: 0, not_found: 0, revoked: 1, origin_refused: 1, lookup_limited: 1, throttled: 1, error: 1 });
    expect(readme).toContain(`\`Verifications\` by \`outcome\` (${VERIFICATION_OUTCOMES.map((o) => `\`${o}\``).join(', ')});`);
  });
});
