import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const readLines = (dir) =>
  existsSync(dir) ? readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)) : [];

/**
 * Scans the log lines under `<root>/logs` for the values registered under
 * `<root>/sensitive`. Returns the counts and the leaked values.
 */
export const scanLogs = (root) => {
  const logs = readLines(path.join(root, 'logs'));
  const sensitive = [...new Set(readLines(path.join(root, 'sensitive')).map((l) => JSON.parse(l)))];
  const leaks = sensitive.filter((value) => logs.some((line) => line.includes(value)));
  return { lines: logs.length, values: sensitive.length, leaks };
};
