// npm test: the type check and the lint run beside Jest rather than before it, at a lower priority, so they use the
// CPU Jest leaves idle while its tests wait on moto, child processes and Chromium; the run fails if any of the three
// fails. Jest's output is shown as it comes; the other two's when they end. Arguments go to Jest.
import { spawn } from 'node:child_process';
import { setPriority } from 'node:os';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const started = performance.now();
const seconds = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;

/** Runs `npm run <script>`; `quiet`: its output is held and shown when it ends. Resolves to whether it passed. */
const run = (script, { args = [], quiet = false, env = process.env, nice = 0 } = {}) =>
  new Promise((resolve) => {
    const child = spawn(npm, ['run', script, ...(args.length > 0 ? ['--', ...args] : [])], {
      env,
      stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
    });
    children.push(child);
    if (nice !== 0) {
      try {
        setPriority(child.pid, nice);
      } catch {
        // not permitted: it runs at Jest's priority
      }
    }
    const held = [];
    child.stdout?.on('data', (chunk) => held.push(chunk));
    child.stderr?.on('data', (chunk) => held.push(chunk));
    child.on('close', (code, signal) => {
      const passed = code === 0;
      if (quiet) {
        process.stderr.write(`\nnpm run ${script}: ${passed ? 'passed' : `FAILED (${signal ?? `exit ${code}`})`} after ${seconds()}\n`);
        if (!passed || held.length > 0) process.stderr.write(Buffer.concat(held));
      }
      resolve(passed);
    });
  });

const children = [];
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    for (const child of children) child.kill(signal);
  });
}

const results = await Promise.all([
  run('typecheck', { quiet: true, nice: 10 }),
  run('lint', { quiet: true, nice: 10 }),
  // A whole run logs at least this many lines, so the global log scan (test/setup/global-teardown.js) is never vacuous.
  run('test:jest', { args: process.argv.slice(2), env: { ...process.env, LOG_SCAN_MIN_LINES: process.env.LOG_SCAN_MIN_LINES ?? '5000' } }),
]);
const failed = ['npm run typecheck', 'npm run lint', 'npm run test:jest'].filter((_name, i) => !results[i]);
process.stderr.write(`\nnpm test: ${failed.length === 0 ? 'type check, lint and tests passed' : `${failed.join(', ')} FAILED`} in ${seconds()}\n`);
process.exitCode = failed.length === 0 ? 0 : 1;
