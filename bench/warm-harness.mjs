// Runs in a fresh Node process: loads one bundle, warms it, then times N in-process
// invocations with the given events. Prints one JSON line of results on fd 3.
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const bundle = process.argv[2];
const events = JSON.parse(process.env.BENCH_EVENTS);
const n = Number(process.env.BENCH_N ?? 2000);
const { handler } = await import(bundle);
const context = {
  awsRequestId: 'bench',
  functionName: 'bench',
  functionVersion: '$LATEST',
  memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  getRemainingTimeInMillis: () => 10_000,
};

// What the handler logs goes to the real stdout/stderr; the parent counts those bytes.
// A marker line separates warm-up logs from the timed run.
let firstFailure;
const statuses = {};
// Lambda hands every invocation a fresh event (and middlewares may rewrite it): clone one per call, untimed.
const run = async (i, timed) => {
  const event = structuredClone(events[i % events.length]);
  const t0 = performance.now();
  const res = await handler(event, context);
  if (timed) times.push(performance.now() - t0);
  if (!(res?.statusCode >= 200 && res?.statusCode < 300) && !firstFailure) firstFailure = { status: res?.statusCode, body: res?.body };
  return res;
};
const times = [];
for (let i = 0; i < 100; i++) await run(i, false);
writeSync(1, '--- timed run ---\n');
writeSync(2, '--- timed run ---\n');
for (let i = 0; i < n; i++) {
  const res = await run(i, true);
  statuses[res?.statusCode] = (statuses[res?.statusCode] ?? 0) + 1;
}
times.sort((a, b) => a - b);
const q = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
writeSync(3, `${JSON.stringify({ median: q(0.5), p99: q(0.99), n, statuses, firstFailure })}\n`);
