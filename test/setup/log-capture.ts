import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { LOG_DIR } from '../support/sensitive';

/**
 * Copies every line a test worker writes to the log-scan folder
 * (test-results/.../logs/<worker>.jsonl), so the global teardown can scan all of
 * what a full test run printed: the Lambdas' structured lines (lambdas/runtime/logger.ts writes
 * them straight to stdout and stderr, which Lambda sends to CloudWatch), any
 * other text on those streams, and everything passed to `console` (which the
 * test environment, quiet-environment.js, writes to them). The Lambdas
 * log at the most verbose level during tests. Their JSON lines are kept off the
 * terminal; everything else goes on to the terminal through the test
 * environment (quiet-environment.js), which shows it when a test fails.
 */
process.env.AWS_LAMBDA_LOG_LEVEL = 'DEBUG';
mkdirSync(LOG_DIR, { recursive: true });
const file = path.join(LOG_DIR, `${process.pid}.jsonl`);
const keep = (text: string): void => appendFileSync(file, text.endsWith('\n') ? text : `${text}\n`);

for (const stream of [process.stdout, process.stderr]) {
  const original = stream.write.bind(stream);
  stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    keep(text);
    if (text.startsWith('{"')) return true;
    return (original as (c: unknown, ...r: unknown[]) => boolean)(chunk, ...rest);
  }) as typeof stream.write;
}
