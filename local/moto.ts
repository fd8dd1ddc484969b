import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const motoServer = path.join(root, '.venv', 'bin', 'moto_server');
/** moto_server less the work it repeats on every request, and, when asked, one request at a time (local/moto-server.py). */
const MOTO_SERVER = path.join(import.meta.dirname, 'moto-server.py');

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
 * Starts moto's server on loopback (DynamoDB and Secrets Manager, among others); `environment` adds to its environment
 * (its recorder's, say). Every moto started here applies each DynamoDB and Secrets Manager request whole before the next
 * one's (local/moto-server.py), so its conditional writes are atomic as DynamoDB's. `serial`: one connection at a time as well (`npm run load` and
 * `npm run soak`). `pythonArgs`: moto-server.py's test-only flags (test/integration/moto-atomicity.test.ts).
 */
export const startMoto = async (
  options: { port?: number; quiet?: boolean; environment?: Record<string, string>; serial?: boolean; pythonArgs?: readonly string[] } = {},
): Promise<Emulator> => {
  ensureVenv();
  const port = options.port ?? (await freePort());
  const endpoint = `http://127.0.0.1:${port}`;
  const hostPort = ['-H', '127.0.0.1', '-p', String(port)];
  const quiet = options.quiet !== false;
  const args = [MOTO_SERVER, ...hostPort, ...(options.serial ? ['--serial'] : []), ...(quiet ? ['--quiet'] : []), ...(options.pythonArgs ?? [])];
  const child = spawn(path.join(root, '.venv', 'bin', 'python'), args, {
    stdio: quiet ? 'ignore' : 'inherit',
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
