import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
// As `npm start` runs it.
const NODE_ARGS = ['--disable-warning=DEP0040', '--import', 'tsx'];

interface Exit {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `npm start`'s script to its end, against this test run's moto (AWS_ENDPOINT_URL), so it starts none of its own. */
const npmStart = async (env: Record<string, string>): Promise<Exit> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [...NODE_ARGS, path.join(root, 'scripts', 'local-runtime.ts')], {
      cwd: root,
      env: { ...process.env, ...env },
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
      stdout: '',
      stderr: `Port ${takenPort} is in use: set ${variable} to another port (e.g. ${variable}=${other} npm start).\n`,
    });
  });

  it('names the variable in one line when PORT is not a port number', async () => {
    expect(await npmStart({ PORT: '30o0' })).toEqual({ code: 1, stdout: '', stderr: 'PORT must be a port number from 0 to 65535, not "30o0".\n' });
  });
});

describe('moto started by the local runtime', () => {
  it('does not outlive a runtime process that dies of an uncaught exception', async () => {
    const moto = pathToFileURL(path.join(root, 'scripts', 'local', 'moto.ts')).href;
    // What happens in the runtime when a bug escapes every handler: the process dies of it.
    const script = `import { startMoto } from ${JSON.stringify(moto)};
const moto = await startMoto();
console.log(moto.endpoint);
process.stdin.once('data', () => { throw new Error('a bug nobody caught'); });`;
    const child = spawn(process.execPath, [...NODE_ARGS, '--input-type=module', '-e', script], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = once(child, 'exit');
    let stdout = '';
    child.stdout.setEncoding('utf8');
    for await (const chunk of child.stdout) {
      stdout += chunk as string;
      if (stdout.includes('\n')) break;
    }
    const { hostname, port } = new URL(stdout.trim());
    // A connection moto holds open: moto's death closes it, and nothing else in this test does.
    const held = connect(Number(port), hostname);
    try {
      await once(held, 'connect');
      const heldClosed = once(held, 'close');
      held.on('error', () => undefined);
      child.stdin.write('crash\n');
      const [code] = (await exited) as [number];
      expect(code).toBe(1);
      await heldClosed;
      const refused = connect(Number(port), hostname);
      const [error] = (await once(refused, 'error')) as [NodeJS.ErrnoException];
      expect(error.code).toBe('ECONNREFUSED');
    } finally {
      held.destroy();
    }
  });
});
