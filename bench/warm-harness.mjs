// Runs in a fresh Node process: loads our bundle and the floor's, warms both, then
// alternates calls (ours, floor, ours, floor, ...) so both see the same emulator
// latency at the same moment; a side-by-side measurement, not two separate runs.
// Counts the TCP connections each side opens while timed (HTTP keep-alive), and
// times each AWS call from the moment its request is sent to the end of its
// response: the wait on the emulator, which the cost model replaces with a stated
// in-region latency (bench/prices.ts).
// Prints one JSON line of results on fd 3; what the handlers log goes to the real
// stdout/stderr, where the parent counts our handler's bytes (the floor logs nothing).
import diagnostics from 'node:diagnostics_channel';
import { readFileSync, writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const [ours, floor] = [await import(process.argv[2]), await import(process.argv[3])];
const { ours: oursEvents, floor: floorEvents } = JSON.parse(readFileSync(process.env.BENCH_EVENTS_FILE, 'utf8'));
const n = Number(process.env.BENCH_N ?? 2000);
const context = {
  awsRequestId: 'bench',
  functionName: 'bench',
  functionVersion: '$LATEST',
  memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  getRemainingTimeInMillis: () => 10_000,
};

const side = (handler, events) => ({ handler, events, next: 0, times: [], own: [], statuses: {}, firstFailure: undefined, sockets: 0, awsCalls: {}, wait: 0 });
// TCP connections each side opens during its timed calls: 0 when HTTP keep-alive reuses the warm connection.
let current;
let timing = false;
diagnostics.subscribe('net.client.socket', () => {
  if (timing && current) current.sockets++;
});
// The SDK's HTTP requests: `start` when a request is sent, `response.finish` when its
// headers arrive; its end is when the body has arrived too. Calls are awaited one at a
// time, so each request belongs to the side and the call that are current.
const sentAt = new WeakMap();
const SERVICES = { dynamodb: 'dynamodb', secretsmanager: 'secretsManager' };
const serviceOf = (request) => SERVICES[/^(\w+?)(?:_\d+)?\./.exec(String(request.getHeader('x-amz-target') ?? ''))?.[1].toLowerCase()] ?? 'other';
diagnostics.subscribe('http.client.request.start', ({ request }) => {
  if (!timing || !current) return;
  const s = current;
  const service = serviceOf(request);
  s.awsCalls[service] = (s.awsCalls[service] ?? 0) + 1;
  sentAt.set(request, { s, t0: performance.now() });
});
diagnostics.subscribe('http.client.response.finish', ({ request, response }) => {
  const sent = sentAt.get(request);
  if (sent) response.once('end', () => (sent.s.wait += performance.now() - sent.t0));
});
const sides = [side(ours.handler, oursEvents), side(floor.handler, floorEvents)];

// Lambda hands every invocation a fresh event (and middlewares may rewrite it): clone one per call, untimed.
// Each side's events are used in turn over the warm-up and the timed run together.
const call = async (s, timed) => {
  const event = structuredClone(s.events[s.next++ % s.events.length]);
  current = s;
  timing = timed;
  s.wait = 0;
  const t0 = performance.now();
  const res = await s.handler(event, context);
  const elapsed = performance.now() - t0;
  if (!timed) return;
  s.times.push(elapsed);
  s.own.push(elapsed - s.wait);
  s.statuses[res?.statusCode] = (s.statuses[res?.statusCode] ?? 0) + 1;
  if (!(res?.statusCode >= 200 && res?.statusCode < 300) && !s.firstFailure) s.firstFailure = { status: res?.statusCode, body: res?.body };
};

for (let i = 0; i < Number(process.env.BENCH_WARMUP ?? 100); i++) for (const s of sides) await call(s, false);
writeSync(1, '--- timed run ---\n');
writeSync(2, '--- timed run ---\n');
for (let i = 0; i < n; i++) for (const s of sides) await call(s, true);

const quantile = (xs, p) => {
  const t = [...xs].sort((a, b) => a - b);
  return t[Math.min(t.length - 1, Math.floor(p * t.length))];
};
const stats = (s) => ({
  median: quantile(s.times, 0.5),
  p99: quantile(s.times, 0.99),
  // The handler's own time: each call's time less its waits on the emulator. Other
  // processes on this machine can only add to it (preemption, a busy sibling core), so
  // its fast end is the handler's own work and its median moves with the machine's load.
  ownFast: quantile(s.own, 0.01),
  ownMedian: quantile(s.own, 0.5),
  ownQuantiles: Object.fromEntries([0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9].map((p) => [`p${Math.round(p * 100)}`, quantile(s.own, p)])),
  n: s.times.length,
  awsCallsPerRequest: Object.fromEntries(Object.entries(s.awsCalls).map(([k, v]) => [k, v / s.times.length])),
  statuses: s.statuses,
  firstFailure: s.firstFailure,
  sockets: s.sockets,
});
writeSync(3, `${JSON.stringify({ ours: stats(sides[0]), floor: stats(sides[1]) })}\n`);
