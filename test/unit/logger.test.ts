import { spawn } from 'node:child_process';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Logger } from '../../lambdas/runtime/logger';
import { captureLines } from '../support/capture-lines';

/** What `run` writes to stdout and to stderr, as separate lists of lines. */
const byStream = async (run: () => void): Promise<{ stdout: string[]; stderr: string[] }> => {
  const out = { stdout: [] as string[], stderr: [] as string[] };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  for (const name of ['stdout', 'stderr'] as const) {
    process[name].write = ((chunk: string | Uint8Array) => (out[name].push(String(chunk)), true)) as typeof process.stdout.write;
  }
  try {
    run();
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
  }
  return out;
};

describe('the Lambdas’ logger (lambdas/runtime/logger.ts)', () => {
  it('writes one JSON object per line: level, message when there is one, the appended keys, then the line’s own', async () => {
    const logger = new Logger('INFO');
    logger.appendKeys({ request_id: 'r1', project_id: 'proj_1' });
    const { stdout, stderr } = await byStream(() => logger.info('', { outcome: 'ok' }));
    expect(stdout).toEqual(['{"level":"INFO","request_id":"r1","project_id":"proj_1","outcome":"ok"}\n']);
    expect(stderr).toEqual([]);
  });

  it('leaves out keys whose value is undefined, null or empty, and never lets a key replace level or message', async () => {
    const logger = new Logger('INFO');
    logger.appendKeys({ request_id: undefined, flow_id: '' });
    const { stdout } = await byStream(() => logger.info('hello', { error_code: undefined, level: 'ERROR', message: 'forged', n: 0, b: false }));
    expect(stdout).toEqual(['{"level":"INFO","message":"hello","n":0,"b":false}\n']);
  });

  it('writes warnings and errors to stderr, with their message', async () => {
    const logger = new Logger('INFO');
    const { stdout, stderr } = await byStream(() => (logger.warn('w', { age_ms: 5 }), logger.error('e', { error_name: 'TimeoutError' })));
    expect(stdout).toEqual([]);
    expect(stderr.map((l) => JSON.parse(l))).toEqual([
      { level: 'WARN', message: 'w', age_ms: 5 },
      { level: 'ERROR', message: 'e', error_name: 'TimeoutError' },
    ]);
  });

  it('resetKeys drops every appended key', async () => {
    const logger = new Logger('INFO');
    logger.appendKeys({ request_id: 'r1' });
    logger.resetKeys();
    logger.appendKeys({ request_id: 'r2' });
    const { stdout } = await byStream(() => logger.info('', { outcome: 'ok' }));
    expect(stdout).toEqual(['{"level":"INFO","request_id":"r2","outcome":"ok"}\n']);
  });

  it.each([
    ['WARN', ['WARN', 'ERROR']],
    ['error', ['ERROR']],
    ['DEBUG', ['DEBUG', 'INFO', 'WARN', 'ERROR']],
    ['INFO', ['INFO', 'WARN', 'ERROR']],
    ['SILENT', []],
    ['not-a-level', ['INFO', 'WARN', 'ERROR']],
    ['', ['INFO', 'WARN', 'ERROR']],
  ])('at level %s writes %j: above INFO the request lines stop (README, Logs)', async (level, written) => {
    const logger = new Logger(level);
    const lines = await captureLines(async () => {
      logger.debug('d');
      logger.info('i');
      logger.warn('w');
      logger.error('e');
    });
    expect(lines.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(written);
  });

  it('takes its level from AWS_LAMBDA_LOG_LEVEL, which Lambda sets from the function’s application log level, and is at INFO without it', async () => {
    const before = process.env.AWS_LAMBDA_LOG_LEVEL;
    process.env.AWS_LAMBDA_LOG_LEVEL = 'ERROR';
    try {
      const logger = new Logger();
      const { stdout, stderr } = await byStream(() => (logger.info('i'), logger.warn('w'), logger.error('e')));
      expect([...stdout, ...stderr].map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['ERROR']);
      delete process.env.AWS_LAMBDA_LOG_LEVEL;
      const atDefault = new Logger();
      const unset = await byStream(() => (atDefault.debug('d'), atDefault.info('i')));
      expect(unset.stdout.map((l) => (JSON.parse(l) as { level: string }).level)).toEqual(['INFO']);
    } finally {
      if (before === undefined) delete process.env.AWS_LAMBDA_LOG_LEVEL;
      else process.env.AWS_LAMBDA_LOG_LEVEL = before;
    }
  });

  it('survives a reader that goes away: a real pipe closed under it (EPIPE) loses lines, not the process, however often the module is loaded', async () => {
    const logger = pathToFileURL(path.join(import.meta.dirname, '..', '..', 'lambdas', 'runtime', 'logger.ts')).href;
    const script = [
      // Evaluated as often as a test runner does (once per test file): no listener piles up, so Node warns of no leak on stderr.
      `for (let i = 0; i < 12; i++) await import(${JSON.stringify(logger)} + '?' + i);`,
      `const { Logger } = await import(${JSON.stringify(logger)});`,
      "const logger = new Logger('INFO');",
      'for (let i = 0; i < 50; i++) {',
      "  logger.info('', { outcome: 'ok', i });",
      '  await new Promise((resolve) => setTimeout(resolve, 5));',
      '}',
      "process.stderr.write('still here');",
    ].join('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: 'still here' });
  });
});
