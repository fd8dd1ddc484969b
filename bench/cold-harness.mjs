// One new Lambda instance: a fresh Node process that loads a bundle and answers
// its first request, as a user who clicks a link that lands on a new instance
// waits for it. Times are from the process's start (performance.timeOrigin), so
// Node's own start-up counts for both sides alike, as the runtime's does in AWS.
// Usage: node cold-harness.mjs <bundle URL>, with the event in BENCH_EVENT.
// Prints one JSON line on fd 3: when the module load began and ended, when the
// answer was complete, its status, the connections and AWS requests it made, and
// the CPU time the process had used by then (every thread's, Node's start included),
// which other processes on a shared machine delay but do not add to.
import diagnostics from 'node:diagnostics_channel';
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const SERVICES = { dynamodb: 'dynamodb', secretsmanager: 'secretsManager' };
const serviceOf = (request) => SERVICES[/^(\w+?)(?:_\d+)?\./.exec(String(request.getHeader('x-amz-target') ?? ''))?.[1].toLowerCase()] ?? 'other';
const awsCalls = {};
let connections = 0;
diagnostics.subscribe('net.client.socket', () => connections++);
diagnostics.subscribe('http.client.request.start', ({ request }) => {
  const service = serviceOf(request);
  awsCalls[service] = (awsCalls[service] ?? 0) + 1;
});
const context = {
  awsRequestId: 'bench-cold',
  functionName: 'bench',
  functionVersion: '$LATEST',
  memoryLimitInMB: '256',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:bench',
  getRemainingTimeInMillis: () => 10_000,
};

const event = JSON.parse(process.env.BENCH_EVENT);
const loadStart = performance.now();
const { handler } = await import(process.argv[2]);
const loaded = performance.now();
const result = await handler(event, context);
const answered = performance.now();
const { user, system } = process.cpuUsage();
writeSync(3, `${JSON.stringify({ loadStart, loaded, answered, cpu: (user + system) / 1000, status: result?.statusCode, connections, awsCalls })}\n`);
// Like a frozen instance: the keep-alive connections do not hold the process.
process.exit(0);
