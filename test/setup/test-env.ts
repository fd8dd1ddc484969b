/** The Lambda environment during tests, as the construct would set it. */
export const TEST_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
  TABLE_NAME: 'session-recovery-entries-test',
  SECRET_PREFIX: 'session-recovery-test/',
  DEPLOYMENT_ENVIRONMENT: 'production',
  ALLOWED_ORIGINS: '*',
  KEY_CACHE_TTL_SECONDS: '60',
  KEY_MISS_REFRESH_SECONDS: '5',
  POWERTOOLS_SERVICE_NAME: 'session-recovery',
} as const;
