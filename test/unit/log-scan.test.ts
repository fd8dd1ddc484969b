import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { jest } from '@jest/globals';
import { scanLogs } from '../setup/log-scan.js';
import globalTeardown from '../setup/global-teardown.js';
import { promisify } from 'node:util';

it('the end-of-run log scan finds a planted secret and passes clean logs', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sr-scan-'));
  try {
    mkdirSync(path.join(root, 'logs'));
    mkdirSync(path.join(root, 'sensitive'));
    writeFileSync(path.join(root, 'sensitive', '1.jsonl'), `${JSON.stringify('tss_planted-secret-value')}\n${JSON.stringify('user answer 42')}\n`);
    writeFileSync(path.join(root, 'logs', '1.jsonl'), '{"level":"INFO","message":"request","outcome":"ok"}\n');
    expect(scanLogs(root)).toEqual({ lines: 1, values: 2, leaks: [] });
    writeFileSync(path.join(root, 'logs', '2.jsonl'), '{"level":"DEBUG","message":"oops","value":"tss_planted-secret-value"}\n');
    expect(scanLogs(root)).toEqual({ lines: 2, values: 2, leaks: ['tss_planted-secret-value'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('the capture keeps every line a test worker prints, not only JSON: plain text on stdout and stderr, and console output', async () => {
  const { readFileSync, readdirSync } = await import('node:fs');
  const { LOG_DIR } = await import('../support/sensitive');
  const marker = `capture-check-${process.pid}-${Date.now()}`;
  process.stdout.write(`${marker} stdout plain\n`);
  process.stderr.write(`${marker} stderr plain\n`);
  console.error(`${marker} console %s`, 'formatted');
  const captured = readdirSync(LOG_DIR)
    .map((f) => readFileSync(path.join(LOG_DIR, f), 'utf8'))
    .join('');
  expect(captured).toContain(`${marker} stdout plain`);
  expect(captured).toContain(`${marker} stderr plain`);
  expect(captured).toContain(`${marker} console formatted`);
});

it('the global teardown fails the run on a hit, and otherwise reports what it checked', async () => {
  const root = mkdtempSync(path.join(tmpdir(), 'sr-teardown-'));
  const saved = { dir: process.env.LOG_SCAN_DIR, floor: process.env.LOG_SCAN_MIN_LINES };
  const printed = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  // Run in band, a test sees the run's own moto, which the teardown stops: hidden from it here.
  const run = globalThis as { __moto?: unknown };
  const moto = run.__moto;
  delete run.__moto;
  try {
    process.env.LOG_SCAN_DIR = root;
    process.env.LOG_SCAN_MIN_LINES = '0';
    mkdirSync(path.join(root, 'logs'));
    mkdirSync(path.join(root, 'sensitive'));
    writeFileSync(path.join(root, 'sensitive', '1.jsonl'), `${JSON.stringify('tss_planted-secret-value')}\n`);
    writeFileSync(path.join(root, 'logs', '1.jsonl'), '{"level":"INFO","outcome":"ok"}\n{"level":"DEBUG","value":"tss_planted-secret-value"}\n');
    await expect(globalTeardown()).rejects.toThrow('log scan: 1 sensitive value(s) found in the logs, e.g. one starting "tss_pl…"');

    writeFileSync(path.join(root, 'logs', '1.jsonl'), '{"level":"INFO","outcome":"ok"}\n');
    await globalTeardown();
    expect(printed.mock.calls).toEqual([['\nlog scan: 1 log lines checked against 1 secrets, tokens and user-data values: none found.']]);
  } finally {
    if (moto !== undefined) run.__moto = moto;
    printed.mockRestore();
    for (const [name, value] of [
      ['LOG_SCAN_DIR', saved.dir],
      ['LOG_SCAN_MIN_LINES', saved.floor],
    ] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    rmSync(root, { recursive: true, force: true });
  }
});

it("the scan reads every worker's lines: each process that loads the capture writes a file of its own in the run's folder", async () => {
  // Jest runs the files in parallel workers (jest.config.js, maxWorkers); three processes stand for three workers here.
  const root = mkdtempSync(path.join(tmpdir(), 'sr-workers-'));
  const capture = path.join(import.meta.dirname, '..', 'setup', 'log-capture.ts');
  const sensitive = path.join(import.meta.dirname, '..', 'support', 'sensitive.ts');
  const worker = (n: number) =>
    promisify(execFile)(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `await import(${JSON.stringify(capture)});
const { registerSensitive } = await import(${JSON.stringify(sensitive)});
registerSensitive('tss_worker-${n}-secret-value');
process.stdout.write('{"level":"INFO","worker":${n}}\\n');
${n === 2 ? `process.stderr.write('leaked tss_worker-1-secret-value\\n');` : ''}`,
      ],
      { env: { ...process.env, LOG_SCAN_DIR: root } },
    );
  try {
    await Promise.all([1, 2, 3].map(worker));
    expect(readdirSync(path.join(root, 'logs'))).toHaveLength(3);
    // Worker 2 printed what worker 1 registered: found across processes.
    expect(scanLogs(root)).toEqual({ lines: 4, values: 3, leaks: ['tss_worker-1-secret-value'] });
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}, 30_000);
