import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** This run's log-scan folder (set by the global setup, so concurrent runs never mix). */
export const RUN_DIR = process.env.LOG_SCAN_DIR ?? path.join(import.meta.dirname, '..', '..', 'test-results', `run-${process.pid}`);
/** Where each test worker records the values that must never appear in a log (read by the global teardown). */
export const SENSITIVE_DIR = path.join(RUN_DIR, 'sensitive');
export const LOG_DIR = path.join(RUN_DIR, 'logs');

// `save_token`: it lets its holder overwrite an entry (browser saves). `to`: the address a user asked a resume
// link to be sent to (link requests).
const SENSITIVE_FIELDS = new Set(['token', 'save_token', 'secret', 'to']);

/**
 * Names of Object.prototype's members (`toString`, `valueOf`, `constructor`…) and their parts: fast-check's generators
 * favour them and cut them short, so a fuzzed user-data value and a fuzzed id (which the request line logs by design)
 * can be the same word by chance (a full fuzz run had `__lookupS` as both).
 */
const PROTOTYPE_NAMES = Object.getOwnPropertyNames(Object.prototype);
const partOfPrototypeName = (value: string): boolean => PROTOTYPE_NAMES.some((name) => name.includes(value));

/**
 * Records secrets, tokens and user-data values this run used. Short values and Object.prototype's member names or
 * parts of them are skipped (they match by chance).
 */
export const registerSensitive = (...values: unknown[]): void => {
  const lines = values.filter((v): v is string => typeof v === 'string' && v.length >= 8 && !partOfPrototypeName(v)).map((v) => JSON.stringify(v));
  if (lines.length === 0) return;
  mkdirSync(SENSITIVE_DIR, { recursive: true });
  appendFileSync(path.join(SENSITIVE_DIR, `${process.pid}.jsonl`), `${lines.join('\n')}\n`);
};

const leaves = (value: unknown): unknown[] => (typeof value === 'object' && value !== null ? Object.values(value).flatMap(leaves) : [value]);

/** Registers the sensitive parts of a request or response body: tokens, secrets, and every user_data value. */
export const registerSensitiveBody = (body: unknown): void => {
  if (typeof body !== 'object' || body === null) return;
  for (const [key, value] of Object.entries(body)) {
    if (SENSITIVE_FIELDS.has(key)) registerSensitive(value);
    // A short link is as good as the link it redirects to: its code alone must never be logged either.
    if (key === 'short_url' && typeof value === 'string') registerSensitive(value, value.split('/').pop());
    // A batch's answer: a link per row.
    if (key === 'links' && Array.isArray(value)) for (const item of value) registerSensitiveBody(item);
    if (key === 'user_data') registerSensitive(...leaves(value));
    // A resume response's entry is user data plus two ids; an admin response's entry nests user_data.
    if (key === 'entry' && typeof value === 'object' && value !== null) {
      if ('user_data' in value) registerSensitiveBody(value);
      else
        registerSensitive(
          ...Object.entries(value)
            .filter(([k]) => k !== 'entry_id' && k !== 'current_page_key')
            .flatMap(([, v]) => leaves(v)),
        );
    }
  }
};
