import { type ChildProcessWithoutNullStreams, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { computeToken } from '../../lambdas/domain/token';
import { send } from '../attack/support';
import { uid } from '../support/seed';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
// Node's arguments and the script, read from package.json's `start` (its last command: the Node check runs first), so the test runs what `npm start` runs.
const [NODE, ...START_ARGS] = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start
  .split('&&')
  .at(-1)!
  .trim()
  .split(' ');
if (NODE !== 'node') throw new Error('package.json: `start` no longer runs node; update this test');
const NODE_ARGS = START_ARGS.slice(0, -1);
const START_SCRIPT = path.join(root, START_ARGS.at(-1)!);

interface Exit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * An event bus of this file's own in the run's moto: `npm start` prints each event its bus delivers, and other
 * test files, in other Jest workers, put events on the run's bus meanwhile.
 */
const OWN_BUS = { EVENT_BUS_NAME: uid('bus') };

/** Runs `npm start`'s script to its end, against this test run's moto (AWS_ENDPOINT_URL), so it starts none of its own. */
const npmStart = async (env: Record<string, string>, args: string[] = []): Promise<Exit> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [...NODE_ARGS, START_SCRIPT, ...args], {
      cwd: root,
      env: { ...process.env, ...OWN_BUS, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

let taken: Server;
let takenPort: number;
beforeAll(async () => {
  taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
  takenPort = (taken.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise<void>((resolve) => taken.close(() => resolve()));
});

describe('npm start, when it cannot start', () => {
  it.each([
    ['PORT', { PORT: 'taken', LEGACY_PORT: '0' }],
    ['LEGACY_PORT', { PORT: '0', LEGACY_PORT: 'taken' }],
  ])('names %s and the port in one line when the port is in use, and exits 1', async (variable, ports) => {
    const env = Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, v === 'taken' ? String(takenPort) : v]));
    const result = await npmStart(env);
    const other = takenPort <= 65435 ? takenPort + 100 : takenPort - 100;
    expect(result).toEqual({
      code: 1,
      // The ports are checked first: nothing was started or seeded (a second `npm start` leaves the first one's data alone).
      stdout: `Starting session-recovery on 127.0.0.1 (API port ${env.PORT}, legacy port ${env.LEGACY_PORT})...\n`,
      stderr: `Port ${takenPort} is in use: set ${variable} to another port (e.g. ${variable}=${other} npm start).\n`,
    });
  });

  it.each([
    ['PORT', 3000, { LEGACY_PORT: '0' }],
    ['LEGACY_PORT', 3001, { PORT: '0' }],
  ] as const)('uses %s %i when it is unset, and says so when that port is in use', async (variable, port, other) => {
    // Held here, or by another process already: either way the port is in use.
    const holder = createServer();
    await new Promise<void>((resolve) => holder.once('error', () => resolve()).listen(port, '127.0.0.1', resolve));
    try {
      const result = await npmStart({ ...other, [variable]: '' });
      const ports = variable === 'PORT' ? `API port ${port}, legacy port 0` : `API port 0, legacy port ${port}`;
      expect(result).toMatchObject({
        code: 1,
        stdout: `Starting session-recovery on 127.0.0.1 (${ports})...\n`,
        stderr: `Port ${port} is in use: set ${variable} to another port (e.g. ${variable}=${port + 100} npm start).\n`,
      });
    } finally {
      if (holder.listening) await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
  });

  it('refuses an option it does not take in one line, naming the one it takes', async () => {
    const result = await npmStart({}, ['--fresh']);
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: 'npm start takes one option, --clean (start with none of the data earlier runs kept), not --fresh.\n',
    });
  });

  it('names the variable in one line when PORT is not a port number', async () => {
    expect(await npmStart({ PORT: '30o0' })).toEqual({ code: 1, stdout: '', stderr: 'PORT must be a port number from 0 to 65535, not "30o0".\n' });
  });
});

/** A child process whose stderr is kept, to explain a failure. */
const start = (args: string[], env: NodeJS.ProcessEnv = process.env) => {
  const child = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: root, env: { ...env, ...OWN_BUS } });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  return { child, exited: once(child, 'exit'), stderr: () => stderr };
};

/**
 * Reads a child's stdout until it contains `marker`, and returns all of it. The
 * pipe stays open and drained afterwards, as a terminal would keep it.
 */
const readUntil = ({ child, stderr }: { child: ChildProcessWithoutNullStreams; stderr: () => string }, marker: string): Promise<string> =>
  new Promise((resolve, reject) => {
    let stdout = '';
    child.stdout.setEncoding('utf8');
    const onData = (chunk: string) => {
      stdout += chunk;
      if (stdout.includes(marker)) {
        child.stdout.off('end', onEnd);
        resolve(stdout);
      }
    };
    const onEnd = () => reject(new Error(`the process ended without printing ${JSON.stringify(marker)}.\nstdout: ${stdout}\nstderr: ${stderr()}`));
    child.stdout.on('data', onData);
    child.stdout.once('end', onEnd);
  });

/**
 * A connection the server at `origin` holds open: only the death of the process behind it closes it.
 * `closed` resolves when it ends, whether the kernel closed it cleanly or reset it (ECONNRESET, as when
 * a process is killed): `once(held, 'close')` would reject on the reset's error event instead.
 */
const holdConnection = async (origin: string): Promise<{ closed: Promise<unknown>; release: () => void }> => {
  const { hostname, port } = new URL(origin);
  const held = connect(Number(port), hostname);
  await once(held, 'connect');
  held.on('error', () => undefined);
  return { closed: new Promise((resolve) => held.once('close', resolve)), release: () => held.destroy() };
};

const connectError = async (origin: string): Promise<string | undefined> => {
  const { hostname, port } = new URL(origin);
  const [error] = (await once(connect(Number(port), hostname), 'error')) as [NodeJS.ErrnoException];
  return error.code;
};

describe('npm start, when it starts', () => {
  it('says what it is doing first, uses the emulator it was given, prints the demo secret that signs the demo link, and both printed curls (current and legacy) answer 200 with the demo entry', async () => {
    // EXPIRED_LINK_EVENTS and EARLY_RESUME_SECONDS unset, and no AWS credentials at all, as in a developer's shell.
    const shell = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !/^AWS_(ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|PROFILE)$/.test(name)),
    );
    const runtime = start([path.join(root, 'local', 'start.ts')], { ...shell, PORT: '0', LEGACY_PORT: '0', EXPIRED_LINK_EVENTS: '', EARLY_RESUME_SECONDS: '' });
    try {
      const banner = await readUntil(runtime, 'Press Ctrl-C to stop.');
      // It says which settings it changes from AWS's defaults.
      expect(banner).toContain(
        '  EXPIRED_LINK_EVENTS=true  a valid link opened after its expiry puts a "Resume Link Expired" event on the bus (off in AWS unless expiredLinkEvents)\n' +
          "  EARLY_RESUME_SECONDS=0  a campaign link's resume counts as early (a scanner's) by its User-Agent only, never by its timing (30 s in AWS); each resume line below says human or early\n",
      );
      expect(banner).toContain('  Local data     in your emulator, which keeps it as it does\n');
      expect(banner.split('\n').slice(0, 2)).toEqual([
        'Starting session-recovery on 127.0.0.1 (API port 0, legacy port 0)...',
        'Creating the entries table, the event bus and the demo project, flow, entry and legacy key...',
      ]);
      // The emulator it was given, not one of its own.
      expect(banner).toContain(`AWS emulator   ${process.env.AWS_ENDPOINT_URL} (yours, from AWS_ENDPOINT_URL)`);
      const curls = banner
        .split('\n')
        .filter((line) => line.trimStart().startsWith('curl '))
        .map((line) => line.trim());
      expect(curls).toHaveLength(2);
      // The demo secret it prints signs the demo link of the current curl.
      const secret = /Demo Token Signing Secret \(local only, never use it anywhere else\):\n {2}(\S+)\n/.exec(banner)?.[1] as string;
      const link = JSON.parse(/-d '(.*)'$/.exec(curls[0])![1]) as { entry_id: string; token: string; expires_at: string };
      expect(computeToken(secret, link.entry_id, link.expires_at)).toBe(link.token);
      expect(curls[1]).toMatch(/^curl -sS -X POST 'http:\/\/127\.0\.0\.1:\d+\/' .*"expires":/);
      const answers: unknown[] = [];
      for (const curl of curls) {
        // As pasted into a shell.
        const { stdout } = await run('sh', ['-c', `${curl} -w '\\n%{http_code}'`]);
        const [body, status] = stdout.split('\n');
        expect(status).toBe('200');
        answers.push(JSON.parse(body));
      }
      const entry = {
        first_name: 'Ada',
        favourite_colour: 'green',
        plan: 'team',
        newsletter: true,
        seats: 5,
        entry_id: 'entry_demo_0001',
        current_page_key: 'page_3',
      };
      // curl is an automated client (isbot): it gets the entry with no save token, and ends none of the page's.
      expect(answers).toEqual([{ entry }, { entry }]);
    } finally {
      runtime.child.kill('SIGINT');
      await runtime.exited;
    }
  });
});

describe('npm start, the event bus', () => {
  it("prints each event the bus delivers: a link request's link, with its address masked", async () => {
    const runtime = start([path.join(root, 'local', 'start.ts')], { ...process.env, PORT: '0', LEGACY_PORT: '0' });
    try {
      const banner = await readUntil(runtime, 'Press Ctrl-C to stop.');
      const api = /API +(http:\/\/\S+)/.exec(banner)?.[1] as string;
      // A page of the demo (its own origin) saves, then asks for a link.
      const page = { 'content-type': 'application/json', origin: api };
      const created = (
        await send(
          `${api}/v1/entries`,
          JSON.stringify({ project_id: 'proj_demo', flow_id: 'flow_demo_onboarding', current_page_key: 'page_1', user_data: {} }),
          page,
        )
      ).json as { entry_id: string; save_token: string };
      const printed = readUntil(runtime, '[event] Resume Link Requested');
      const asked = await send(
        `${api}/v1/entries/${created.entry_id}/link-requests`,
        JSON.stringify({
          project_id: 'proj_demo',
          flow_id: 'flow_demo_onboarding',
          save_token: created.save_token,
          channel: 'email',
          to: 'ada.lovelace@example.com',
        }),
        page,
      );
      expect(asked.status).toBe(202);
      const line = (await printed).split('\n').find((l) => l.includes('[event]')) as string;
      expect(line).toMatch(
        new RegExp(
          `\\[event\\] Resume Link Requested by email to a•••@example\\.com for entry ${created.entry_id} \\(project proj_demo, flow flow_demo_onboarding\\): ${api.replace(/[.]/g, '\\.')}/\\?sr_confirm=1&token=`,
        ),
      );
      expect(line).not.toContain('ada.lovelace');
    } finally {
      runtime.child.kill('SIGINT');
      await runtime.exited;
    }
  });
});

describe('moto started by the local runtime', () => {
  it.each([
    ['SIGINT', 'Ctrl-C', false],
    ['SIGHUP', 'a closed terminal', false],
    ['SIGINT', 'Ctrl-C after whatever read its output went away: writes to a closed pipe', true],
  ] as const)('stops with the runtime on %s (%s)', async (signal, _what, closeOutput) => {
    // No AWS_ENDPOINT_URL: it starts its own moto.
    const runtime = start([START_SCRIPT], { ...process.env, PORT: '0', LEGACY_PORT: '0', AWS_ENDPOINT_URL: '' });
    const banner = await readUntil(runtime, 'Press Ctrl-C to stop.');
    const emulator = /AWS emulator +(http:\/\/\S+) \(moto, started by this process\)/.exec(banner)?.[1] as string;
    const api = /API +(http:\/\/\S+)/.exec(banner)?.[1] as string;
    const moto = await holdConnection(emulator);
    try {
      if (closeOutput) runtime.child.stdout.destroy();
      runtime.child.kill(signal);
      const exited = await runtime.exited;
      // The child's stderr explains an unclean exit.
      expect({ exited, stderr: exited[0] === 0 ? '' : runtime.stderr() }).toEqual({ exited: [0, null], stderr: '' });
      await moto.closed;
      expect(await connectError(emulator)).toBe('ECONNREFUSED');
      expect(await connectError(api)).toBe('ECONNREFUSED');
    } finally {
      moto.release();
    }
  });

  it('does not outlive a runtime process that dies of an uncaught exception', async () => {
    const moto = pathToFileURL(path.join(root, 'local', 'moto.ts')).href;
    // What happens in the runtime when a bug escapes every handler: the process dies of it.
    const script = `import { startMoto } from ${JSON.stringify(moto)};
const moto = await startMoto();
console.log(moto.endpoint);
process.stdin.once('data', () => { throw new Error('a bug nobody caught'); });`;
    const crashing = start(['--input-type=module', '-e', script]);
    const emulator = (await readUntil(crashing, '\n')).trim();
    const held = await holdConnection(emulator);
    try {
      crashing.child.stdin.write('crash\n');
      expect(await crashing.exited).toEqual([1, null]);
      expect(crashing.stderr()).toContain('a bug nobody caught');
      await held.closed;
      expect(await connectError(emulator)).toBe('ECONNREFUSED');
    } finally {
      held.release();
    }
  });
});
