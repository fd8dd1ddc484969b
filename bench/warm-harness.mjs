// Runs in a fresh Node process: loads our bundle and the floor's, warms both, then
// alternates calls (ours, floor, ours, floor, ...) so both see the same emulator
// latency at the same moment; a side-by-side measurement, not two separate runs.
// Counts the TCP connections each side opens while timed (HTTP keep-alive).
// Prints one JSON line of results on fd 3; what the handlers log goes to the real
// stdout/stderr, where the parent counts our handler's bytes (the floor logs nothing).
import diagnostics from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [ours, floor] = [await import(process.argv[2]), await import(process.argv[3])];
const { ours: oursEvents, floor: floorEvents } = JSON.parse(process.env.BENCH_EVENTS);
const n = Number(process.env.BENCH_N ?? 2000);
const context = {
  awsRequestId: 'bench',
  functionName: 'bench',
  functionVersion: '$LATEST',
  memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  getRemainingTimeInMillis: () => 10_000,
};

const side = (handler, events) => ({ handler, events, times: [], statuses: {}, firstFailure: undefined, sockets: 0 });
// TCP connections each side opens during its timed calls: 0 when HTTP keep-alive reuses the warm connection.
let current;
let timing = false;
diagnostics.subscribe('net.client.socket', () => {
  if (timing && current) current.sockets++;
});
const sides = [side(ours.handler, oursEvents), side(floor.handler, floorEvents)];

// Lambda hands every invocation a fresh event (and middlewares may rewrite it): clone one per call, untimed.
const call = async (s, i, timed) => {
  const event = structuredClone(s.events[i % s.events.length]);
  current = s;
  timing = timed;
  const t0 = performance.now();
  const res = await s.handler(event, context);
  const elapsed = performance.now() - t0;
  if (!timed) return;
  s.times.push(elapsed);
  s.statuses[res?.statusCode] = (s.statuses[res?.statusCode] ?? 0) + 1;
  if (!(res?.statusCode >= 200 && res?.statusCode < 300) && !s.firstFailure) s.firstFailure = { status: res?.statusCode, body: res?.body };
};

for (let i = 0; i < 100; i++) for (const s of sides) await call(s, i, false);
writeSync(1, '--- timed run ---\n');
writeSync(2, '--- timed run ---\n');
for (let i = 0; i < n; i++) for (const s of sides) await call(s, i, true);

const stats = (s) => {
  const t = [...s.times].sort((a, b) => a - b);
  const q = (p) => t[Math.min(t.length - 1, Math.floor(p * t.length))];
  return { median: q(0.5), p99: q(0.99), n: t.length, statuses: s.statuses, firstFailure: s.firstFailure, sockets: s.sockets };
};
writeSync(3, `${JSON.stringify({ ours: stats(sides[0]), floor: stats(sides[1]) })}\n`);
