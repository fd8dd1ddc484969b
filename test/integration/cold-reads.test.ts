import http from 'node:http';
import { once } from 'node:events';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { countCalls } from '../../dev-support/call-counter';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { eventBridge } from '../../lambdas/adapters/event-bus';
import { handler as browserSaves } from '../../lambdas/browser-saves/index';
import { handler as linkRequests } from '../../lambdas/link-requests/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { generateSaveGen, mintSaveToken } from '../../lambdas/domain/save-token';
import { computeToken } from '../../lambdas/domain/token';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { invoke } from '../support/http';
import { credential, deleteEntry, deleteProject, secrets, seedEntry, seedProject, uid } from '../support/seed';
import { sendTo } from '../support/stalled-endpoint';

/**
 * Which AWS reads a new instance makes before its first answer, and which of
 * them overlap. Each Lambda module is new in this file, so its caches are empty,
 * as on a new instance. Every request goes through a real HTTP proxy in front of
 * moto that holds it until another arrives (or HOLD_MS passes): two reads the
 * code starts together are then seen in flight together, and two it makes one
 * after the other never are, however loaded the machine. Each held request is
 * forwarded once, whichever comes first; and the clients wait for the proxy as
 * long as a test may last (TIMEOUTS), so a slow answer is never retried as a
 * second read.
 */
const HOLD_MS = 1_000;
const SITE = 'https://quiz.example';
const FUTURE = '2099-03-01T00:00:00Z';
/** The SDK clients' timeouts in this file: a held request plus a loaded moto must not make the SDK give up and try again. */
const TIMEOUTS = { connectionTimeout: 20_000, requestTimeout: 20_000, socketTimeout: 20_000 };

interface Seen {
  /** e.g. `GetSecretValue <secret id>` or `GetItem` */
  readonly call: string;
  /** The calls in flight when it arrived. */
  readonly alongside: readonly string[];
}

/** `holdCalls`: only the first this many calls wait for company; later ones go straight through (a request of many calls stays within its deadline). */
const startHoldingProxy = async (holdCalls = Infinity) => {
  const target = new URL(process.env.AWS_ENDPOINT_URL as string);
  const seen: Seen[] = [];
  /** Calls arrived and not yet answered, by key; `held` are those not yet forwarded. */
  const inFlight = new Set<string>();
  const held = new Map<string, () => void>();
  let n = 0;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation =
        String(req.headers['x-amz-target'] ?? '')
          .split('.')
          .pop() ?? '';
      const secretId = operation === 'GetSecretValue' ? ` ${(JSON.parse(body.toString('utf8')) as { SecretId: string }).SecretId}` : '';
      const call = `${operation}${secretId}`;
      seen.push({ call, alongside: [...inFlight].map((key) => key.replace(/#\d+$/, '')) });
      // A new request releases every held one; a request alone waits HOLD_MS for company.
      for (const release of [...held.values()]) release();
      const key = `${call}#${n++}`;
      const forward = () => {
        clearTimeout(timer);
        if (!held.delete(key)) return;
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
          (reply) => {
            res.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(res);
            reply.on('end', () => inFlight.delete(key));
          },
        );
        upstream.end(body);
      };
      const timer = setTimeout(forward, seen.length <= holdCalls ? HOLD_MS : 0);
      inFlight.add(key);
      held.set(key, forward);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
};

const saveKey = async (): Promise<string> => {
  const out = await secrets.send(new GetSecretValueCommand({ SecretId: process.env.SAVE_KEY_SECRET, VersionStage: 'AWSCURRENT' }));
  return (JSON.parse(out.SecretString as string) as { current: string }).current;
};

let proxy: Awaited<ReturnType<typeof startHoldingProxy>>;
let restore: Array<() => void> = [];
const cleanup: Array<() => Promise<void>> = [];

beforeAll(() => {
  for (const client of [secretsManager, dynamodb]) {
    const handler = client.config.requestHandler as { updateHttpClientConfig(key: string, value: number): void };
    for (const [key, value] of Object.entries(TIMEOUTS)) handler.updateHttpClientConfig(key, value);
  }
});
beforeEach(async () => {
  proxy = await startHoldingProxy();
});
afterEach(async () => {
  for (const undo of restore) undo();
  restore = [];
  await proxy.close();
  for (const step of cleanup.splice(0)) await step();
});

/** A browser-saves project and one entry of it, written straight to moto (no Lambda of this file reads anything). */
const seedSavesProject = async () => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const cred = credential();
  await seedProject(projectId, [cred], { allowed_origins: [SITE], browser_saves: true });
  const saveGen = generateSaveGen();
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_2', userData: { step: 2 }, saveGen });
  cleanup.push(async () => {
    await deleteEntry(entryId);
    await deleteProject(projectId);
  });
  return { projectId, flowId, entryId, saveGen, secret: cred.secret };
};

type SavesProject = Awaited<ReturnType<typeof seedSavesProject>>;
/** The save token a page holds for the project's entry. */
const saveTokenOf = async (p: SavesProject): Promise<string> =>
  mintSaveToken({ id: 'current', secret: await saveKey() }, { projectId: p.projectId, flowId: p.flowId, entryId: p.entryId, gen: p.saveGen });
/** A request to one of the entry's routes from a page of the project's site. */
const fromPage = (route: 'saveProgress' | 'linkRequests', p: SavesProject, fields: Record<string, unknown>) =>
  routeEvent(route, { entry_id: p.entryId }, { project_id: p.projectId, flow_id: p.flowId, ...fields }, {}, { origin: SITE });

const projectSecret = (projectId: string) => `GetSecretValue ${process.env.SECRET_PREFIX}projects/${projectId}/signing-keys`;
const saveKeySecret = () => `GetSecretValue ${process.env.SAVE_KEY_SECRET}`;

it("a new instance's first save reads the project's settings and the save key at once, then writes", async () => {
  const p = await seedSavesProject();
  const saveToken = await saveTokenOf(p);
  restore = [sendTo(secretsManager, proxy.endpoint), sendTo(dynamodb, proxy.endpoint)];
  const event = fromPage('saveProgress', p, { save_token: saveToken, seq: 1, current_page_key: 'page_3', user_data: { step: 3 } });

  const reply = await invoke(browserSaves, event);

  expect(reply.status).toBe(200);
  expect(proxy.seen.map((s) => s.call).sort()).toEqual([projectSecret(p.projectId), saveKeySecret(), 'UpdateItem'].sort());
  // The second read arrived while the first was still in flight; the write came after both.
  const reads = proxy.seen.filter((s) => s.call.startsWith('GetSecretValue'));
  expect(reads[1].alongside).toEqual([reads[0].call]);
  expect(proxy.seen[2]).toEqual({ call: 'UpdateItem', alongside: [] });
}, 20_000);

it("a new instance's first link request reads the project's settings and the save key at once, before anything else", async () => {
  const p = await seedSavesProject();
  const saveToken = await saveTokenOf(p);
  cleanup.push(() => deleteEntry(`link-requests#${p.entryId}`));
  // What is watched is the first two reads; the request's later calls (its bounds' counts, mint's) each held a second would pass its deadline.
  await proxy.close();
  proxy = await startHoldingProxy(2);
  restore = [sendTo(secretsManager, proxy.endpoint), sendTo(dynamodb, proxy.endpoint)];
  const event = fromPage('linkRequests', p, { save_token: saveToken, channel: 'email' });

  const reply = await invoke(linkRequests, event);

  expect(reply.status).toBe(202);
  expect(
    proxy.seen
      .slice(0, 2)
      .map((s) => s.call)
      .sort(),
  ).toEqual([projectSecret(p.projectId), saveKeySecret()].sort());
  expect(proxy.seen[1].alongside).toEqual([proxy.seen[0].call]);
  // Mint signs with the project's secret as admission read it for this request: one read of it in all, not two.
  expect(proxy.seen.filter((s) => s.call === projectSecret(p.projectId))).toHaveLength(1);
}, 20_000);

it("a later link request reads the project's secret again for mint: a key replaced since the instance cached the project signs nothing", async () => {
  const p = await seedSavesProject();
  const old = credential({ algorithm: 'hmac-sha256' });
  await seedProject(p.projectId, [old], { allowed_origins: [SITE], browser_saves: true });
  const saveToken = await saveTokenOf(p);
  cleanup.push(() => deleteEntry(`link-requests#${p.entryId}`));
  // This instance reads the project (and signs with `old`) on a first request, and keeps its keys for the TTL.
  expect((await invoke(linkRequests, fromPage('linkRequests', p, { save_token: saveToken, channel: 'email' }))).status).toBe(202);
  // The credential is replaced behind the instance's back (no process-local notice): `old` revoked, a newer one active.
  const replacement = credential({ algorithm: 'hmac-sha256', created_at: new Date(Date.now() + 1_000).toISOString() });
  const { secret: _revoked, ...revoked } = old;
  await seedProject(p.projectId, [{ ...revoked, status: 'revoked', revoked_at: new Date().toISOString() }, replacement], {
    allowed_origins: [SITE],
    browser_saves: true,
  });
  await proxy.close();
  proxy = await startHoldingProxy(0);
  restore = [sendTo(secretsManager, proxy.endpoint), sendTo(dynamodb, proxy.endpoint)];
  const events = countCalls(eventBridge());

  try {
    const reply = await invoke(linkRequests, fromPage('linkRequests', p, { save_token: saveToken, channel: 'email' }));

    expect(reply.status).toBe(202);
    // Admission takes the cached settings; mint reads the secret for this request, as it stands now.
    expect(proxy.seen.filter((s) => s.call === projectSecret(p.projectId))).toHaveLength(1);
    const [entry] = (events.inputs[0] as { Entries: Array<{ Detail: string }> }).Entries;
    const token = new URL((JSON.parse(entry.Detail) as { url: string }).url).searchParams.get('token');
    expect(token?.split('.')[1]).toBe(replacement.credential_id);
  } finally {
    events.detach();
  }
}, 20_000);

it("a new instance's first resume of a browser-saves project reads the save key beside the entry, after the link verifies, then rotates the entry's save generation", async () => {
  const p = await seedSavesProject();
  restore = [sendTo(secretsManager, proxy.endpoint), sendTo(dynamodb, proxy.endpoint)];
  const body = { project_id: p.projectId, flow_id: p.flowId, entry_id: p.entryId, token: computeToken(p.secret, p.entryId, FUTURE), expires_at: FUTURE };

  const reply = await invoke(loadEntryData, loadEntryEvent(body, { origin: SITE }));

  expect(reply.status).toBe(200);
  expect(typeof (reply.json as { save_token?: unknown }).save_token).toBe('string');
  // The project's keys alone first: nothing else is read before the token verifies.
  expect(proxy.seen[0]).toEqual({ call: projectSecret(p.projectId), alongside: [] });
  expect(
    proxy.seen
      .slice(1, 3)
      .map((s) => s.call)
      .sort(),
  ).toEqual(['GetItem', saveKeySecret()].sort());
  expect(proxy.seen[2].alongside).toEqual([proxy.seen[1].call]);
  // A person's resume hands the save capability over: one conditional write, after the read it judged.
  expect(proxy.seen.slice(3).map((s) => s.call)).toEqual(['UpdateItem']);
}, 20_000);

it('a link that does not verify reads neither the entry nor the save key', async () => {
  const p = await seedSavesProject();
  restore = [sendTo(secretsManager, proxy.endpoint), sendTo(dynamodb, proxy.endpoint)];
  const body = {
    project_id: p.projectId,
    flow_id: p.flowId,
    entry_id: p.entryId,
    token: computeToken('not-the-secret', p.entryId, FUTURE),
    expires_at: FUTURE,
  };

  const reply = await invoke(loadEntryData, loadEntryEvent(body, { origin: SITE }));

  expect(reply.status).toBe(401);
  // The project's keys, just read, are not read again for the miss; nothing else is read.
  expect(proxy.seen.map((s) => s.call)).toEqual([projectSecret(p.projectId)]);
}, 20_000);
