import { Logger, LogFormatter, LogItem } from '@aws-lambda-powertools/logger';
import type { LogAttributes, UnformattedAttributes } from '@aws-lambda-powertools/logger/types';
import { setting } from './environment';

/**
 * One short JSON object per line: `level`, `message` when there is one, then the
 * keys the code appended (`request_id` first, see http/access-log.ts).
 *
 * It leaves out what CloudWatch already records with every event (the time, and
 * through the log group the function) and the Lambda context Powertools adds by
 * default (function name, ARN, memory, cold start, service, sampling rate, X-Ray
 * id): about 300 bytes a line, most of the log bill at a million resumes
 * (bench/HISTORY.md, step 7).
 */
export class CompactLogFormatter extends LogFormatter {
  formatAttributes(attributes: UnformattedAttributes, additionalLogAttributes: LogAttributes): LogItem {
    return new LogItem({ attributes: { level: attributes.logLevel, message: attributes.message } }).addAttributes(additionalLogAttributes);
  }
}

/**
 * The one logger of a Lambda. Log only ids and outcome codes: never a token, a
 * secret, or a user-data value.
 */
export const logger = new Logger({
  serviceName: setting('POWERTOOLS_SERVICE_NAME'),
  logFormatter: new CompactLogFormatter(),
});
