import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const motoServer = path.join(root, '.venv', 'bin', 'moto_server');

/** Installs the pinned moto into .venv on first use (scripts/setup-python.sh is idempotent). */
export const ensureVenv = (): void => {
  const result = spawnSync('bash', [path.join(root, 'scripts', 'setup-python.sh')], { stdio: 'inherit' });
  if (result.status !== 0 || !existsSync(motoServer)) {
    throw new Error('Could not install moto into .venv: run `bash scripts/setup-python.sh` and read its output.');
  }
};

/** A free TCP port on loopback. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

export interface Emulator {
  readonly endpoint: string;
  /** moto's process id. */
  readonly pid?: number;
  stop(): Promise<void>;
}

const waitForReady = async (endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${timeoutMs} ms`);
};

/**
 * moto_server answering one request at a time. Its threaded server applies a conditional write as a read, a check
 * and a write that another request can run between, so under concurrency two writes to one item can both pass their
 * conditions, and the older land last; DynamoDB's conditional writes are atomic. One thread makes moto's atomic too.
 */
const SERIAL_MOTO = `
import sys
import werkzeug.serving
import moto.server as server
run_simple = werkzeug.serving.run_simple
def one_at_a_time(*args, **kwargs):
    kwargs["threaded"] = False
    return run_simple(*args, **kwargs)
server.run_simple = one_at_a_time
# One thread: connections wait in the listen queue, which must hold a burst's (socketserver's default is 5).
werkzeug.serving.BaseWSGIServer.request_queue_size = 4096
sys.argv = ["moto_server", *sys.argv[1:]]
server.main()
`;

/**
 * Starts moto's server on loopback (DynamoDB and Secrets Manager, among others); `environment` adds to its environment
 * (its recorder's, say). `serial`: one request at a time, so that conditional writes are atomic as in DynamoDB
 * (`npm run load` and `npm run soak`, which race writes to one item on purpose).
 */
export const startMoto = async (
  options: { port?: number; quiet?: boolean; environment?: Record<string, string>; serial?: boolean } = {},
): Promise<Emulator> => {
  ensureVenv();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const hostPort = ['-H', '127.0.0.1', '-p', String(port)];
  const [command, args] = options.serial ? [path.join(root, '.venv', 'bin', 'python'), ['-c', SERIAL_MOTO, ...hostPort]] : [motoServer, hostPort];
  const child = spawn(command, args, {
    stdio: options.quiet === false ? 'inherit' : 'ignore',
    detached: false,
    env: { ...process.env, ...options.environment },
  });
  // However this process ends (a crash included; 'exit' still runs), moto must not outlive it.
  const killOnExit = () => child.kill('SIGTERM');
  process.once('exit', killOnExit);
  try {
    await waitForReady(endpoint, child, 30_000);
  } catch (error) {
    process.off('exit', killOnExit);
    child.kill('SIGKILL');
    throw error;
  }
  return {
    endpoint,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        process.off('exit', killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
};
