import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const readLines = (dir) => (existsSync(dir) ? readdirSync(dir).flatMap((f) => readFileSync(path.join(dir, f), 'utf8').split('\n').filter(Boolean)) : []);

/** Registered values are 8 characters or more (test/support/sensitive.ts): each is looked up by its first 8. */
const PREFIX = 8;

/**
 * Which of `values` occur in `text`, in one pass over it: at each position, the
 * values that start with the next 8 characters are compared there. (A search of
 * the text per value took about a minute for a full run's 70,000 lines and
 * 8,000 values; this takes under a second.)
 */
const occurring = (text, values) => {
  const byPrefix = new Map();
  for (const value of values) {
    const key = value.slice(0, PREFIX);
    byPrefix.set(key, [...(byPrefix.get(key) ?? []), value]);
  }
  const found = new Set();
  // Shorter values (none are registered) are compared everywhere.
  const short = values.filter((value) => value.length < PREFIX);
  for (let i = 0; i < text.length; i++) {
    for (const value of byPrefix.get(text.slice(i, i + PREFIX)) ?? []) if (text.startsWith(value, i)) found.add(value);
  }
  for (const value of short) if (text.includes(value)) found.add(value);
  return found;
};

/**
 * Scans the log lines under `<root>/logs` for the values registered under
 * `<root>/sensitive`. Returns the counts and the leaked values.
 */
export const scanLogs = (root) => {
  const logs = readLines(path.join(root, 'logs'));
  const sensitive = [...new Set(readLines(path.join(root, 'sensitive')).map((l) => JSON.parse(l)))];
  const found = occurring(logs.join('\n'), sensitive);
  const leaks = sensitive.filter((value) => found.has(value));
  return { lines: logs.length, values: sensitive.length, leaks };
};
