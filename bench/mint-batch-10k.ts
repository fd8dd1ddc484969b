/**
 * `npm run bench:mint-batch`: times `session-recovery mint-batch` against the local
 * runtime (moto): 10,000 rows without and with short links and a campaign, then
 * 100,000 rows with `--campaign --short` (a campaign's scale), each with its rows
 * per second. The figures are moto's, not DynamoDB's: moto serializes writes, so
 * the campaign runs, which write each link's record, are the slower ones here.
 *
 *   --rows N      the small runs' rows (default 10,000)
 *   --large N     the campaign-scale run's rows (default 100,000; 0 skips it)
 *   --json        one JSON document on stdout: [{rows, options, seconds, rows_per_second, exit}]
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { startLocalRuntime } from '../local/runtime';
import { seedEntries, uid } from '../test/support/seed';

const { values } = parseArgs({
  options: { rows: { type: 'string', default: '10000' }, large: { type: 'string', default: '100000' }, json: { type: 'boolean', default: false } },
});
const ROWS = Number(values.rows);
const LARGE = Number(values.large);
const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);

const run = promisify(execFile);
const cliPath = path.join(import.meta.dirname, '..', 'bin', 'session-recovery-cli.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mint-batch-'));
const runtime = await startLocalRuntime({ port: 0, legacyPort: 0 });
// The entries are seeded by test/support/seed.ts's client, which reads its region, credentials, emulator and table
// from process.env (the runtime passes its own to its Lambdas and leaves process.env alone).
process.env.AWS_REGION ||= 'us-east-1';
process.env.AWS_ACCESS_KEY_ID ||= 'local';
process.env.AWS_SECRET_ACCESS_KEY ||= 'local';
process.env.AWS_ENDPOINT_URL = runtime.emulatorEndpoint;
process.env.TABLE_NAME = runtime.environment.TABLE_NAME;
const results: Array<{ rows: number; options: string; seconds: number; rows_per_second: number; exit: number; seed_seconds: number; load: string }> = [];
try {
  const cli = (args: string[]) => run(process.execPath, [cliPath, '--endpoint', runtime.apiUrl, ...args], { maxBuffer: 64 << 20 });
  const flowId = uid('flow');
  const runs = [
    { rows: ROWS, name: 'full links', extra: [] as string[] },
    { rows: ROWS, name: '--short --campaign spring', extra: ['--short', '--campaign', 'spring'] },
    ...(LARGE > 0 ? [{ rows: LARGE, name: '--short --campaign summer', extra: ['--short', '--campaign', 'summer'] }] : []),
  ];
  for (const [i, { rows, name, extra }] of runs.entries()) {
    // Each run its own project and entries, so the campaign run's link records start from empty entries.
    const projectId = uid('proj');
    const seedStarted = performance.now();
    // The runtime's own emulator, stopped with it: nothing to clean up.
    const ids = await seedEntries(rows, projectId, flowId);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    await cli(['--json', 'credentials', 'create', '--project', projectId, '--label', 'bench']);
    const input = path.join(dir, `entries-${i}.csv`);
    writeFileSync(input, `entry_id,name\n${ids.map((id, n) => `${id},person ${n}`).join('\n')}\n`);
    const output = path.join(dir, `links-${i}.csv`);
    const load = loadavg()[0].toFixed(1);
    const started = performance.now();
    let code = 0;
    let stderr = '';
    try {
      await cli(['mint-batch', '--project', projectId, '--input', input, '--output', output, '--resume-url', 'https://quiz.example.com/flow', ...extra]);
    } catch (error) {
      ({ code, stderr } = error as { code: number; stderr: string });
    }
    const seconds = (performance.now() - started) / 1000;
    const written = readFileSync(output, 'utf8').trim().split('\n').length - 1;
    const result = {
      rows: written,
      options: name,
      seconds: Number(seconds.toFixed(1)),
      rows_per_second: Math.round(written / seconds),
      exit: code,
      seed_seconds: Number(seedSeconds.toFixed(1)),
      load,
    };
    results.push(result);
    say(
      `mint-batch ${name}: ${written} of ${rows} rows, exit ${code}, ${result.seconds} s, ${result.rows_per_second} rows/s ` +
        `(seeding the entries took ${result.seed_seconds} s; load average ${load} at the start)`,
    );
    if (written !== rows || code !== 0) {
      say(`  mint-batch said: ${stderr.trim().split('\n').slice(-5).join('\n  ')}`);
      process.exitCode = 1;
    }
  }
  if (values.json) process.stdout.write(`${JSON.stringify(results)}\n`);
} finally {
  await runtime.stop();
  rmSync(dir, { recursive: true, force: true });
}
