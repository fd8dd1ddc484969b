import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import path from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DEFAULT_ROUTE, type FunctionName, ROUTE_LIST, routePath } from '../lambdas/http/routes';
import { type Environment, environmentOf, lambdaEnvironment, setting, SETTINGS, type Settings } from '../lambdas/runtime/environment';
import { logger } from '../lambdas/runtime/logger';
import type { AwsClients } from '../lambdas/adapters/clients';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { ApiError } from '../lambdas/domain/errors';
import { updateOptimistically } from '../lambdas/domain/optimistic-update';
import {
  type ActiveCredential,
  generateCredentialId,
  generateSecretValue,
  MAX_ALLOWED_ORIGINS,
  setAllowedOrigins,
  setBrowserSaves,
  settingsOwnerOf,
} from '../lambdas/domain/project-keys';
import { DEFAULT_ENVIRONMENT, environmentNames } from '../lambdas/adapters/naming';
import { computeToken } from '../lambdas/domain/token';
import { createApiServer, type HttpApiHandler, type LocalRoute, localRoutes } from './api-server';
import { SecretsManagerProjectStore } from '../lambdas/adapters/secrets-manager-project-store';
import { SecretsManagerLegacyKeyStore } from '../lambdas/adapters/secrets-manager-legacy-key-store';
import { createEntriesTable, ensureSaveKey, putEntry } from './bootstrap';
import { DynamoDbProjectIndex } from '../lambdas/adapters/dynamodb-project-index';
import { demoSite } from './demo-site';
import { emulatorConfig, emulatorCredentials, ensureEventBus, subscribe, watchBus } from './event-bus';
import { localData } from './local-data';
import { type Emulator, startMoto } from './moto';
import { listen, portFree } from './ports';

export { PortInUseError } from './ports';
import { sdkOptionsWithin } from './sdk-options';

const root = path.join(import.meta.dirname, '..');

export const DEMO = {
  projectId: 'proj_demo',
  flowId: 'flow_demo_onboarding',
  entryId: 'entry_demo_0001',
  currentPageKey: 'page_3',
  userData: { first_name: 'Ada', favourite_colour: 'green', plan: 'team', newsletter: true, seats: 5 },
} as const;

export interface LocalRuntimeOptions {
  /** API port; 0 picks a free one. */
  readonly port: number;
  /** Port of the legacy contract's Function URL stand-in; 0 picks a free one. */
  readonly legacyPort: number;
  readonly host?: string;
  /** Use this emulator instead of starting moto (AWS_ENDPOINT_URL). */
  readonly endpoint?: string;
  readonly log?: (line: string) => void;
  /** Told what the runtime is doing while it starts (a first run installs the emulator first). */
  readonly progress?: (line: string) => void;
  /** Told each event the deployment's bus delivered, as one line (`npm start` prints them). */
  readonly onEvent?: (line: string) => void;
  /** Other origins the demo page is served from (the e2e suite serves it from sites of its own), allowed to save for the demo project. */
  readonly demoOrigins?: readonly string[];
  /**
   * Keep the data in this folder between runs (local/local-data.ts): the moto this runtime starts records into it,
   * and replays the last run's writes at start. Not with `endpoint`: an emulator of one's own keeps its own data.
   */
  readonly dataDir?: string;
  /** With `dataDir`: forget the last run's data and start afresh. */
  readonly cleanData?: boolean;
  /** The port of the moto this runtime starts (default: a free one). */
  readonly emulatorPort?: number;
  /** The API server takes each request's source from `X-Forwarded-For` (ApiServerOptions.sourceFromForwardedFor): the load and soak drivers only. */
  readonly sourceFromForwardedFor?: boolean;
  /** The moto this runtime starts answers one request at a time, so its conditional writes are atomic as DynamoDB's (local/moto.ts). */
  readonly serialEmulator?: boolean;
  /** Settings the Lambdas get instead of the construct's defaults and of process.env's, e.g. `{ EARLY_RESUME_SECONDS: 0 }`. */
  readonly settings?: Settings;
  /** Where the Lambdas put their events (default: the emulator; AWS_ENDPOINT_URL_EVENTBRIDGE if set). */
  readonly eventBridgeEndpoint?: string;
  /**
   * The Lambdas' timeout (default: the deployed functions', 10 s), which sets their early answer and the budgets
   * derived from it (lambdas/runtime/deadline.ts: a resume's campaign note; the SDK's timeouts, sdkOptionsWithin). Tests of something else on a machine
   * slowed by load give it longer, as test/support/http.ts does for handlers called directly.
   */
  readonly functionTimeoutMs?: number;
}

/** The demo entry's link on the legacy contract, signed with the demo flow's legacy key. */
export interface DemoLegacyLink {
  readonly key: string;
  readonly token: string;
  /** The demo page restoring through the legacy snippet. */
  readonly link: string;
}

export interface LocalRuntime {
  readonly apiUrl: string;
  /** The legacy contract, served as a Lambda Function URL would (POST /). */
  readonly legacyUrl: string;
  readonly emulatorEndpoint: string;
  /** The deployment's EventBridge bus in the emulator. */
  readonly eventBusName: string;
  /** The demo flow page, served by the API server. */
  readonly demoUrl: string;
  /** With `dataDir`: how many writes of the last run were replayed (0 on a first or clean run). */
  readonly restoredWrites?: number;
  /** The environment variables the Lambdas were built from (their `fromEnvironment`), as the construct would set them. */
  readonly environment: Readonly<Record<string, string>>;
  /** The SDK clients every Lambda of the runtime sends through (pointed at the emulator): a test counts their calls. */
  readonly clients: AwsClients;
  /** `link`: the demo page with a resume link for the demo entry; `legacy`: the same through the legacy contract. */
  readonly demo: typeof DEMO & { secret: string; expiresAt: string; token: string; link: string; legacy: DemoLegacyLink };
  stop(): Promise<void>;
}

/**
 * The environment the Lambdas read, as the construct sets it in AWS: the
 * construct's defaults and this runtime's own names, then what the user set in
 * process.env (a non-empty variable), so a user can try other settings, then
 * the caller's `settings`. Passed to each Lambda's `fromEnvironment`:
 * process.env is left as it is.
 */
const localEnvironment = (settings: Settings): Record<string, string> => {
  // Like a stack of its own in AWS, each environment has its own secrets, table and bus: runtimes of two
  // environments (DEPLOYMENT_ENVIRONMENT=staging npm start) can share one emulator and nothing else.
  const environment = process.env.DEPLOYMENT_ENVIRONMENT || settings.DEPLOYMENT_ENVIRONMENT || DEFAULT_ENVIRONMENT;
  const own = environment === DEFAULT_ENVIRONMENT ? '' : `-${environment}`;
  const env = lambdaEnvironment({
    TABLE_NAME: `session-recovery-entries${own}`,
    EVENT_BUS_NAME: `session-recovery-local${own}`,
    // Expired-link events on, so a developer sees them; EXPIRED_LINK_EVENTS=false turns them off.
    EXPIRED_LINK_EVENTS: true,
    SECRET_PREFIX: environmentNames(environment).secretPrefix,
    DEPLOYMENT_ENVIRONMENT: environment,
  });
  // An empty variable is an unset one, as the Lambdas read it (runtime/environment.ts).
  for (const name of Object.keys(SETTINGS)) if (process.env[name]) env[name] = process.env[name];
  Object.assign(env, environmentOf(settings));
  // Where CloudFormation would have put it: under the deployment's secret prefix.
  env.SAVE_KEY_SECRET ||= `${setting('SECRET_PREFIX', env)}save-key${own}`;
  return env;
};

/** SDK clients pointed at the emulator, shared by every Lambda of the runtime as an instance's are by its handlers. */
const emulatorClients = (endpoint: string, eventBridgeEndpoint: string, functionTimeoutMs?: number): Required<AwsClients> & { destroy(): void } => {
  const options = {
    ...sdkOptionsWithin(functionTimeoutMs),
    endpoint,
    region: process.env.AWS_REGION || 'us-east-1',
    credentials: emulatorCredentials(),
  };
  const dynamodb = new DynamoDBClient(options);
  const secretsManager = new SecretsManagerClient(options);
  let eventBridge: EventBridgeClient | undefined;
  return {
    dynamodb,
    secretsManager,
    // As in AWS (adapters/event-bus.ts): one attempt.
    eventBridge: () => (eventBridge ??= new EventBridgeClient({ ...options, endpoint: eventBridgeEndpoint, maxAttempts: 1 })),
    destroy: () => {
      dynamodb.destroy();
      secretsManager.destroy();
      eventBridge?.destroy();
    },
  };
};

/** The demo's secrets: the project's Token Signing Secret and the demo flow's legacy key. */
interface DemoSecrets {
  readonly secret: string;
  readonly legacyKey: string;
}

/**
 * A legacy key for the demo flow, bound to the demo project, as `legacy import` stores it: the one stored, else a new
 * one, created only where none is, so that runtimes starting together against one emulator (test files in parallel)
 * agree on it rather than the last writer's replacing the key the others' links are signed with.
 */
const demoLegacyKey = async (store: SecretsManagerLegacyKeyStore): Promise<string> => {
  const stored = await store.read(DEMO.flowId);
  if (stored?.project_id === DEMO.projectId) return stored.secret;
  const fresh = `legacy_${randomBytes(32).toString('hex')}`;
  if (stored === undefined && (await store.create(DEMO.flowId, DEMO.projectId, fresh, new Date()))) return fresh;
  const now = await store.read(DEMO.flowId);
  if (now?.project_id === DEMO.projectId) return now.secret;
  // Retired, or bound to another project: replaced.
  await store.put(DEMO.flowId, DEMO.projectId, fresh, new Date());
  return fresh;
};

const seedDemo = async (env: Environment, { dynamodb, secretsManager: secrets }: AwsClients): Promise<DemoSecrets> => {
  const prefix = setting('SECRET_PREFIX', env);
  const environment = setting('DEPLOYMENT_ENVIRONMENT', env);
  const tableName = setting('TABLE_NAME', env);
  await ensureSaveKey(secrets, setting('SAVE_KEY_SECRET', env) as string);
  await createEntriesTable(dynamodb, tableName);
  // Keep the demo secrets across restarts against a long-running emulator.
  // The same read the credentials Lambda does.
  const store = new SecretsManagerProjectStore(secrets, prefix);
  const existing = (await store.read(DEMO.projectId))?.value.credentials.find(
    (c): c is ActiveCredential => c.environment === environment && c.status === 'active',
  );
  const secret = existing?.secret ?? generateSecretValue();
  if (!existing) {
    const demoCredential: ActiveCredential = {
      credential_id: generateCredentialId(),
      label: 'Demo Token Signing Secret',
      environment,
      created_at: new Date().toISOString(),
      status: 'active',
      secret,
    };
    await new DynamoDbProjectIndex(dynamodb, tableName).add(DEMO.projectId);
    // Added to what the secret holds: another environment sharing this secret prefix keeps its own credentials.
    await updateOptimistically(store, DEMO.projectId, (doc) => ({
      value: doc
        ? { ...doc, credentials: [...doc.credentials, demoCredential] }
        : { schema_version: 1 as const, project_id: DEMO.projectId, environment, credentials: [demoCredential] },
      result: undefined,
    }));
  }
  const legacyKey = await demoLegacyKey(new SecretsManagerLegacyKeyStore(secrets, prefix));
  await putEntry(dynamodb, tableName, {
    entryId: DEMO.entryId,
    projectId: DEMO.projectId,
    flowId: DEMO.flowId,
    currentPageKey: DEMO.currentPageKey,
    userData: DEMO.userData,
  });
  return { secret, legacyKey };
};

/**
 * The demo project takes browser saves from the demo page's origins, as a team
 * sets it up with `PUT …/allowed-origins` and `PUT …/browser-saves`. The origins
 * are added to those it lists already, in one compare-and-swap, so runtimes
 * sharing an emulator keep one another's.
 */
const allowDemoSaves = async (env: Environment, { secretsManager }: AwsClients, origins: readonly string[]): Promise<void> => {
  const store = new SecretsManagerProjectStore(secretsManager, setting('SECRET_PREFIX', env));
  const environment = setting('DEPLOYMENT_ENVIRONMENT', env);
  // Another environment sharing this secret prefix owns the demo project's settings: they stay its own.
  const owner = settingsOwnerOf((await store.read(DEMO.projectId))?.value);
  if (owner !== undefined && owner !== environment) return;
  // ... also when it took them while this runtime was starting (setAllowedOrigins refuses with 409 then).
  await updateOptimistically(store, DEMO.projectId, (doc) => {
    const listed = [...new Set([...origins, ...(doc?.allowed_origins ?? []).filter((o) => o !== '*')])].slice(0, MAX_ALLOWED_ORIGINS);
    return {
      value: setBrowserSaves(DEMO.projectId, setAllowedOrigins(DEMO.projectId, doc, listed, environment), true, doc?.sms_countries ?? [], environment),
      result: undefined,
    };
  }).catch((error: unknown) => {
    if (!(error instanceof ApiError && error.code === 'conflict')) throw error;
  });
};

/** The demo page with a resume link in its query string, as a team's backend builds it (URL-encoded). */
const demoLink = (demoUrl: string, params: Record<string, string>): string => {
  const link = new URL(demoUrl);
  for (const [name, value] of Object.entries(params)) link.searchParams.set(name, value);
  return link.href;
};

/**
 * A Lambda's factory (lambdas/<name>/handler.ts), as its index.ts calls it in AWS: `createHandler(fromEnvironment())`.
 * A factory whose budgets inside a request derive from the function's timeout (lambdas/runtime/deadline.ts) takes it
 * third; the others ignore it.
 */
interface LambdaFactory {
  fromEnvironment(env: Environment, clients: AwsClients, functionTimeoutMs?: number): unknown;
  createHandler(deps: unknown): HttpApiHandler;
}

/** What every Lambda of a runtime is built from: its environment, its clients, and its timeout (undefined: the deployed one). */
interface Build {
  readonly env: Environment;
  readonly clients: AwsClients;
  readonly functionTimeoutMs?: number;
}

/** The Lambda `name`, built from this runtime's environment, clients and timeout: nothing goes through process.env. */
const loadHandler = async (name: FunctionName, { env, clients, functionTimeoutMs }: Build): Promise<HttpApiHandler> => {
  const factory = (await import(path.join(root, 'lambdas', name, 'handler.ts'))) as LambdaFactory;
  return factory.createHandler(factory.fromEnvironment(env, clients, functionTimeoutMs));
};

const loadHandlers = async (build: Build): Promise<Record<string, HttpApiHandler>> => {
  const names = [...new Set(ROUTE_LIST.map((r) => r.fn))] as FunctionName[];
  const handlers: Record<string, HttpApiHandler> = {};
  for (const name of names) handlers[name] = await loadHandler(name, build);
  return handlers;
};

const close = async (server: Server): Promise<void> => {
  if (!server.listening) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
};

/**
 * Starts the whole product on loopback: the emulator (unless one is given), the
 * table, a demo project, flow and entry, and the API serving the same handlers
 * the Lambdas export.
 */
export const startLocalRuntime = async (options: LocalRuntimeOptions): Promise<LocalRuntime> => {
  const host = options.host ?? '127.0.0.1';
  // Before anything starts: a second runtime on the same ports stops here, having started no emulator and touched no data.
  await portFree('api', options.port, host);
  await portFree('legacy', options.legacyPort, host);
  let emulator: Emulator | undefined;
  const data = options.dataDir && !options.endpoint ? localData(options.dataDir, { clean: options.cleanData }) : undefined;
  if (!options.endpoint) options.progress?.('Starting the AWS emulator (moto) on 127.0.0.1...');
  const endpoint =
    options.endpoint ??
    (emulator = await startMoto({ port: options.emulatorPort, environment: data?.motoEnvironment, serial: options.serialEmulator })).endpoint;
  const servers: Server[] = [];
  let clients: ReturnType<typeof emulatorClients> | undefined;
  let stopWatching: (() => Promise<void>) | undefined;
  try {
    let restoredWrites: number | undefined;
    if (data) {
      if (data.restoring) options.progress?.(`Restoring the data of the last run from ${path.relative(process.cwd(), options.dataDir!) || '.'}...`);
      restoredWrites = await data.replay(endpoint);
    }
    const env = localEnvironment(options.settings ?? {});
    // AWS_ENDPOINT_URL_EVENTBRIDGE, as the SDK reads it, points the Lambdas' event bus elsewhere (a test's stalled one).
    clients = emulatorClients(endpoint, options.eventBridgeEndpoint ?? (process.env.AWS_ENDPOINT_URL_EVENTBRIDGE || endpoint), options.functionTimeoutMs);
    // The Lambdas' logger, as a function's log level sets it: quiet locally unless AWS_LAMBDA_LOG_LEVEL says otherwise.
    logger.setLevel(process.env.AWS_LAMBDA_LOG_LEVEL || 'WARN');
    options.progress?.('Creating the entries table, the event bus and the demo project, flow, entry and legacy key...');
    const { secret, legacyKey } = await seedDemo(env, clients);
    const build: Build = { env, clients, functionTimeoutMs: options.functionTimeoutMs };
    const eventBusName = setting('EVENT_BUS_NAME', env) as string;
    const aws = emulatorConfig(endpoint);
    await ensureEventBus(aws, eventBusName);
    if (options.onEvent) stopWatching = watchBus(await subscribe(aws, eventBusName), options.onEvent);
    let legacyUrl = '';
    let apiUrl = '';
    // Filled once the server listens: mint reads where short links are served (this server) when it loads.
    const routes: LocalRoute[] = [];
    const server = createApiServer(routes, {
      onRequest: options.log,
      sourceFromForwardedFor: options.sourceFromForwardedFor,
      defaultRoute: { method: '*', path: '*', functionName: DEFAULT_ROUTE.fn, handler: await loadHandler(DEFAULT_ROUTE.fn, build), access: 'public' },
      earlyResumeSeconds: setting('EARLY_RESUME_SECONDS', env),
      functionTimeoutMs: options.functionTimeoutMs,
      // The demo page calls this same server (same origin), through the same public routes as any page.
      fallback: demoSite(() => ({ apiUrl: '', legacyUrl, projectId: DEMO.projectId, flowId: DEMO.flowId })),
    });
    servers.push(server);
    const apiPort = await listen(server, 'api', options.port, host);
    apiUrl = `http://${host}:${apiPort}`;
    // The demo page's own origin is the API's, by its address or by the name localhost.
    await allowDemoSaves(env, clients, [apiUrl, `http://localhost:${apiPort}`, ...(options.demoOrigins ?? [])]);
    env.CURRENT_ENDPOINT_URL ??= `${apiUrl}${routePath('loadEntryData')}`;
    // Locally, short links are served on the API port, as in AWS on the API's URL without a shortLinkDomain.
    env.SHORT_LINK_BASE_URL ??= apiUrl;
    routes.push(...localRoutes(ROUTE_LIST, await loadHandlers(build)));
    const legacyFn = 'legacy-load-entry-data';
    // A Function URL with no auth: the legacy contract is called from browsers, like the public routes.
    const legacyRoute = { method: '*', path: '*', functionName: legacyFn, handler: await loadHandler(legacyFn, build), access: 'public' } as const;
    const legacyLog = (line: string) => options.log?.(`[legacy] ${line}`);
    const legacyServer = createApiServer([legacyRoute], {
      onRequest: legacyLog,
      functionTimeoutMs: options.functionTimeoutMs,
      sourceFromForwardedFor: options.sourceFromForwardedFor,
    });
    servers.push(legacyServer);
    legacyUrl = `http://${host}:${await listen(legacyServer, 'legacy', options.legacyPort, host)}`;
    const expiresAt = new Date(Date.now() + 7 * 24 * 3600 * 1000).toISOString();
    const token = computeToken(secret, DEMO.entryId, expiresAt);
    const legacyToken = computeToken(legacyKey, DEMO.entryId, expiresAt);
    const demoUrl = `${apiUrl}/demo/`;
    const linkParams = { entry_id: DEMO.entryId, expires_at: expiresAt };
    return {
      apiUrl,
      legacyUrl,
      restoredWrites,
      environment: env,
      clients,
      emulatorEndpoint: endpoint,
      eventBusName,
      demoUrl,
      demo: {
        ...DEMO,
        secret,
        expiresAt,
        token,
        link: demoLink(demoUrl, { token, ...linkParams }),
        legacy: { key: legacyKey, token: legacyToken, link: demoLink(demoUrl, { snippet: 'legacy', token: legacyToken, ...linkParams }) },
      },
      stop: async () => {
        await Promise.all(servers.map(close));
        await stopWatching?.();
        clients?.destroy();
        await emulator?.stop();
      },
    };
  } catch (error) {
    await stopWatching?.();
    await Promise.all(servers.map(close));
    clients?.destroy();
    await emulator?.stop();
    throw error;
  }
};
