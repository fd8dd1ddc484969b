/**
 * `npm run load`: a burst of resume requests against the local runtime, the way a
 * campaign email lands: autocannon, a mix of valid, invalid and expired links,
 * every answer checked. Writes load-report.md and load-results.json to bench/out/
 * (ignored by git; `npm run load -- --record` writes the tracked ones in bench/),
 * and exits non-zero on any 5xx or wrong answer. A script with a report, not a
 * timed test: its figures depend on the machine.
 *
 *   LOAD_REQUESTS (default 20000), LOAD_CONNECTIONS (default 50), LOAD_ENTRIES (default 200)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import autocannon from 'autocannon';
import { writeResults } from './output';

const root = path.join(import.meta.dirname, '..');
const REQUESTS = Number(process.env.LOAD_REQUESTS ?? 20_000);
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const ENTRIES = Number(process.env.LOAD_ENTRIES ?? 200);
const FUTURE = new Date(Date.now() + 7 * 86400_000).toISOString();
const PAST = '2024-01-01T00:00:00.000Z';

type Kind = 'valid' | 'invalid' | 'expired';
interface Case {
  kind: Kind;
  body: string;
  entryId: string;
  marker: string;
}

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** Starts `npm start`'s runtime in its own process (with its own moto) on a free port; resolves with its API URL. */
const startRuntime = (): Promise<{ child: ChildProcess; apiUrl: string }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--disable-warning=DEP0040', '--import', 'tsx', path.join(root, 'local', 'start.ts')], {
      env: { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== 'AWS_ENDPOINT_URL')), PORT: '0', LEGACY_PORT: '0' },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const lines = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => reject(new Error('the local runtime did not start within 60 s')), 60_000);
    lines.on('line', (line) => {
      const m = /^\s+API\s+(http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ child, apiUrl: m[1] });
      }
    });
    child.once('exit', (code) => reject(new Error(`the local runtime exited with ${code}`)));
  });

const call = async (url: string, method: string, body: unknown) => {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (res.status >= 300) throw new Error(`${method} ${url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
};

const seed = async (apiUrl: string): Promise<Case[]> => {
  const project = `proj_load_${Date.now()}`;
  const flow = 'flow_load';
  const { secret } = await call(`${apiUrl}/v1/projects/${project}/credentials`, 'POST', { label: 'load test' });
  const cases: Case[] = [];
  for (let i = 0; i < ENTRIES; i++) {
    const entryId = `entry_load_${i}`;
    const marker = `answer-${i}-${sha(String(i)).slice(0, 8)}`;
    await call(`${apiUrl}/v1/entries/${entryId}`, 'PUT', { project_id: project, flow_id: flow, current_page_key: `page_${i % 5}`, user_data: { marker } });
    const body = (token: string, expiresAt: string) => JSON.stringify({ flow_id: flow, project_id: project, entry_id: entryId, token, expires_at: expiresAt });
    const valid = sha(`${secret}---${entryId}---${FUTURE}`);
    // 7 valid : 2 invalid : 1 expired
    for (let k = 0; k < 7; k++) cases.push({ kind: 'valid', body: body(valid, FUTURE), entryId, marker });
    cases.push({ kind: 'invalid', body: body(valid.replace(/^./, (c) => (c === 'a' ? 'b' : 'a')), FUTURE), entryId, marker });
    cases.push({ kind: 'invalid', body: body(sha(`wrong---${entryId}---${FUTURE}`), FUTURE), entryId, marker });
    cases.push({ kind: 'expired', body: body(sha(`${secret}---${entryId}---${PAST}`), PAST), entryId, marker });
  }
  // Interleave, so every connection sees every kind.
  return cases.sort((a, b) => sha(a.body).localeCompare(sha(b.body)));
};

/** Whether the answer is the right one for the case. */
const correct = (c: Case, status: number, body: string): boolean => {
  try {
    const json = JSON.parse(body);
    if (c.kind === 'valid') return status === 200 && json.entry?.entry_id === c.entryId && json.entry?.marker === c.marker;
    if (c.kind === 'invalid') return status === 401 && json.error?.code === 'invalid_token';
    return status === 401 && json.error?.code === 'token_expired';
  } catch {
    return false;
  }
};

const main = async () => {
  const { child, apiUrl } = await startRuntime();
  try {
    const cases = await seed(apiUrl);
    const byStatus = new Map<number, number>();
    const byKind: Record<Kind, { sent: number; wrong: number }> = { valid: { sent: 0, wrong: 0 }, invalid: { sent: 0, wrong: 0 }, expired: { sent: 0, wrong: 0 } };
    let next = 0;
    const result = await autocannon({
      url: apiUrl,
      connections: CONNECTIONS,
      amount: REQUESTS,
      requests: [
        {
          method: 'POST',
          path: '/v1/load-entry-data',
          headers: { 'content-type': 'application/json' },
          setupRequest: (req, context) => {
            const c = cases[next++ % cases.length];
            (context as { case?: Case }).case = c;
            return { ...req, body: c.body };
          },
          onResponse: (status, body, context) => {
            const c = (context as { case: Case }).case;
            byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
            byKind[c.kind].sent++;
            if (!correct(c, status, body)) byKind[c.kind].wrong++;
          },
        },
      ],
    });
    const fiveXx = [...byStatus].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    const wrong = Object.values(byKind).reduce((n, k) => n + k.wrong, 0);
    const answered = [...byStatus.values()].reduce((a, b) => a + b, 0);
    const report = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
      requests: REQUESTS,
      connections: CONNECTIONS,
      answered,
      errors: result.errors,
      timeouts: result.timeouts,
      durationSeconds: result.duration,
      throughputRps: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max },
      byStatus: Object.fromEntries([...byStatus].sort(([a], [b]) => a - b)),
      byKind,
      fiveXx,
      wrongAnswers: wrong,
    };
    const md = `# Load report

\`npm run load\` on ${report.date}: ${report.machine}. The local runtime (moto behind it) in its own process; autocannon in this one.

| requests | connections | answered | throughput | p50 | p90 | p99 | max | 5xx | wrong answers | errors / timeouts |
|---|---|---|---|---|---|---|---|---|---|---|
| ${REQUESTS} | ${CONNECTIONS} | ${answered} | ${report.throughputRps} req/s | ${report.latencyMs.p50} ms | ${report.latencyMs.p90} ms | ${report.latencyMs.p99} ms | ${report.latencyMs.max} ms | ${fiveXx} | ${wrong} | ${result.errors} / ${result.timeouts} |

| status | count |
|---|---|
${[...byStatus].sort(([a], [b]) => a - b).map(([s, c]) => `| ${s} | ${c} |`).join('\n')}

| kind of link | sent | wrong answers |
|---|---|---|
${Object.entries(byKind).map(([k, v]) => `| ${k} | ${v.sent} | ${v.wrong} |`).join('\n')}

A valid link counts as right only when it returns 200 with its own entry (entry id and the user-data marker saved for it); an invalid one only as 401 \`invalid_token\`; an expired one only as 401 \`token_expired\`.
`;
    process.stdout.write(md);
    writeResults('load', { 'load-results.json': `${JSON.stringify(report, null, 2)}\n`, 'load-report.md': md });
    if (fiveXx > 0 || wrong > 0 || answered !== REQUESTS || result.errors > 0) {
      console.error(`FAILED: ${fiveXx} 5xx, ${wrong} wrong answers, ${answered}/${REQUESTS} answered, ${result.errors} errors`);
      process.exitCode = 1;
    }
  } finally {
    child.kill('SIGTERM');
  }
};

await main();
