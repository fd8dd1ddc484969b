/**
 * `npm start`: runs session-recovery on 127.0.0.1 against an AWS emulator.
 * PORT (default 3000) sets the API port and LEGACY_PORT (default 3001) the legacy
 * contract's; AWS_ENDPOINT_URL points at an emulator
 * you already run instead of starting moto. Ctrl-C stops everything it started.
 * The data is kept in .local-data/ between runs; `npm start -- --clean` starts afresh.
 */
import path from 'node:path';
import { PortInUseError, portFree } from './ports';
import type { LocalRuntime } from './runtime';

/** Where `npm start` keeps its data between runs (git ignores it). */
const DATA_DIR = path.join(import.meta.dirname, '..', '.local-data');

// Whatever reads the output (a terminal, a pipe) may go away first: what is left to print is dropped.
for (const stream of [process.stdout, process.stderr]) stream.on('error', () => undefined);

/** What `npm start` says when it cannot start: one line, no stack trace. */
const fail = (line: string): never => {
  console.error(line);
  process.exit(1);
};

const portFrom = (variable: 'PORT' | 'LEGACY_PORT', fallback: number): number => {
  const value = process.env[variable] || String(fallback);
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) fail(`${variable} must be a port number from 0 to 65535, not "${value}".`);
  return port;
};

const args = process.argv.slice(2);
const unknown = args.find((arg) => arg !== '--clean');
if (unknown !== undefined) fail(`npm start takes one option, --clean (start with none of the data earlier runs kept), not ${unknown}.`);
const clean = args.includes('--clean');

const port = portFrom('PORT', 3000);
const legacyPort = portFrom('LEGACY_PORT', 3001);
// An empty AWS_ENDPOINT_URL means none: never fall through to real AWS endpoints from the local runtime.
const userEndpoint = process.env.AWS_ENDPOINT_URL || undefined;

console.log(`Starting session-recovery on 127.0.0.1 (API port ${port}, legacy port ${legacyPort})...`);

let started: LocalRuntime | undefined;
let stopping = false;
const stop = async (signal: string): Promise<void> => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping the API and the emulator...`);
  // Still starting: exiting is enough, since moto stops on this process's exit.
  await started?.stop();
  process.exit(0);
};
// Before anything starts, so a signal at any moment stops moto. SIGHUP is a closed terminal.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));

/** What `npm start` says when a port is taken: the variable that sets it, and another port to try. */
const refusePortInUse = (error: unknown): never => {
  if (!(error instanceof PortInUseError)) throw error;
  const variable = error.server === 'api' ? 'PORT' : 'LEGACY_PORT';
  const other = error.port <= 65435 ? error.port + 100 : error.port - 100;
  return fail(`Port ${error.port} is in use: set ${variable} to another port (e.g. ${variable}=${other} npm start).`);
};

// The ports before the runtime is even loaded (the Lambdas, the SDK, the emulator's client): a refusal is at once.
await portFree('api', port, '127.0.0.1').catch(refusePortInUse);
await portFree('legacy', legacyPort, '127.0.0.1').catch(refusePortInUse);
const { startLocalRuntime } = await import('./runtime');
const runtime = await startLocalRuntime({
  port,
  legacyPort,
  endpoint: userEndpoint,
  dataDir: DATA_DIR,
  cleanData: clean,
  log: (line) => console.log(`  ${new Date().toISOString()} ${line}`),
  onEvent: (line) => console.log(`  ${new Date().toISOString()} ${line}`),
  progress: (line) => console.log(line),
  // No resume is early by its timing here (in AWS, one within 30 s of the mint is a mail scanner's), so a campaign
  // link a developer opens at once counts as a person's; EARLY_RESUME_SECONDS=30 npm start counts as AWS does.
  settings: process.env.EARLY_RESUME_SECONDS ? {} : { EARLY_RESUME_SECONDS: 0 },
  // startLocalRuntime has stopped the emulator it started before it rejects (a port taken since the check above).
}).catch(refusePortInUse);
started = runtime;
const { demo } = runtime;
const body = JSON.stringify({
  flow_id: demo.flowId,
  project_id: demo.projectId,
  entry_id: demo.entryId,
  token: demo.token,
  expires_at: demo.expiresAt,
});
const legacyBody = JSON.stringify({ flow_id: demo.flowId, entry_id: demo.entryId, token: demo.legacy.token, expires: demo.expiresAt });

console.log(`
session-recovery is running locally.

  Demo page      ${runtime.demoUrl}  (open it in a browser: a 3-page questionnaire that saves from the browser as you go; a stand-in for your backend mints its links)
  API            ${runtime.apiUrl}
  load-entry     POST ${runtime.apiUrl}/v1/load-entry-data
  legacy         POST ${runtime.legacyUrl}/  (the deprecated load_entry_data contract, as its Function URL)
  AWS emulator   ${runtime.emulatorEndpoint}${userEndpoint ? ' (yours, from AWS_ENDPOINT_URL)' : ' (moto, started by this process)'}
  Event bus      ${runtime.eventBusName}  (each event it delivers is printed below: "Send me a link" on the demo page puts one)
  Local data     ${
    userEndpoint
      ? 'in your emulator, which keeps it as it does'
      : `kept in .local-data/ between runs (${runtime.restoredWrites ? `${runtime.restoredWrites} writes of the last run restored` : clean ? 'started afresh: --clean' : 'nothing from an earlier run'}); npm start -- --clean starts afresh`
  }

Settings that npm start changes from AWS's defaults (the Lambdas' own environment variables: set one to change it):
  EXPIRED_LINK_EVENTS=${runtime.environment.EXPIRED_LINK_EVENTS}  ${
    runtime.environment.EXPIRED_LINK_EVENTS === 'true'
      ? 'a valid link opened after its expiry puts a "Resume Link Expired" event on the bus (off in AWS unless expiredLinkEvents)'
      : 'as in AWS by default'
  }
  EARLY_RESUME_SECONDS=${runtime.environment.EARLY_RESUME_SECONDS}  ${
    runtime.environment.EARLY_RESUME_SECONDS === '0'
      ? "a campaign link's resume counts as early (a scanner's) by its User-Agent only, never by its timing (30 s in AWS)"
      : `a campaign link's resume within ${runtime.environment.EARLY_RESUME_SECONDS} s of the mint counts as early (a scanner's)`
  }; each resume line below says human or early

Demo project   ${demo.projectId} (browser saves on, from the demo page's origins)
Demo flow      ${demo.flowId}
Demo entry     ${demo.entryId} (saved on ${demo.currentPageKey})
Demo Token Signing Secret (local only, never use it anywhere else):
  ${demo.secret}

Open the demo entry's resume link in a browser (another browser or a private window plays "another device"):
  ${demo.link}

Or resume it with curl:
  curl -sS -X POST '${runtime.apiUrl}/v1/load-entry-data' -H 'Content-Type: application/json' -d '${body}'

The legacy contract, with the demo flow's legacy key (local only, bound to ${demo.projectId}):
  ${demo.legacy.key}
  Demo page, legacy snippet:  ${demo.legacy.link}
  curl -sS -X POST '${runtime.legacyUrl}/' -H 'Content-Type: application/json' -d '${legacyBody}'

Admin routes (IAM-authorized in AWS; here open to your backend, curl and the CLI, never to a page on another origin), e.g. with the CLI:
  npm run cli -- --endpoint ${runtime.apiUrl} credentials create --project proj_mine --label "Token Signing Secret"
  npm run cli -- --endpoint ${runtime.apiUrl} entries put --entry entry_1 --project proj_mine --flow flow_1 --page page_2 --data '{"name":"Ada"}'
  npm run cli -- --endpoint ${runtime.apiUrl} mint --project proj_mine --entry entry_1 --resume-url http://localhost:8080/flow
  npm run cli -- --endpoint ${runtime.apiUrl} resume --project proj_mine --flow flow_1 '<the link mint printed>'

Press Ctrl-C to stop.
`);
