/**
 * How long a request may take, derived from one figure: the Lambdas' timeout.
 * The construct (lib/constructs/api-function.ts) sets every Lambda's timeout
 * from FUNCTION_TIMEOUT_MS; the middy pipelines (lambdas/http/pipeline.ts,
 * invoke-pipeline.ts) answer a request still in progress ANSWER_BEFORE_TIMEOUT_MS
 * before it, with 503 and Retry-After. So every request is answered by
 * ANSWER_DEADLINE_MS. The README and docs/security.md state these figures, and
 * test/unit/deadline.test.ts checks them against this module. No imports, so
 * the CDK app, the Lambdas and the local runtime all read it.
 */

/**
 * Every Lambda's timeout: above the retry budget of one AWS call (3 attempts of
 * at most 2 s each plus backoff, under 8 s: lambdas/adapters/clients.ts) and
 * below API Gateway's 30 s integration limit.
 */
export const FUNCTION_TIMEOUT_MS = 10_000;

/**
 * How long before the timeout a request still in progress is answered 503 with
 * Retry-After (middy's `timeoutEarlyInMillis`): a quarter of the timeout, time
 * enough to answer and write the request's log line before Lambda stops the
 * instance. One AWS call gives up within its retry budget, but a request that
 * makes two against a stalled AWS (stale keys served after a stalled refetch,
 * then the entry read) would not: the deadline covers it.
 */
export const ANSWER_BEFORE_TIMEOUT_MS = FUNCTION_TIMEOUT_MS / 4;

/** The deadline every request is answered by, counted from its start: the timeout less the margin. */
export const ANSWER_DEADLINE_MS = FUNCTION_TIMEOUT_MS - ANSWER_BEFORE_TIMEOUT_MS;

/**
 * Longest a person's resume waits for its campaign note (lambdas/adapters/dynamodb-resume-notes.ts): a tenth of the
 * function's timeout, 1 s as deployed, where DynamoDB answers a write in a few milliseconds. A note not written costs
 * the campaign's count of the entry and the attribution of a completion, never the resume; 1 s rather than less,
 * since the note carries the campaign's exact count. Derived from the timeout, so a local runtime or a test given a
 * longer one (a machine slowed by load, test/support/http.ts) gives the note as much more.
 */
export const resumeNoteTimeoutMs = (functionTimeoutMs: number = FUNCTION_TIMEOUT_MS): number => functionTimeoutMs / 10;

/** A duration in milliseconds as the docs write it: `7.5 s`, `10 s`. */
export const inSeconds = (ms: number): string => `${ms / 1000} s`;
