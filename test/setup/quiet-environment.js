// Plain ESM: Jest loads a test environment before any transform.
import { Console } from 'node:console';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TestEnvironment } from 'jest-environment-node';

const STREAMS = [process.stdout, process.stderr];

/**
 * CPU seconds of this process's child processes that have ended (their own children included), from Linux's
 * /proc/self/stat (cutime and cstime, in clock ticks of 1/100 s); 0 where there is no /proc.
 */
const childrenCpu = () => {
  if (!existsSync('/proc/self/stat')) return 0;
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
};

/** "describe › test", as Jest names a test in its failure report. */
const fullName = (test) => {
  const names = [];
  for (let block = test; block && block.parent; block = block.parent) names.unshift(block.name);
  return names.join(' › ');
};

/**
 * Node's test environment, except that what a test file writes to stdout and
 * stderr, console calls included, is held back and shown only when it explains
 * a failure: a test's own output when that test fails; output outside any test
 * (the file's top level, beforeAll, afterAll) when any test of the file failed
 * or none ran (the file did not load). So `npm test` shows failures, not the
 * chatter of passing tests. Child processes that inherit the streams write past
 * this; the tests give theirs pipes.
 */
export default class QuietEnvironment extends TestEnvironment {
  #originals = STREAMS.map((stream) => stream.write);
  #outsideTests = [];
  #held = this.#outsideTests;
  #testsDone = 0;
  #failed = false;
  #file;
  #cpu = process.cpuUsage();
  #childrenCpu = childrenCpu();

  constructor(config, context) {
    super(config, context);
    this.#file = path.relative(config.projectConfig.rootDir, context.testPath);
    // Here rather than in setup(), which runs after the setup files: log-capture.ts must see every line first.
    STREAMS.forEach((stream) => {
      stream.write = (chunk, ...rest) => {
        this.#held.push(chunk);
        const callback = rest.find((arg) => typeof arg === 'function');
        if (callback) process.nextTick(callback);
        return true;
      };
    });
  }

  async setup() {
    await super.setup();
    // Jest's own console reports to the parent process, past the streams (and past log-capture.ts).
    this.global.console = new Console({ stdout: process.stdout, stderr: process.stderr });
  }

  /** All to stderr, where Jest reports too: the parent process relays a worker's two streams out of order. */
  #release(held, title) {
    if (held.length === 0) return;
    const write = (text) => this.#originals[1].call(process.stderr, text);
    write(`\n── ${this.#file}: output of ${title} ──\n`);
    for (const chunk of held) write(chunk);
  }

  async handleTestEvent(event) {
    if (event.name === 'test_start') this.#held = [];
    if (event.name === 'hook_failure') this.#failed = true;
    if (event.name === 'test_done') {
      this.#testsDone += 1;
      if (event.test.errors.length > 0) {
        this.#failed = true;
        this.#release(this.#held, `"${fullName(event.test)}"`);
      }
      this.#held = this.#outsideTests;
    }
  }

  async teardown() {
    if (this.#failed || this.#testsDone === 0) this.#release(this.#outsideTests, 'this file outside its tests');
    STREAMS.forEach((stream, i) => (stream.write = this.#originals[i]));
    await super.teardown();
    this.#reportCpu();
  }

  /** The CPU time this file took in its worker, and in the child processes it started, for test/setup/timings-reporter.js. */
  #reportCpu() {
    const dir = process.env.TEST_TIMINGS_CPU_DIR;
    if (!dir) return;
    const { user, system } = process.cpuUsage(this.#cpu);
    mkdirSync(dir, { recursive: true });
    const cpu = { worker: (user + system) / 1e6, children: childrenCpu() - this.#childrenCpu };
    writeFileSync(path.join(dir, encodeURIComponent(this.#file)), JSON.stringify(cpu));
  }
}
