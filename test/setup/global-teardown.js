import { rmSync } from 'node:fs';
import { scanLogs } from './log-scan.js';

/**
 * Stops moto, then scans every log line the run wrote for any secret, token or
 * user-data value a test registered. A hit fails the whole run.
 */
export default async function globalTeardown() {
  await globalThis.__moto?.stop();
  const dir = process.env.LOG_SCAN_DIR;
  const { lines, values, leaks } = scanLogs(dir);
  // A partial run (one test file) may log little; `npm test` sets a floor so the scan is never vacuous.
  const floor = Number(process.env.LOG_SCAN_MIN_LINES ?? 0);
  if (lines < floor) throw new Error(`log scan: only ${lines} log lines captured; expected at least ${floor}`);
  if (leaks.length > 0) {
    throw new Error(`log scan: ${leaks.length} sensitive value(s) found in the logs, e.g. one starting "${leaks[0].slice(0, 6)}…"`);
  }
  console.log(`\nlog scan: ${lines} log lines checked against ${values} secrets, tokens and user-data values: none found.`);
  rmSync(dir, { recursive: true, force: true });
}
