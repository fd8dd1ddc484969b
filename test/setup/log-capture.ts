import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LOG_DIR } from '../support/sensitive';

/**
 * Diverts every structured log line the Lambdas write (Powertools JSON logs, on
 * stdout and stderr) to test-results/logs/<worker>.jsonl, at the most verbose level,
 * so the global teardown can scan what a full test run logged.
 */
process.env.POWERTOOLS_LOG_LEVEL = 'DEBUG';
mkdirSync(LOG_DIR, { recursive: true });
const file = path.join(LOG_DIR, `${process.pid}.jsonl`);
// Both streams: Powertools writes warnings and errors to stderr, and Lambda sends both to CloudWatch.
for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.startsWith('{"')) {
      appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);
      return true;
    }
    return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
}
