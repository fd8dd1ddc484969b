import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { scanLogs } from './log-scan.js';

/** CPU seconds a running process has used, from Linux's /proc (utime and stime, in clock ticks of 1/100 s); undefined elsewhere. */
const cpuOf = (pid) => {
  const stat = `/proc/${pid}/stat`;
  if (pid === undefined || !existsSync(stat)) return undefined;
  const fields = readFileSync(stat, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

/**
 * Adds moto's CPU time to the run's timings (test/setup/timings-reporter.js, which wrote them just before): the
 * emulator every file shares, whose CPU no file's figure holds.
 */
const recordEmulatorCpu = (seconds) => {
  const file = path.join(import.meta.dirname, '..', '..', 'test-results', 'timings.json');
  if (seconds === undefined || !existsSync(file)) return;
  const run = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, `${JSON.stringify({ ...run, emulatorCpuSeconds: seconds }, null, 2)}\n`);
};

/**
 * Stops moto, then scans every log line the run wrote for any secret, token or
 * user-data value a test registered. A hit fails the whole run.
 */
export default async function globalTeardown() {
  recordEmulatorCpu(cpuOf(globalThis.__moto?.pid));
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
