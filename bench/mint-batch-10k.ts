/**
 * `npm run bench:mint-batch`: times `session-recovery mint-batch` over 10,000
 * rows against the local runtime (moto), without and with short links and a
 * campaign. The figures are moto's, not DynamoDB's: moto serializes writes,
 * so the campaign run, which writes each link's record, is the slower one here.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalRuntime } from '../local/runtime';
import { seedEntries, uid } from '../test/support/seed';

const ROWS = 10_000;
const run = promisify(execFile);
const cliPath = path.join(import.meta.dirname, '..', 'bin', 'session-recovery-cli.js');
const dir = mkdtempSync(path.join(tmpdir(), 'mint-batch-10k-'));
const runtime = await startLocalRuntime({ port: 0, legacyPort: 0 });
const projectId = uid('proj');
try {
  const cli = (args: string[]) => run(process.execPath, [cliPath, '--endpoint', runtime.apiUrl, ...args], { maxBuffer: 64 << 20 });
  // The runtime's own emulator, stopped with it: nothing to clean up.
  const ids = await seedEntries(ROWS, projectId, uid('flow'));
  await cli(['--json', 'credentials', 'create', '--project', projectId, '--label', 'bench']);
  const input = path.join(dir, 'entries.csv');
  writeFileSync(input, `entry_id,name\n${ids.map((id, i) => `${id},person ${i}`).join('\n')}\n`);
  for (const [name, extra] of [['full links', []], ['--short --campaign spring', ['--short', '--campaign', 'spring']]] as const) {
    const output = path.join(dir, `links-${extra.length}.csv`);
    const started = performance.now();
    let code = 0;
    try {
      await cli(['mint-batch', '--project', projectId, '--input', input, '--output', output, '--resume-url', 'https://quiz.example.com/flow', ...extra]);
    } catch (error) {
      code = (error as { code: number }).code;
    }
    const rows = readFileSync(output, 'utf8').trim().split('\n').length - 1;
    console.log(`mint-batch ${name}: ${rows} rows, exit ${code}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
} finally {
  await runtime.stop();
  rmSync(dir, { recursive: true, force: true });
}
