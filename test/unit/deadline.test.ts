import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ANSWER_BEFORE_TIMEOUT_MS, ANSWER_DEADLINE_MS, FUNCTION_TIMEOUT_MS, inSeconds, resumeNoteTimeoutMs } from '../../lambdas/runtime/deadline';
import { ANSWER_BEFORE_TIMEOUT_MS as PIPELINE_MARGIN } from '../../lambdas/http/pipeline';
import { lambdaContext } from '../../local/http-api-event';
import { docPages, docSection } from '../support/docs';

const root = path.join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

it('derives the deadline from the function timeout: a quarter of it before the timeout', () => {
  expect(ANSWER_DEADLINE_MS).toBe(FUNCTION_TIMEOUT_MS - ANSWER_BEFORE_TIMEOUT_MS);
  expect(ANSWER_BEFORE_TIMEOUT_MS).toBe(FUNCTION_TIMEOUT_MS / 4);
  // The pipelines' early timeout is this module's, and the local runtime's Lambdas time out as the deployed ones.
  expect(PIPELINE_MARGIN).toBe(ANSWER_BEFORE_TIMEOUT_MS);
  expect(lambdaContext('unit').getRemainingTimeInMillis()).toBeGreaterThan(FUNCTION_TIMEOUT_MS - 1_000);
  expect(lambdaContext('unit').getRemainingTimeInMillis()).toBeLessThanOrEqual(FUNCTION_TIMEOUT_MS);
});

it("derives a resume's campaign note budget from the function timeout: 1 s as deployed, a tenth of a longer one", () => {
  expect(resumeNoteTimeoutMs()).toBe(1_000);
  expect(resumeNoteTimeoutMs()).toBe(FUNCTION_TIMEOUT_MS / 10);
  expect(resumeNoteTimeoutMs(300_000)).toBe(30_000);
});

it("the README's 503 row states the deadline and the timeout this module derives it from", () => {
  const row = docSection('docs/routes.md', 'Errors')
    .split('\n')
    .find((line) => line.startsWith('| 503 | `service_unavailable` |'))!;
  expect(row).toContain(
    `in any case by ${inSeconds(ANSWER_DEADLINE_MS)}, ${inSeconds(ANSWER_BEFORE_TIMEOUT_MS)} before the Lambda's ${inSeconds(FUNCTION_TIMEOUT_MS)} timeout`,
  );
});

it('docs/security.md states the timeout, the margin and the deadline of this module', () => {
  const doc = read('docs/security.md');
  const timeouts = doc.split('\n').find((line) => line.startsWith('- **Timeouts.**'))!;
  expect(timeouts).toContain(`The Lambda timeout of ${inSeconds(FUNCTION_TIMEOUT_MS)} is`);
  expect(timeouts).toContain(`${inSeconds(ANSWER_BEFORE_TIMEOUT_MS)} before the Lambda's timeout, at ${inSeconds(ANSWER_DEADLINE_MS)}`);
  const throttling = doc.split('\n').find((line) => line.startsWith('- **Throttling, AWS 5xx and stalls.**'))!;
  expect(throttling).toContain(`well inside the Lambda's ${inSeconds(FUNCTION_TIMEOUT_MS)}`);
});

it('no other line of the README or docs/ states a deadline of its own', () => {
  // Every "answered … by N s" / "deadline of N s" figure is the module's.
  const files = docPages();
  for (const file of files) {
    for (const match of read(file).matchAll(/(?:deadline|in any case by|answered [^.|]*? by)\s+(?:of\s+)?(\d+(?:\.\d+)?) s\b/g)) {
      expect([file, match[0], Number(match[1]) * 1000]).toEqual([file, match[0], ANSWER_DEADLINE_MS]);
    }
  }
});
