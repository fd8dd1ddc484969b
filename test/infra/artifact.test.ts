import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { dynamodb, secretsManager } from '../../lambdas/adapters/clients';
import { LINK_REQUESTS_KEY_PREFIX, shortLinkKey } from '../../lambdas/adapters/naming';
import { generateShortCode } from '../../lambdas/domain/short-links';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { computeToken } from '../../lambdas/domain/token';
import { emulatorConfig, subscribe } from '../../local/event-bus';
import { loadEntryEvent } from '../fixtures/events';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { routeEvent } from '../fixtures/admin-events';
import { credential, deleteEntry, deleteProject, seedProject, seedScenario, uid } from '../support/seed';
import { registerSensitive, registerSensitiveBody } from '../support/sensitive';
import { startStalledEndpoint } from '../support/stalled-endpoint';
import { sharedAssembly } from '../support/assembly';

/*
 * What `cdk deploy` uploads, run the way Lambda's nodejs24.x runtime runs it:
 * each public Lambda's asset, from a synthesized cloud assembly, alone in a task
 * folder with no node_modules; the AWS SDK only in a separate folder on NODE_PATH
 * (the runtime's /var/runtime/node_modules); stock Node, no loader, no test
 * transform. AWS is moto. Each run also says what the process loaded from that
 * folder: nothing, since every SDK client is bundled (lib/constructs/bundling.ts).
 */

const root = path.join(import.meta.dirname, '..', '..');
const work = mkdtempSync(path.join(tmpdir(), 'sr-artifact-'));
const FUTURE = '2099-05-01T00:00:00.000Z';
const SECRET_PREFIX = process.env.SECRET_PREFIX as string;

interface FunctionResource {
  Properties: { Handler: string; Code: { S3Key: string }; Environment: { Variables: Record<string, unknown> } };
}

// The run's one bundled synthesis (test/support/assembly.ts), under this run's secret prefix.
let outdir: string;
let resources: Record<string, { Type: string } & FunctionResource>;
let assetFiles: Record<string, { source: { path: string } }>;

/** The runtime's SDK folder: @aws-sdk/client-secrets-manager and everything it depends on, copied from node_modules. */
const runtimeModules = path.join(work, 'runtime', 'node_modules');
const packageDir = (name: string, from: string): string => {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`${name} is not installed`);
  }
};
const copyWithDependencies = (name: string, from: string, copied = new Set<string>()): void => {
  const dir = packageDir(name, from);
  if (copied.has(dir)) return;
  copied.add(dir);
  cpSync(dir, path.join(runtimeModules, path.relative(path.join(root, 'node_modules'), dir)), { recursive: true, dereference: true });
  const { dependencies = {} } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dependency of Object.keys(dependencies)) copyWithDependencies(dependency, dir, copied);
};
/** Copies the asset of the template's function whose logical id starts with `prefix` into a task folder of its own. */
const taskFor = (prefix: string) => {
  const [logicalId, fn] = Object.entries(resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix)) ?? [];
  if (!logicalId || !fn) throw new Error(`no function ${prefix} in the template`);
  const asset = assetFiles[fn.Properties.Code.S3Key.replace(/\.zip$/, '')];
  const dir = path.join(work, 'tasks', logicalId);
  mkdirSync(dir, { recursive: true });
  cpSync(path.join(outdir, asset.source.path), dir, { recursive: true });
  return { logicalId, dir, handler: fn.Properties.Handler, variables: fn.Properties.Environment.Variables };
};
type Task = ReturnType<typeof taskFor>;
let current: Task;
let legacy: Task;
let saves: Task;
let shortLinks: Task;
let linkRequests: Task;
beforeAll(async () => {
  ({ outdir } = await sharedAssembly());
  resources = (JSON.parse(readFileSync(path.join(outdir, 'SessionRecovery.template.json'), 'utf8')) as { Resources: typeof resources }).Resources;
  assetFiles = (JSON.parse(readFileSync(path.join(outdir, 'SessionRecovery.assets.json'), 'utf8')) as { files: typeof assetFiles }).files;
  copyWithDependencies('@aws-sdk/client-secrets-manager', root);
  current = taskFor('SessionRecoveryLoadEntryData');
  legacy = taskFor('SessionRecoveryLegacyLoadEntryData');
  saves = taskFor('SessionRecoveryBrowserSaves');
  shortLinks = taskFor('SessionRecoveryShortLinks');
  linkRequests = taskFor('SessionRecoveryLinkRequests');
}, 180_000);

/** Values CloudFormation would fill in (references to the table and the API). */
const RESOLVED: Record<string, string> = {
  TABLE_NAME: process.env.TABLE_NAME as string,
  SAVE_KEY_SECRET: process.env.SAVE_KEY_SECRET as string,
  CURRENT_ENDPOINT_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com/v1/load-entry-data',
  SHORT_LINK_BASE_URL: 'https://abc123.execute-api.us-east-1.amazonaws.com',
  EVENT_BUS_NAME: process.env.EVENT_BUS_NAME as string,
};

/**
 * The artifacts run with the template's settings, so with the default per-source bounds (20 link requests an hour):
 * their requests come from an address of this file's own (TEST-NET-2), not the 127.0.0.1 other files' requests count under.
 */
const OWN_SOURCE = `198.51.100.${1 + Math.floor(Math.random() * 254)}`;
const fromOwnSource = (event: APIGatewayProxyEventV2): APIGatewayProxyEventV2 => ({
  ...event,
  requestContext: { ...event.requestContext, http: { ...event.requestContext.http, sourceIp: OWN_SOURCE } },
});

/** Runs `events` through the task's handler in a fresh stock Node process with Lambda's environment (plus `extraEnv`). */
const run = (task: Task, events: APIGatewayProxyEventV2[], extraEnv: Record<string, string> = {}) => {
  const variables = Object.fromEntries(
    Object.entries(task.variables).map(([key, value]) => {
      const resolved = typeof value === 'string' ? value : RESOLVED[key];
      if (resolved === undefined) throw new Error(`${task.logicalId}: no value for ${key}`);
      return [key, resolved];
    }),
  );
  const child = spawn(process.execPath, [path.join(import.meta.dirname, '..', 'support', 'run-handler.mjs'), task.handler], {
    cwd: task.dir,
    env: {
      PATH: process.env.PATH,
      NODE_PATH: runtimeModules,
      LAMBDA_TASK_ROOT: task.dir,
      AWS_LAMBDA_FUNCTION_NAME: task.logicalId,
      AWS_REGION: process.env.AWS_REGION,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY,
      AWS_ENDPOINT_URL: process.env.AWS_ENDPOINT_URL,
      AWS_LAMBDA_LOG_LEVEL: process.env.AWS_LAMBDA_LOG_LEVEL,
      ...variables,
      ...extraEnv,
      HANDLER_EVENTS: JSON.stringify(events.map(fromOwnSource)),
    },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '', report: '' };
  child.stdout!.on('data', (chunk: Buffer) => (output.stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output.stderr += chunk.toString()));
  child.stdio[3]!.on('data', (chunk: Buffer) => (output.report += chunk.toString()));
  return new Promise<{ replies: Array<{ status: number; headers: Record<string, string>; json: unknown; ms: number }>; fromNodePath: string[] }>(
    (resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        // Its log lines join the run's log scan (test/setup/log-capture.ts), like every other Lambda line.
        for (const line of `${output.stdout}${output.stderr}`.split('\n').filter((l) => l.startsWith('{"'))) process.stdout.write(`${line}\n`);
        if (code !== 0 || !output.report) {
          reject(new Error(`${task.logicalId} exited with ${code}: ${output.stderr}`));
          return;
        }
        const { results, fromNodePath } = JSON.parse(output.report) as {
          results: Array<{ result: APIGatewayProxyStructuredResultV2; ms: number }>;
          fromNodePath: string[];
        };
        resolve({
          replies: results.map(({ result, ms }) => {
            const json: unknown = result.body ? JSON.parse(result.body) : undefined;
            registerSensitiveBody(json);
            const headers = Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
            return { status: result.statusCode ?? 200, headers, json, ms };
          }),
          fromNodePath,
        });
      });
    },
  );
};

type Scenario = Awaited<ReturnType<typeof seedScenario>>;
let s: Scenario;
let legacyKey: string;
const legacyKeys = new SecretsManagerLegacyKeyStore(secretsManager, SECRET_PREFIX);
/** A project that takes browser saves from SITE. */
const SITE = 'https://quiz.example';
const savesProject = uid('proj');
const savedEntries: string[] = [];
beforeAll(async () => {
  s = await seedScenario({ colour: 'teal', seats: 3 });
  legacyKey = `legacy-${uid('k')}`;
  registerSensitive(legacyKey);
  await legacyKeys.put(s.flowId, s.projectId, legacyKey, new Date());
  await seedProject(savesProject, [credential()], { allowed_origins: [SITE], browser_saves: true });
});
afterAll(async () => {
  await s?.cleanup();
  await legacyKeys.retire(s.flowId);
  for (const entryId of savedEntries) await deleteEntry(entryId);
  await deleteProject(savesProject);
  rmSync(work, { recursive: true, force: true });
});

const resumeBody = (token: string) => ({ flow_id: s.flowId, project_id: s.projectId, entry_id: s.entryId, token, expires_at: FUTURE });
const legacyBody = (token: string) => ({ flow_id: s.flowId, entry_id: s.entryId, token, expires: FUTURE });
/** The same token with its last hex digit changed. */
const tampered = (token: string) => `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;

describe('the deployed artifact of each public Lambda, run as nodejs24.x runs it', () => {
  it('is the bundle alone: no node_modules beside it, and no source map (none is shipped, see lib/constructs/bundling.ts)', () => {
    for (const task of [current, legacy, saves, linkRequests, shortLinks]) {
      expect(task.handler).toBe('index.handler');
      expect(readdirSync(task.dir)).toEqual(['index.mjs']);
      expect(readFileSync(path.join(task.dir, 'index.mjs'), 'utf8')).not.toContain('sourceMappingURL');
    }
  });

  it("load-entry-data: a valid resume gives 200 with the entry, a tampered token 401, and nothing is loaded from the runtime's SDK", async () => {
    const token = computeToken(s.credential.secret, s.entryId, FUTURE);
    registerSensitive(token);
    const {
      replies: [valid, bad],
      fromNodePath,
    } = await run(current, [loadEntryEvent(resumeBody(token)), loadEntryEvent(resumeBody(tampered(token)))]);
    expect([valid.status, valid.json]).toEqual([200, { entry: { colour: 'teal', seats: 3, entry_id: s.entryId, current_page_key: 'page_2' } }]);
    expect([bad.status, bad.json]).toEqual([
      401,
      { error: { code: 'invalid_token', message: 'The link is not valid: its token does not match. Ask for a new link.' } },
    ]);
    expect(fromNodePath).toEqual([]);
  }, 30_000);

  it("legacy-load-entry-data: a valid resume gives 200 with the entry, a tampered token 401, and nothing is loaded from the runtime's SDK", async () => {
    const token = computeToken(legacyKey, s.entryId, FUTURE);
    registerSensitive(token);
    const {
      replies: [valid, bad],
      fromNodePath,
    } = await run(legacy, [functionUrlEvent('POST', '/', legacyBody(token)), functionUrlEvent('POST', '/', legacyBody(tampered(token)))]);
    expect([valid.status, valid.json]).toEqual([200, { entry: { colour: 'teal', seats: 3, entry_id: s.entryId, current_page_key: 'page_2' } }]);
    expect([bad.status, bad.json]).toEqual([
      401,
      { error: { code: 'invalid_token', message: 'The link is not valid: its token does not match. Ask for a new link.' } },
    ]);
    expect(fromNodePath).toEqual([]);
  }, 30_000);

  it("browser-saves: a page on an allowed origin creates an entry and saves to it; a tampered save token gets 401; nothing is loaded from the runtime's SDK", async () => {
    const page = { origin: SITE, 'content-type': 'text/plain;charset=UTF-8' };
    const draft = { project_id: savesProject, flow_id: s.flowId, current_page_key: 'page_1', user_data: { colour: 'teal' } };
    const {
      replies: [made],
      fromNodePath,
    } = await run(saves, [routeEvent('createEntry', {}, draft, {}, page)]);
    expect(fromNodePath).toEqual([]);
    expect(made.status).toBe(201);
    const { entry_id, save_token } = made.json as { entry_id: string; save_token: string };
    savedEntries.push(entry_id);
    registerSensitive(save_token);
    const progress = (token: string, seq: number) =>
      routeEvent('saveProgress', { entry_id }, { ...draft, save_token: token, seq, current_page_key: 'page_2' }, {}, page);
    const {
      replies: [saved, bad],
    } = await run(saves, [progress(save_token, 1), progress(`${save_token.slice(0, -1)}${save_token.endsWith('A') ? 'E' : 'A'}`, 2)]);
    expect([saved.status, saved.json]).toEqual([200, { seq: 1 }]);
    expect([bad.status, (bad.json as { error: { code: string } }).error.code]).toEqual([401, 'invalid_save_token']);
  }, 30_000);

  it("link-requests: a page's request for a link gets 202 and puts one event on the bus with the EventBridge client bundled in it; nothing is loaded from the runtime's SDK", async () => {
    const page = { origin: SITE, 'content-type': 'text/plain;charset=UTF-8' };
    const draft = { project_id: savesProject, flow_id: s.flowId, current_page_key: 'page_1', user_data: {} };
    const {
      replies: [made],
    } = await run(saves, [routeEvent('createEntry', {}, draft, {}, page)]);
    const { entry_id, save_token } = made.json as { entry_id: string; save_token: string };
    savedEntries.push(entry_id, `${LINK_REQUESTS_KEY_PREFIX}${entry_id}`);
    registerSensitive(save_token);
    const bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), process.env.EVENT_BUS_NAME!);
    try {
      const body = { project_id: savesProject, flow_id: s.flowId, save_token, channel: 'email' };
      const {
        replies: [asked],
        fromNodePath,
      } = await run(linkRequests, [routeEvent('linkRequests', { entry_id }, body, {}, page)]);
      expect(fromNodePath).toEqual([]);
      expect(asked.status).toBe(202);
      const events = (await bus.drain()).filter((e) => e.detail.entry_id === entry_id);
      expect(events.map((e) => [e['detail-type'], e.detail.channel, e.detail.expires_at])).toEqual([
        ['Resume Link Requested', 'email', (asked.json as { expires_at: string }).expires_at],
      ]);
    } finally {
      await bus.close();
    }
  }, 30_000);

  it('short-links: a stored code redirects (GET and HEAD), an unknown one gets 404', async () => {
    const code = generateShortCode();
    const url = `https://quiz.example/flow?entry_id=${s.entryId}`;
    registerSensitive(code);
    await dynamodb.send(
      new PutItemCommand({
        TableName: process.env.TABLE_NAME,
        Item: {
          entry_id: { S: shortLinkKey(code) },
          url: { S: url },
          retain_until: { N: String(Math.floor(Date.now() / 1000) + 3600) },
          project_id: { S: s.projectId },
        },
      }),
    );
    try {
      const {
        replies: [get, head, unknown],
        fromNodePath,
      } = await run(shortLinks, [
        routeEvent('followShortLink', { code }),
        routeEvent('checkShortLink', { code }),
        routeEvent('followShortLink', { code: generateShortCode() }, undefined, {}, { accept: 'application/json' }),
      ]);
      expect(fromNodePath).toEqual([]);
      expect([get.status, get.headers.location, get.headers['cache-control'], get.headers['referrer-policy']]).toEqual([302, url, 'no-store', 'no-referrer']);
      expect([head.status, head.headers.location]).toEqual([302, url]);
      expect([unknown.status, (unknown.json as { error: { code: string } }).error.code]).toEqual([404, 'not_found']);
    } finally {
      await deleteEntry(shortLinkKey(code));
    }
  }, 30_000);

  it('load-entry-data with a DynamoDB that accepts connections and never answers: 503 with Retry-After within the 8 s retry budget', async () => {
    // The bundled HTTP handler's timeout (the keys come from moto: only DynamoDB stalls).
    const stalled = await startStalledEndpoint();
    try {
      const {
        replies: [reply],
      } = await run(current, [loadEntryEvent(resumeBody(computeToken(s.credential.secret, s.entryId, FUTURE)))], {
        AWS_ENDPOINT_URL_DYNAMODB: stalled.endpoint,
      });
      expect([reply.status, reply.headers['retry-after'], reply.json]).toEqual([
        503,
        '1',
        { error: { code: 'service_unavailable', message: 'The service is busy. Retry shortly.' } },
      ]);
      expect(reply.ms).toBeLessThan(8_000);
      expect(stalled.connections).toHaveLength(3);
    } finally {
      await stalled.close();
    }
  }, 30_000);
});
