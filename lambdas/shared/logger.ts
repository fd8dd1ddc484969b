import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger of a Lambda. Log only ids and outcome codes: never a token, a
 * secret, or a user-data value.
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'session-recovery' });
