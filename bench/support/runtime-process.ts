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
 * Its V8 heap is bounded as AWS Lambda's Node.js runtime bounds a deployed function's (lambdaHeapFlags, for the
 * construct's default memory): without it, V8 sizes its young generation from the machine's memory (24 GB here:
 * semi-spaces of up to 64 MiB, a new space of 128 MiB), and grows it to that when the allocation rate is high, at a
 * moment that follows the machine's load; the soak's RSS then rose by about 50 MB after its warm-up while the live heap
 * stayed flat (docs/performance.md, "Under load").
 *
 * Run as a script it prints one JSON line, `{"apiUrl", "legacyUrl", "pid"}`, once it listens.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { getHeapSpaceStatistics } from 'node:v8';
import { startLocalRuntime } from '../../local/runtime';
import { LAMBDA_MEMORY_MB, lambdaHeapFlags } from './lambda-heap';

export interface RuntimeProcess {
  readonly apiUrl: string;
  readonly legacyUrl: string;
  readonly pid: number;
  /** The runtime process's resident set size now, in MB (its own, not moto's nor the driver's). */
  rssMb(): number;
  /** What the runtime's memory is made of, after a full garbage collection it runs when asked. */
  memoryAfterGc(): Promise<RuntimeMemory>;
  stop(): Promise<void>;
}

/** The runtime process's memory, in MB (MiB), as it reports it after a full garbage collection (process.memoryUsage, v8.getHeapSpaceStatistics). */
export interface RuntimeMemory {
  rss: number;
  /** The live heap: what the runtime retains. */
  heapUsed: number;
  /** The heap V8 has reserved: every space below, and the rest. */
  heapTotal: number;
  /** The young generation's two semi-spaces (V8's new space), at the size V8 has grown them to. */
  newSpace: number;
  oldSpace: number;
  codeSpace: number;
  largeObjectSpace: number;
  /** Memory outside the V8 heap that JS objects hold (Buffers and the like). */
  external: number;
}

/**
 * Starts the runtime's process; resolves once it listens. `env` adds to its environment (settings for the run);
 * `nodeFlags` to its Node.js flags (a test's `--import` of a module of its own).
 */
export const startRuntimeProcess = (env: Record<string, string> = {}, nodeFlags: readonly string[] = []): Promise<RuntimeProcess> =>
  new Promise((resolve, reject) => {
    const flags = [...lambdaHeapFlags(LAMBDA_MEMORY_MB), '--expose-gc', '--disable-warning=DEP0040', '--import', 'tsx', ...nodeFlags];
    const child: ChildProcess = spawn(process.execPath, [...flags, fileURLToPath(import.meta.url)], {
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
    const memoryWaiters: Array<(memory: RuntimeMemory) => void> = [];
    lines.on('line', (line) => {
      if (line.startsWith('{"memory"')) memoryWaiters.shift()?.((JSON.parse(line) as { memory: RuntimeMemory }).memory);
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
        memoryAfterGc: () =>
          new Promise<RuntimeMemory>((done) => {
            memoryWaiters.push(done);
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
  // Asked by memoryAfterGc: a full collection (--expose-gc), then what the memory is made of.
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    const mb = (bytes: number) => Math.round(bytes / 104_857.6) / 10;
    const usage = process.memoryUsage();
    const space = (name: string) => mb(getHeapSpaceStatistics().find((s) => s.space_name === name)?.space_size ?? 0);
    const memory: RuntimeMemory = {
      rss: mb(usage.rss),
      heapUsed: mb(usage.heapUsed),
      heapTotal: mb(usage.heapTotal),
      newSpace: space('new_space'),
      oldSpace: space('old_space'),
      codeSpace: space('code_space'),
      largeObjectSpace: space('large_object_space'),
      external: mb(usage.external),
    };
    process.stdout.write(`${JSON.stringify({ memory })}\n`);
  });
  process.stdout.write(`${JSON.stringify({ apiUrl: runtime.apiUrl, legacyUrl: runtime.legacyUrl })}\n`);
}
