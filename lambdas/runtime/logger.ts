/**
 * The Lambdas' logger. One short JSON object per line: `level`, `message` when
 * there is one, the keys the code appended (`request_id` first, see
 * http/access-log.ts), then the line's own. Keys whose value is undefined,
 * null or '' are left out.
 *
 * Nothing else: CloudWatch already records the time with every event and the
 * function through the log group, so a line carries neither (bench/HISTORY.md,
 * step 7: about 300 bytes a line, most of the log bill at a million resumes).
 * This is all the product used of the Powertools Logger, whose 21 KB were the
 * largest part of what a public Lambda carried beyond the floor (step 18).
 *
 * Lines are written straight to stdout (warnings and errors to stderr), not
 * through the global `console`, which the Lambda runtime rewrites: the metric
 * filters (lib/constructs/log-metrics.ts) read these lines as they are written.
 */
import { applicationLogLevel } from './environment';

/** Lambda's application log levels (advanced logging controls), and SILENT for tools that want none. */
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5, SILENT: 6 } as const;
export type LogLevel = keyof typeof LEVELS;

type LogValue = string | number | boolean | undefined;

/** What a line may carry beside its message: ids and codes. Never a token, a secret, or a user-data value. */
export type LogKeys = Readonly<Record<string, LogValue>>;

const isLevel = (name: string | undefined): name is LogLevel => name !== undefined && Object.hasOwn(LEVELS, name);

/**
 * A line whose write fails (the reader gone: EPIPE) is lost, and only it: the
 * failure must not end the process as an unhandled stream error, mid-request.
 */
const WRITE_ERRORS_IGNORED = Symbol.for('session-recovery.logger.writeErrorsIgnored');
for (const stream of [process.stdout, process.stderr] as Array<NodeJS.WriteStream & { [WRITE_ERRORS_IGNORED]?: true }>) {
  // Once per stream, however often this module is evaluated (a test runner evaluates it once per test file).
  if (stream[WRITE_ERRORS_IGNORED]) continue;
  stream[WRITE_ERRORS_IGNORED] = true;
  stream.on('error', () => undefined);
}

export class Logger {
  #threshold: number;
  #keys: Record<string, LogValue> = {};

  /**
   * `level`, when it is not a level's name, is INFO. By default it is the
   * function's application log level, which Lambda sets as AWS_LAMBDA_LOG_LEVEL
   * (INFO unless the function's logging configuration says otherwise).
   */
  constructor(level: string | undefined = applicationLogLevel()) {
    this.#threshold = Logger.#thresholdOf(level);
  }

  static #thresholdOf(level: string | undefined): number {
    const name = level?.toUpperCase();
    return LEVELS[isLevel(name) ? name : 'INFO'];
  }

  /** Sets the level as the constructor takes it: the local runtime's (WARN unless AWS_LAMBDA_LOG_LEVEL says otherwise). */
  setLevel(level: string | undefined): void {
    this.#threshold = Logger.#thresholdOf(level);
  }

  /** The keys appended so far (a copy): for the local runtime's console line, through http/access-log.ts. */
  get keys(): LogKeys {
    return { ...this.#keys };
  }

  /** Keys on every line until `resetKeys` (each request starts with none, http/access-log.ts). */
  appendKeys(keys: LogKeys): void {
    Object.assign(this.#keys, keys);
  }

  resetKeys(): void {
    this.#keys = {};
  }

  debug(message: string, keys?: LogKeys): void {
    this.#write('DEBUG', message, keys);
  }

  info(message: string, keys?: LogKeys): void {
    this.#write('INFO', message, keys);
  }

  warn(message: string, keys?: LogKeys): void {
    this.#write('WARN', message, keys);
  }

  error(message: string, keys?: LogKeys): void {
    this.#write('ERROR', message, keys);
  }

  #write(level: LogLevel, message: string, keys: LogKeys | undefined): void {
    if (LEVELS[level] < this.#threshold) return;
    const line: Record<string, LogValue> = { level };
    if (message !== '') line.message = message;
    for (const [name, value] of Object.entries({ ...this.#keys, ...keys })) {
      if (name !== 'level' && name !== 'message' && value != null && value !== '') line[name] = value;
    }
    (LEVELS[level] >= LEVELS.WARN ? process.stderr : process.stdout).write(`${JSON.stringify(line)}\n`);
  }
}

/** The one logger of a Lambda. */
export const logger = new Logger();
