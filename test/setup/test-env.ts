import { lambdaEnvironment } from '../../lambdas/runtime/environment';

/** The Lambda environment during tests: the construct's defaults, with the test run's own table and secret prefix. */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  ...lambdaEnvironment({
    TABLE_NAME: 'session-recovery-entries-test',
    SECRET_PREFIX: 'session-recovery-test/',
    SAVE_KEY_SECRET: 'session-recovery-test/save-key',
    SHORT_LINK_BASE_URL: 'https://links.example.test',
    EVENT_BUS_NAME: 'session-recovery-test-bus',
    // Every request of the suite comes from 127.0.0.1, so the per-source bounds would be the suite's, not a test's:
    // test/integration/request-limits.test.ts runs them at their defaults, from addresses of its own.
    ENTRIES_PER_SOURCE_HOUR: 1_000_000,
    LINK_REQUESTS_PER_SOURCE_HOUR: 1_000_000,
  }),
} as const;
