/**
 * How many generated requests test/attack/fuzz.test.ts sends per public endpoint: in `npm test` by default, and in
 * `.ci/run` after it (FUZZ_RUNS and FUZZ_HTTP_RUNS in its environment). README.md, CONTRIBUTING.md and
 * docs/security.md state these figures, and test/unit/fuzz-runs.test.ts holds them, and .ci/run's command line, to
 * this module.
 */
export const FUZZ_RUNS = {
  /** `npm test`: handed to the handlers in this process (the local server's routing and events, without its socket). */
  inProcess: 2_000,
  /** ... for /r/{code}, whose generated codes are read from DynamoDB for more than half of them: at most this many. */
  shortLinks: 2_000,
  /** `npm test`: through the local runtime's server, over HTTP. */
  overHttp: 300,
  /** `.ci/run`, after `npm test`: the full fuzz, this many in process and this many over HTTP. */
  full: 10_000,
} as const;

/** A count as the docs write it: `10 000`, `2 000`, `300`. */
export const asWritten = (n: number): string => n.toLocaleString('en-US').replaceAll(',', ' ');
