/**
 * The local runtime in a process of its own, for `npm run load` and `npm run soak`: the same
 * startLocalRuntime as `npm start` (its own moto, nothing kept between runs), quiet (no request
 * lines), with each request's source taken from `X-Forwarded-For` so that one driver stands for
 * many browsers (local/api-server.ts, sourceFromForwardedFor). Its own process, so that the
 * driver's work is not timed as the runtime's, and the runtime's memory can be read alone.
 *
 * `SERIAL_EMULATOR=true` in its environment: moto answers one request at a time, so that its conditional writes are
 * atomic as DynamoDB's (local/moto.ts); the soak needs it, since it races writes to one entry on purpose.
 *
 * Run as a script it prints one JSON line, `{"apiUrl", "legacyUrl", "pid"}`, once it listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startLocalRuntime } from '../../local/runtime';

export interface RuntimeProcess {
  readonly apiUrl: string;
  readonly legacyUrl: string;
  readonly pid: number;
  /** The runtime process's resident set size now, in MB (its own, not moto's nor the driver's). */
  rssMb(): number;
  /** The runtime's live heap, in MB, after a full garbage collection it runs when asked (what it retains). */
  heapAfterGcMb(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts the runtime's process; resolves once it listens. `env` adds to its environment (settings for the run). */
export const startRuntimeProcess = (env: Record<string, string> = {}): Promise<RuntimeProcess> =>
  new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, ['--expose-gc', '--disable-warning=DEP0040', '--import', 'tsx', fileURLToPath(import.meta.url)], {
      // Never another emulator: this runtime starts its own moto.
      env: {
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'AWS_ENDPOINT_URL')),
        EARLY_RESUME_SECONDS: '0',
        AWS_LAMBDA_LOG_LEVEL: process.env.AWS_LAMBDA_LOG_LEVEL || 'CRITICAL',
        ...env,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the local runtime did not start within 120 s')), 120_000);
    const exited = (code: number | null) => reject(new Error(`the local runtime exited with ${code}`));
    child.once('exit', exited);
    const heapWaiters: Array<(mb: number) => void> = [];
    lines.on('line', (line) => {
      if (line.startsWith('{"heapUsedMb"')) heapWaiters.shift()?.((JSON.parse(line) as { heapUsedMb: number }).heapUsedMb);
      if (!line.startsWith('{"apiUrl"')) return;
      clearTimeout(timer);
      child.off('exit', exited);
      const { apiUrl, legacyUrl } = JSON.parse(line) as { apiUrl: string; legacyUrl: string };
      resolve({
        apiUrl,
        legacyUrl,
        pid: child.pid!,
        rssMb: () => {
          // None once the process has ended.
          if (child.exitCode !== null || !existsSync(`/proc/${child.pid}/status`)) return Number.NaN;
          const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
          return kb ? Math.round(Number(kb[1]) / 102.4) / 10 : Number.NaN;
        },
        heapAfterGcMb: () =>
          new Promise<number>((done) => {
            heapWaiters.push(done);
            child.kill('SIGUSR2');
          }),
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const runtime = await startLocalRuntime({ port: 0, legacyPort: 0, sourceFromForwardedFor: true, serialEmulator: process.env.SERIAL_EMULATOR === 'true' });
  const stop = async () => {
    await runtime.stop();
    process.exit(0);
  };
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop());
  // Asked by heapAfterGcMb: a full collection (--expose-gc), then the heap still used.
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    process.stdout.write(`${JSON.stringify({ heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1e5) / 10 })}\n`);
  });
  process.stdout.write(`${JSON.stringify({ apiUrl: runtime.apiUrl, legacyUrl: runtime.legacyUrl })}\n`);
}
