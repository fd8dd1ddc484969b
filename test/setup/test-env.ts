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
  }),
} as const;
