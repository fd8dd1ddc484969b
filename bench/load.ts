/**
 * `npm run load`: a burst on every public route of the local runtime, one route after another,
 * the way a browser population meets them: autocannon, 20,000 requests at concurrency 50 per
 * route, valid and invalid bodies mixed, every answer checked against what that very request
 * should get. Routes: resume (`POST /v1/load-entry-data`), legacy resume (the legacy Function
 * URL), create (`POST /v1/entries`), progress (`POST /v1/entries/{id}/progress`), link requests
 * (`POST /v1/entries/{id}/link-requests`), hand-offs (`POST /v1/entries/{id}/handoff`) and short
 * links (`GET /r/{code}`).
 *
 * A wrong answer is any answer other than the one the request should get: a 200 with another
 * entry's data, a 201 whose entry cannot be read back (every created entry is read back after
 * the burst, and every saved one must hold its last acknowledged save), a hand-off's link to another
 * entry or whose short link does not redirect to it, a redirect to another link, and a 429 where no
 * bound was reached. Each bound is either never reached or reached
 * deterministically: requests that share a bound's key (an entry, a source address, a
 * recipient) are never in flight together (the scheduler below), so the driver knows, when it
 * sends a request, whether a bound must refuse it; those 429s are counted apart, as by design.
 *
 * Sources. Each simulated browser has its own address, sent as `X-Forwarded-For`; the runtime
 * runs with `sourceFromForwardedFor` (bench/support/runtime-process.ts), so the per-source bounds
 * count browsers, as behind API Gateway, and every bound keeps its default. A separate check
 * after the bursts sends 101 creations and 21 link requests from one address each and requires
 * the 101st and the 21st to answer 429 by design.
 *
 *   --requests N (20,000)  --concurrency C (50)  --routes resume,create,...  --json  --record
 *
 * Writes load-report.md and load-results.json to bench/out/ (`--record`: the tracked ones in
 * bench/), and exits non-zero on any 5xx, wrong answer, connection error or failed bound check.
 */
import { createHash, randomBytes } from 'node:crypto';
import os from 'node:os';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { routePath } from '../lambdas/http/routes';
import { writeResults } from './output';
import { type RuntimeProcess, startRuntimeProcess } from './support/runtime-process';

const ROUTES = ['resume', 'legacy_resume', 'create', 'progress', 'link_requests', 'handoff', 'short_links'] as const;
type RouteName = (typeof ROUTES)[number];

const { values: args } = parseArgs({
  options: {
    requests: { type: 'string', default: '20000' },
    concurrency: { type: 'string', default: '50' },
    routes: { type: 'string', default: ROUTES.join(',') },
    json: { type: 'boolean', default: false },
    record: { type: 'boolean', default: false },
  },
});
const REQUESTS = Number(args.requests);
const CONCURRENCY = Number(args.concurrency);
const SELECTED = new Set(args.routes.split(',').map((r) => r.trim().replace(/-/g, '_')));
for (const r of SELECTED) if (!ROUTES.includes(r as RouteName)) throw new Error(`--routes: no route ${r} (routes: ${ROUTES.join(', ')})`);
if (!(REQUESTS >= CONCURRENCY && CONCURRENCY >= 1)) throw new Error('--requests must be at least --concurrency, and both positive');
const say = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);

const SITE = 'https://shop.example';
const OTHER_SITE = 'https://evil.example';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const FUTURE = new Date(Date.now() + 7 * 86400_000).toISOString();
const PAST = '2024-01-01T00:00:00.000Z';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const token = (secret: string, entryId: string, expiresAt: string) => sha(`${secret}---${entryId}---${expiresAt}`);
const hex = (n: number) => randomBytes(n).toString('hex');

/** A simulated browser's address: IPv6 documentation space, one /64 each (a source is counted by its /64). */
let browsers = 0;
const newBrowser = () => {
  const n = ++browsers;
  return `2001:db8:${(n >> 16).toString(16)}:${(n & 0xffff).toString(16)}::1`;
};

/** What a request must get back. `limit`: a 429 a bound answers by design. */
interface Expected {
  status: number;
  code?: string;
  limit?: boolean;
}

interface Case {
  kind: string;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
  /** Keys of the bounds (and entries) this request touches: never two in flight at once. */
  keys: readonly string[];
  /** Decided when the request is sent, from what the requests before it on the same keys were answered. */
  expect: () => Expected;
  /** Further checks of a right status (the entry's own data, a redirect's target); false is a wrong answer. */
  check?: (body: string, headers: Record<string, string>) => boolean;
  /** Told the answer, once it is judged right. */
  answered?: (status: number, body: string) => void;
  /**
   * After a 5xx on one of its keys, what else is right: that request's outcome is unknown (it may have been written
   * and counted, as a client that retries must assume too), so an answer that follows from either outcome is right.
   * Default: a 429 by design, from a bound the unknown request may have counted.
   */
  ifUnknown?: (status: number, code: string | undefined) => boolean;
  /** Told that it was answered 5xx: its outcome is unknown. */
  unknown?: () => void;
}

interface RouteResult {
  route: string;
  /** How many the population held: every one must be answered. */
  planned: number;
  requests: number;
  requests_per_second: number;
  p50_ms: number;
  p99_ms: number;
  statuses: Record<string, number>;
  wrong_answers: number;
  limited_by_design: number;
  five_xx: number;
  /** Answers judged by what either outcome of an earlier 5xx on their key allows (right, and counted apart). */
  after_unknown: number;
  errors: number;
  timeouts: number;
  /** Requests sent while another with a key of theirs was in flight (0 unless the population runs out of variety). */
  overlaps: number;
  by_kind: Record<string, { sent: number; wrong: number }>;
  /** Wrong answers found after the burst (a created entry not read back, a save not held). */
  wrong_after: number;
  load_average: string;
  examples: string[];
}

const json = (text: string): any => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

/** Admin and seeding calls, straight from the driver (no Origin: a backend's). */
const admin = async (url: string, method: string, body?: unknown): Promise<any> => {
  const res = await fetch(url, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${new URL(url).pathname}: ${res.status} ${text.slice(0, 300)}`);
  return json(text);
};

/** Runs `fn` over `items`, `width` at a time. */
const pool = async <T>(items: readonly T[], width: number, fn: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]);
    }),
  );
};

/**
 * One route's burst: autocannon, `cases.length` requests over CONCURRENCY connections. Each
 * connection asks for its next request when the last is answered; it gets the first case not
 * sent whose keys are all free (and that no earlier, unsent case on one of its keys precedes), so
 * the requests on one key go one after another, in the order written, and every bound's count
 * is known when a request is sent.
 */
const burst = async (route: RouteName, baseUrl: string, cases: Case[]): Promise<RouteResult> => {
  const statuses = new Map<number, number>();
  const byKind: Record<string, { sent: number; wrong: number }> = {};
  const examples: string[] = [];
  const inFlight = new Map<string, number>();
  const sent = new Uint8Array(cases.length);
  let cursor = 0;
  let overlaps = 0;
  let wrong = 0;
  let limited = 0;
  const LOOKAHEAD = 2000;
  const take = (): { c: Case; expected: Expected } => {
    while (cursor < cases.length && sent[cursor]) cursor++;
    let pick = -1;
    const blocked = new Set<string>();
    for (let i = cursor; i < cases.length && i < cursor + LOOKAHEAD; i++) {
      if (sent[i]) continue;
      const { keys } = cases[i];
      if (keys.every((k) => !inFlight.has(k) && !blocked.has(k))) {
        pick = i;
        break;
      }
      for (const k of keys) blocked.add(k);
    }
    if (pick < 0) {
      if (cursor >= cases.length) throw new Error(`${route}: autocannon asked for more requests than the population holds`);
      pick = cursor;
      overlaps++;
    }
    sent[pick] = 1;
    const c = cases[pick];
    for (const k of c.keys) inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
    return { c, expected: c.expect() };
  };
  // A key whose request was answered 5xx (the early timeout on a busy machine) may have been written and counted by its
  // bound anyway: from then on, what follows from either outcome is right on it (Case.ifUnknown). The 5xx itself is
  // counted as a 5xx, which fails the run, and not again as a wrong answer.
  const uncertain = new Set<string>();
  let afterUnknown = 0;
  const release = (c: Case) => {
    for (const k of c.keys) {
      const n = (inFlight.get(k) ?? 1) - 1;
      if (n === 0) inFlight.delete(k);
      else inFlight.set(k, n);
    }
  };
  const loadAverage = os.loadavg()[0].toFixed(1);
  const url = new URL(baseUrl);
  const result = await autocannon({
    url: baseUrl,
    connections: CONCURRENCY,
    amount: cases.length,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        setupRequest: (req, context) => {
          const { c, expected } = take();
          Object.assign(context, { c, expected });
          return { ...req, method: c.method as 'POST', path: c.path, headers: { host: url.host, ...c.headers }, body: c.body ?? '' };
        },
        onResponse: (status, body, context, headers) => {
          const { c, expected } = context as unknown as { c: Case; expected: Expected };
          release(c);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
          const kind = (byKind[c.kind] ??= { sent: 0, wrong: 0 });
          kind.sent++;
          const hdrs = Object.fromEntries(Object.entries(headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
          const code = json(body)?.error?.code as string | undefined;
          const describe = () => `${c.kind} ${c.method} ${c.path}: expected ${expected.status} ${expected.code ?? ''}, got ${status} ${body.slice(0, 200)}`;
          if (status >= 500) {
            for (const k of c.keys) uncertain.add(k);
            c.unknown?.();
            if (examples.length < 5) examples.push(describe());
            return;
          }
          let right = status === expected.status && (expected.code === undefined || code === expected.code);
          const unknown = !right && c.keys.some((k) => uncertain.has(k)) && (c.ifUnknown ? c.ifUnknown(status, code) : status === 429 && code !== undefined);
          if (unknown) {
            right = true;
            afterUnknown++;
          }
          if (right && c.check) right = c.check(body, hdrs);
          if (right) {
            if (expected.limit || (unknown && status === 429)) limited++;
            c.answered?.(status, body);
          } else {
            wrong++;
            kind.wrong++;
            if (examples.length < 5) examples.push(describe());
          }
        },
      },
    ],
  });
  const sorted = [...statuses].sort(([a], [b]) => a - b);
  return {
    route,
    planned: cases.length,
    requests: sorted.reduce((n, [, count]) => n + count, 0),
    requests_per_second: Math.round(result.requests.average),
    p50_ms: result.latency.p50,
    p99_ms: result.latency.p99,
    statuses: Object.fromEntries(sorted.map(([s, n]) => [String(s), n])),
    wrong_answers: wrong,
    limited_by_design: limited,
    five_xx: sorted.filter(([s]) => s >= 500).reduce((n, [, count]) => n + count, 0),
    after_unknown: afterUnknown,
    errors: result.errors,
    timeouts: result.timeouts,
    overlaps,
    by_kind: byKind,
    wrong_after: 0,
    load_average: loadAverage,
    examples,
  };
};

/**
 * Spreads per-item sequences so that each item's requests are far apart: a round takes one request of each list,
 * in order. `repeat`: lists of requests that can be sent again (reads) start each at its own offset, so that every
 * round mixes every kind, and go round again until `total`; other lists are sent once, in their order.
 */
const interleave = <T>(lists: readonly T[][], total: number, repeat = false): T[] => {
  const out: T[] = [];
  for (let round = 0; out.length < total; round++) {
    let any = false;
    for (const [n, list] of lists.entries()) {
      if (!repeat && round >= list.length) continue;
      // Lists sent once go in their written order: their expectations (stale after newer) depend on it.
      out.push(list[repeat ? (round + n) % list.length : round]);
      any = true;
      if (out.length === total) break;
    }
    if (!any) break;
  }
  return out;
};

const textPlain = { 'content-type': 'text/plain;charset=UTF-8' };
const appJson = { 'content-type': 'application/json' };
const fromPage = (browser: string, origin: string | null = SITE, type: Record<string, string> = textPlain) => ({
  ...type,
  'user-agent': CHROME,
  'x-forwarded-for': browser,
  ...(origin === null ? {} : { origin }),
});

interface Created {
  entryId: string;
  saveToken: string;
  projectId: string;
  flowId: string;
  browser: string;
  marker: string;
}

const main = async () => {
  const uptime = () =>
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')}`;
  say(`Starting the local runtime (its own process and moto)... ${uptime()}`);
  const rt: RuntimeProcess = await startRuntimeProcess();
  const api = rt.apiUrl;
  const results: RouteResult[] = [];
  const checks: Array<{ check: string; ok: boolean; detail: string }> = [];
  const run = Date.now().toString(36);
  try {
    const flow = 'flow_load';
    // A plain project (its backend saves), and browser-saves projects: 20 of them, so that no project's day
    // (10,000 creations, 1,000 link requests) is reached by the burst.
    const plain = `proj_load_${run}`;
    const { secret } = await admin(`${api}/v1/projects/${plain}/credentials`, 'POST', { label: 'load' });
    const browserProjects = Array.from({ length: 20 }, (_, i) => `proj_load_${run}_bs${i}`);
    const disabled = `proj_load_${run}_off`;
    await pool([...browserProjects, disabled], 4, async (p) => {
      await admin(`${api}/v1/projects/${p}/credentials`, 'POST', { label: 'load' });
      await admin(`${api}/v1/projects/${p}/allowed-origins`, 'PUT', { allowed_origins: [SITE] });
      if (p !== disabled) await admin(`${api}/v1/projects/${p}/browser-saves`, 'PUT', { enabled: true, sms_countries: ['GB'] });
    });
    const bsSecret = (await admin(`${api}/v1/projects/${browserProjects[0]}/credentials`, 'POST', { label: 'load resume', replace: true })).secret as string;

    const seedEntries = async (n: number, projectId: string, flowId: string, prefix: string) => {
      const ids = Array.from({ length: n }, (_, i) => ({ entryId: `entry_${prefix}_${i}_${hex(4)}`, marker: `m-${hex(6)}` }));
      await pool(ids, 16, async ({ entryId, marker }) => {
        await admin(`${api}/v1/entries/${entryId}`, 'PUT', { project_id: projectId, flow_id: flowId, current_page_key: 'page_2', user_data: { marker } });
      });
      return ids;
    };

    const entryMatches = (entryId: string, marker: string) => (body: string) => {
      const e = json(body)?.entry;
      return e?.entry_id === entryId && e?.marker === marker;
    };

    // ---- resume ----
    if (SELECTED.has('resume')) {
      const plainEntries = await seedEntries(300, plain, flow, 'r');
      const bsEntries = await seedEntries(100, browserProjects[0], flow, 'rb');
      const lists: Case[][] = [];
      const resumeCase = (
        kind: string,
        projectId: string,
        entryId: string,
        body: Record<string, unknown>,
        expected: Expected,
        extra: Partial<Case> = {},
      ): Case => ({
        kind,
        method: 'POST',
        path: routePath('loadEntryData'),
        headers: fromPage(newBrowser(), SITE, kind.endsWith('json') ? appJson : textPlain),
        body: JSON.stringify({ flow_id: flow, project_id: projectId, entry_id: entryId, ...body }),
        keys: [],
        expect: () => expected,
        ...extra,
      });
      for (const { entryId, marker } of plainEntries) {
        const valid = { token: token(secret, entryId, FUTURE), expires_at: FUTURE };
        const list = [
          ...Array.from({ length: 6 }, (_, k) =>
            resumeCase(k % 2 ? 'valid' : 'valid json', plain, entryId, valid, { status: 200 }, { check: entryMatches(entryId, marker) }),
          ),
          resumeCase('invalid token', plain, entryId, { token: token('wrong', entryId, FUTURE), expires_at: FUTURE }, { status: 401, code: 'invalid_token' }),
          resumeCase('expired', plain, entryId, { token: token(secret, entryId, PAST), expires_at: PAST }, { status: 401, code: 'token_expired' }),
          resumeCase('damaged link', plain, entryId, { token: valid.token.slice(0, 40), expires_at: FUTURE }, { status: 400, code: 'invalid_request' }),
        ];
        lists.push(list);
      }
      for (const { entryId, marker } of bsEntries) {
        // A person's resume of a browser-saves entry: the entry and a new save token (a rotation: one more write).
        const valid = { token: token(bsSecret, entryId, FUTURE), expires_at: FUTURE };
        lists.push(
          Array.from({ length: 6 }, () =>
            resumeCase(
              'valid, browser-saves (rotates)',
              browserProjects[0],
              entryId,
              valid,
              { status: 200 },
              {
                keys: [entryId],
                check: (body) => entryMatches(entryId, marker)(body) && /^s2\./.test(String(json(body)?.save_token)),
              },
            ),
          ),
        );
      }
      results.push(await burst('resume', api, interleave(lists, REQUESTS, true)));
    }

    // ---- legacy resume ----
    if (SELECTED.has('legacy_resume')) {
      const legacyFlow = `flow_legacy_${run}`;
      const legacyKey = `legacy_${hex(32)}`;
      await admin(`${api}/v1/legacy/flows/${legacyFlow}/key`, 'PUT', { secret: legacyKey, project_id: plain });
      const entries = await seedEntries(300, plain, legacyFlow, 'l');
      const lists = entries.map(({ entryId, marker }) => {
        const c = (kind: string, body: Record<string, unknown>, expected: Expected, check?: Case['check']): Case => ({
          kind,
          method: 'POST',
          path: '/',
          headers: fromPage(newBrowser(), SITE, kind.endsWith('json') ? appJson : textPlain),
          body: JSON.stringify({ flow_id: legacyFlow, entry_id: entryId, ...body }),
          keys: [],
          expect: () => expected,
          check,
        });
        return [
          ...Array.from({ length: 7 }, (_, k) =>
            c(k % 2 ? 'valid' : 'valid json', { token: token(legacyKey, entryId, FUTURE), expires: FUTURE }, { status: 200 }, entryMatches(entryId, marker)),
          ),
          c('invalid token', { token: token('wrong', entryId, FUTURE), expires: FUTURE }, { status: 401, code: 'invalid_token' }),
          c('expired', { token: token(legacyKey, entryId, PAST), expires: PAST }, { status: 401, code: 'token_expired' }),
          c('current contract field', { token: token(legacyKey, entryId, FUTURE), expires_at: FUTURE }, { status: 400, code: 'invalid_request' }),
        ];
      });
      results.push(await burst('legacy_resume', rt.legacyUrl, interleave(lists, REQUESTS, true)));
    }

    // ---- create ----
    const created: Created[] = [];
    const needCreated = SELECTED.has('create') || SELECTED.has('progress') || SELECTED.has('link_requests') || SELECTED.has('handoff');
    if (needCreated) {
      const cases: Case[] = [];
      // Without the create burst, as many as the other routes need.
      const total = SELECTED.has('create') ? REQUESTS : Math.ceil(REQUESTS / 3);
      for (let i = 0; cases.length < total; i++) {
        const projectId = browserProjects[i % browserProjects.length];
        const browser = newBrowser();
        const marker = `m-${hex(6)}`;
        const page = `page_${1 + (i % 4)}`;
        const body = (extra: Record<string, unknown> = {}) =>
          JSON.stringify({ project_id: projectId, flow_id: flow, current_page_key: page, user_data: { marker, step: 1 }, ...extra });
        const slot = i % 20;
        const c = (kind: string, headers: Record<string, string>, text: string, expected: Expected, extra: Partial<Case> = {}): Case => ({
          kind,
          method: 'POST',
          path: routePath('createEntry'),
          headers,
          body: text,
          keys: [],
          expect: () => expected,
          ...extra,
        });
        if (slot < 14) {
          cases.push(
            c(
              slot % 2 ? 'valid' : 'valid json',
              fromPage(browser, SITE, slot % 2 ? textPlain : appJson),
              body(),
              { status: 201 },
              {
                check: (text) => /^entry_[0-9a-f]{32}$/.test(String(json(text)?.entry_id)) && /^s2\./.test(String(json(text)?.save_token)),
                answered: (_, text) => {
                  const { entry_id, save_token } = json(text);
                  created.push({ entryId: entry_id, saveToken: save_token, projectId, flowId: flow, browser, marker });
                },
              },
            ),
          );
        } else if (slot === 14)
          cases.push(c('browser saves off', fromPage(browser), body({ project_id: disabled }), { status: 403, code: 'browser_saves_disabled' }));
        else if (slot === 15) cases.push(c('another origin', fromPage(browser, OTHER_SITE), body(), { status: 403, code: 'forbidden' }));
        else if (slot === 16) cases.push(c('no origin', fromPage(browser, null), body(), { status: 403, code: 'forbidden' }));
        else if (slot === 17) cases.push(c('not JSON', fromPage(browser), body().slice(0, -3), { status: 400, code: 'invalid_request' }));
        else if (slot === 18) cases.push(c('user_data not an object', fromPage(browser), body({ user_data: ['a'] }), { status: 400, code: 'invalid_request' }));
        else if (i % 200 === 19) cases.push(c('over 64 KiB', fromPage(browser), body({ user_data: { big: 'x'.repeat(66_000) } }), { status: 413 }));
        else
          cases.push(
            c('__proto__ key', fromPage(browser), body({ user_data: JSON.parse('{"__proto__": {"admin": true}, "a": 1}') }), {
              status: 400,
              code: 'invalid_request',
            }),
          );
      }
      const r = await burst('create', api, cases);
      // Every 201 must be readable: its entry, its project, its data.
      const seen = new Set<string>();
      await pool(created, 16, async (e) => {
        const res = await fetch(`${api}/v1/entries/${e.entryId}?project_id=${e.projectId}`);
        const got = res.status === 200 ? ((await res.json()) as any)?.entry : undefined;
        if (seen.has(e.entryId) || got?.user_data?.marker !== e.marker || got?.project_id !== e.projectId) {
          r.wrong_after++;
          if (r.examples.length < 5) r.examples.push(`created ${e.entryId} not read back: ${res.status}`);
        }
        seen.add(e.entryId);
      });
      r.wrong_answers += r.wrong_after;
      if (SELECTED.has('create')) results.push(r);
    }

    // ---- progress ----
    if (SELECTED.has('progress')) {
      const perEntry = 8;
      const entries = created.slice(0, Math.ceil(REQUESTS / perEntry));
      const last = new Map<string, { seq: number; marker: string; page: string }>();
      // Saves answered 5xx: each may or may not be stored.
      const unknownSaves = new Map<string, Array<{ seq: number; marker: string; page: string }>>();
      const lists = entries.map((e, n) => {
        const other = entries[(n + 1) % entries.length];
        const path = routePath('saveProgress').replace('{entry_id}', e.entryId);
        let seq = 0;
        const list: Case[] = [];
        const save = (kind: string, headers: Record<string, string>, s: number, expected: Expected, extra: Record<string, unknown> = {}): Case => {
          const marker = `p-${hex(6)}`;
          const page = `page_${s % 5}`;
          return {
            kind,
            method: 'POST',
            path,
            headers,
            body: JSON.stringify({
              project_id: e.projectId,
              flow_id: e.flowId,
              save_token: e.saveToken,
              seq: s,
              current_page_key: page,
              user_data: { marker, seq: s },
              ...extra,
            }),
            keys: [e.entryId],
            expect: () => expected,
            // A 200 is right only with its own seq, and it is then the entry's last acknowledged save.
            check: (text) => json(text)?.error !== undefined || json(text)?.seq === s,
            answered: (status) => {
              if (status === 200 && s > (last.get(e.entryId)?.seq ?? -1)) last.set(e.entryId, { seq: s, marker, page });
            },
            // After a save answered 5xx, stored or not: a save with the seq after it is stored or stale either way.
            ifUnknown: expected.status === 200 || expected.code === 'stale_save' ? (status, code) => status === 200 || code === 'stale_save' : undefined,
            unknown: () => unknownSaves.set(e.entryId, [...(unknownSaves.get(e.entryId) ?? []), { seq: s, marker, page }]),
          };
        };
        // An autosave every page, a beacon (text/plain) on pagehide, a late autosave that arrives after a newer one.
        list.push(save('save', fromPage(e.browser, SITE, appJson), (seq += 1000), { status: 200 }));
        list.push(save('save', fromPage(e.browser), (seq += 1000), { status: 200 }));
        list.push(save('stale (out of order)', fromPage(e.browser), seq - 500, { status: 409, code: 'stale_save' }));
        list.push(save('beacon', fromPage(e.browser), (seq += 1000), { status: 200 }));
        list.push(save("another entry's token", fromPage(e.browser), seq + 1, { status: 401, code: 'invalid_save_token' }, { save_token: other.saveToken }));
        list.push(save('another origin', fromPage(e.browser, OTHER_SITE), seq + 1, { status: 403, code: 'forbidden' }));
        list.push(save('equal seq', fromPage(e.browser), seq, { status: 409, code: 'stale_save' }));
        list.push(save('save', fromPage(e.browser), seq + 1000, { status: 200 }));
        return list;
      });
      const r = await burst('progress', api, interleave(lists, REQUESTS));
      // Every entry must hold its last acknowledged save, or a later one whose answer was a 5xx (stored or not).
      await pool([...last], 16, async ([entryId, want]) => {
        const e = entries.find((x) => x.entryId === entryId)!;
        const res = await fetch(`${api}/v1/entries/${entryId}?project_id=${e.projectId}`);
        const got = res.status === 200 ? ((await res.json()) as any)?.entry : undefined;
        const held = [want, ...(unknownSaves.get(entryId) ?? []).filter((u) => u.seq > want.seq)];
        if (!held.some((h) => got?.user_data?.marker === h.marker && got?.current_page_key === h.page)) {
          r.wrong_after++;
          if (r.examples.length < 5) r.examples.push(`${entryId} does not hold its last acknowledged save (seq ${want.seq})`);
        }
      });
      r.wrong_answers += r.wrong_after;
      results.push(r);
    }

    // ---- link requests ----
    if (SELECTED.has('link_requests')) {
      const perEntry = 6;
      // Entries not used by the progress burst's checks are as good: link requests do not change a save.
      const entries = created.slice(0, Math.ceil(REQUESTS / perEntry));
      const accepted = new Map<string, number>();
      let numbers = 0;
      let mails = 0;
      const lists = entries.map((e, n) => {
        const other = entries[(n + 1) % entries.length];
        const path = routePath('linkRequests').replace('{entry_id}', e.entryId);
        // Every 25th entry's first request names an address three other entries also name: its 4th is refused by design.
        const shared = `shared-${Math.floor(n / 4)}-${run}@mail.example`;
        const c = (kind: string, body: Record<string, unknown>, stateless?: Expected, origin = SITE): Case => {
          const to = typeof body.to === 'string' ? `${body.channel}:${body.to}` : undefined;
          const keys = [e.entryId, e.browser, ...(to ? [to] : [])];
          return {
            kind,
            method: 'POST',
            path,
            headers: fromPage(e.browser, origin),
            body: JSON.stringify({ project_id: e.projectId, flow_id: e.flowId, save_token: e.saveToken, ...body }),
            keys,
            expect: () => {
              if (stateless) return stateless;
              if ((accepted.get(e.entryId) ?? 0) >= 3) return { status: 429, code: 'too_many_link_requests', limit: true };
              if (to && (accepted.get(to) ?? 0) >= 3) return { status: 429, code: 'too_many_link_requests', limit: true };
              return { status: 202 };
            },
            check: (text) => {
              const got = json(text);
              return got?.channel === undefined || got.channel === body.channel;
            },
            answered: (status) => {
              if (status !== 202) return;
              for (const k of [e.entryId, ...(to ? [to] : [])]) accepted.set(k, (accepted.get(k) ?? 0) + 1);
            },
          };
        };
        const sharedGroup = n % 100 < 4;
        return [
          c('email', { channel: 'email', to: sharedGroup ? shared : `person${++mails}-${run}@mail.example` }),
          c('sms', { channel: 'sms', to: `+4474${String(10_000_000 + ++numbers).slice(-8)}` }),
          c("another entry's token", { channel: 'email', save_token: other.saveToken }, { status: 401, code: 'invalid_save_token' }),
          c('no recipient', { channel: 'email' }),
          c(
            n % 2 ? 'premium-rate number' : 'not an email address',
            n % 2 ? { channel: 'sms', to: '+449098790000' } : { channel: 'email', to: 'not-an-address' },
            n % 2 ? { status: 403, code: 'sms_not_allowed' } : { status: 400, code: 'invalid_request' },
          ),
          // The entry's 4th: over its 3 an hour.
          c('4th for the entry', { channel: 'email', to: `late${++mails}-${run}@mail.example` }),
        ];
      });
      results.push(await burst('link_requests', api, interleave(lists, REQUESTS)));
    }

    // ---- hand-offs ----
    if (SELECTED.has('handoff')) {
      const perEntry = 15;
      // Hand-offs count apart from link requests (10 an hour against 3); both share the entry's 100 unexpired page links.
      const entries = created.slice(0, Math.ceil(REQUESTS / perEntry));
      if (entries.length * perEntry < REQUESTS) throw new Error(`handoff: ${entries.length} entries created, ${Math.ceil(REQUESTS / perEntry)} needed`);
      const handedOut = new Map<string, number>();
      const links: Array<{ short: string; url: string }> = [];
      let handoffs = 0;
      const lists = entries.map((e, n) => {
        const other = entries[(n + 1) % entries.length];
        const path = routePath('handoff').replace('{entry_id}', e.entryId);
        const c = (kind: string, body: Record<string, unknown>, stateless?: Expected, origin = SITE): Case => ({
          kind,
          method: 'POST',
          path,
          headers: fromPage(e.browser, origin),
          body: JSON.stringify({ project_id: e.projectId, flow_id: e.flowId, save_token: e.saveToken, ...body }),
          keys: [e.entryId],
          expect: () => stateless ?? ((handedOut.get(e.entryId) ?? 0) >= 10 ? { status: 429, code: 'too_many_handoffs', limit: true } : { status: 201 }),
          // A 201's link is to this entry, for the page asked (sr_confirm=1), with a short link of this deployment.
          check: (text) => {
            const got = json(text);
            if (got?.error) return true;
            const url = URL.canParse(String(got?.url)) ? new URL(got.url) : undefined;
            return (
              url?.origin === SITE &&
              url.searchParams.get('entry_id') === e.entryId &&
              url.searchParams.get('sr_confirm') === '1' &&
              String(got.short_url).startsWith(`${api}/r/`) &&
              Date.parse(got.expires_at) > Date.now()
            );
          },
          answered: (status, text) => {
            if (status !== 201) return;
            handedOut.set(e.entryId, (handedOut.get(e.entryId) ?? 0) + 1);
            const got = json(text);
            if (handoffs++ % 10 === 0) links.push({ short: new URL(got.short_url).pathname, url: got.url });
          },
        });
        return [
          ...Array.from({ length: 5 }, (_, k) => c('handoff', k % 2 ? {} : { resume_url: `${SITE}/flow?step=${k}` })),
          c("another entry's token", { save_token: other.saveToken }, { status: 401, code: 'invalid_save_token' }),
          ...Array.from({ length: 3 }, () => c('handoff', {})),
          c('another origin', {}, { status: 403, code: 'forbidden' }, OTHER_SITE),
          c('resume_url on another origin', { resume_url: `${OTHER_SITE}/flow` }, { status: 400, code: 'invalid_request' }),
          ...Array.from({ length: 2 }, () => c('handoff', {})),
          // The entry's 11th: over its 10 an hour.
          c('11th for the entry', {}),
          c('no save token', { save_token: undefined }, { status: 400, code: 'invalid_request' }),
        ];
      });
      const r = await burst('handoff', api, interleave(lists, REQUESTS));
      // Every 10th short link handed out must redirect to its own link.
      await pool(links, 16, async ({ short, url }) => {
        const res = await fetch(`${api}${short}`, { redirect: 'manual', headers: { 'user-agent': CHROME } });
        await res.arrayBuffer();
        if (res.status !== 302 || res.headers.get('location') !== url) {
          r.wrong_after++;
          if (r.examples.length < 5) r.examples.push(`hand-off short link ${short}: ${res.status} to another place`);
        }
      });
      r.wrong_answers += r.wrong_after;
      results.push(r);
    }

    // ---- short links ----
    if (SELECTED.has('short_links')) {
      const entries = await seedEntries(500, plain, flow, 's');
      const minted: Array<{ path: string; url: string }> = [];
      for (let i = 0; i < entries.length; i += 250) {
        const batch = await admin(`${api}/v1/tokens/batch`, 'POST', {
          project_id: plain,
          flow_id: flow,
          resume_url: `${SITE}/flow`,
          short: true,
          links: entries.slice(i, i + 250).map((e) => ({ entry_id: e.entryId })),
        });
        for (const link of batch.links) minted.push({ path: new URL(link.short_url).pathname, url: link.url });
      }
      const lists = minted.map(({ path, url }) => {
        const c = (kind: string, method: string, p: string, expected: Expected, check?: Case['check'], accept = 'text/html'): Case => ({
          kind,
          method,
          path: p,
          headers: { 'user-agent': CHROME, accept, 'x-forwarded-for': newBrowser() },
          keys: [],
          expect: () => expected,
          check,
        });
        const toLink = (_: string, headers: Record<string, string>) => headers.location === url;
        return [
          // No HEAD (a link preview's): autocannon's parser cannot tell that a HEAD answer has no body, and waits for it.
          ...Array.from({ length: 7 }, () => c('click', 'GET', path, { status: 302 }, toLink)),
          c('unknown code', 'GET', `/r/${randomBytes(12).toString('base64url')}`, { status: 404 }),
          c('unknown code, JSON', 'GET', `/r/${randomBytes(12).toString('base64url')}`, { status: 404, code: 'not_found' }, undefined, 'application/json'),
          c('cut short', 'GET', path.slice(0, -5), { status: 404 }),
        ];
      });
      results.push(await burst('short_links', api, interleave(lists, REQUESTS, true)));
    }

    // ---- the per-source bounds still answer 429, at their defaults ----
    if (SELECTED.has('create') || SELECTED.has('link_requests')) {
      const post = async (path: string, browser: string, body: unknown) => {
        const res = await fetch(`${api}${path}`, { method: 'POST', headers: fromPage(browser), body: JSON.stringify(body) });
        return { status: res.status, body: json(await res.text()) };
      };
      const one = newBrowser();
      const answers: number[] = [];
      let last: any;
      const project = browserProjects[browserProjects.length - 1];
      for (let i = 0; i < 101; i++) {
        const r = await post(routePath('createEntry'), one, { project_id: project, flow_id: flow, current_page_key: 'page_1', user_data: { n: i } });
        answers.push(r.status);
        last = r.body;
      }
      const okCreate = answers.slice(0, 100).every((s) => s === 201) && answers[100] === 429 && last?.error?.code === 'too_many_entries';
      checks.push({
        check: 'per-source creation bound',
        ok: okCreate,
        detail: `101 creations from one address: ${answers.filter((s) => s === 201).length} × 201, the 101st ${answers[100]} ${last?.error?.code ?? ''}`,
      });
      // 21 link requests from one address, 3 to each of 7 entries made from other addresses.
      const targets: Created[] = [];
      for (let i = 0; i < 7; i++) {
        const r = await post(routePath('createEntry'), newBrowser(), { project_id: project, flow_id: flow, current_page_key: 'page_1', user_data: {} });
        targets.push({ entryId: r.body.entry_id, saveToken: r.body.save_token, projectId: project, flowId: flow, browser: '', marker: '' });
      }
      const two = newBrowser();
      const linkAnswers: number[] = [];
      for (let i = 0; i < 21; i++) {
        const t = targets[i % 7];
        const r = await post(routePath('linkRequests').replace('{entry_id}', t.entryId), two, {
          project_id: project,
          flow_id: flow,
          save_token: t.saveToken,
          channel: 'email',
        });
        linkAnswers.push(r.status);
        last = r.body;
      }
      const okLinks = linkAnswers.slice(0, 20).every((s) => s === 202) && linkAnswers[20] === 429 && /one network/.test(String(last?.error?.message));
      checks.push({
        check: 'per-source link-request bound',
        ok: okLinks,
        detail: `21 link requests from one address: ${linkAnswers.filter((s) => s === 202).length} × 202, the 21st ${linkAnswers[20]} ${last?.error?.code ?? ''}`,
      });
    }
  } finally {
    await rt.stop();
  }

  const header = `\`npm run load\` on ${new Date().toISOString()}: ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}; ${uptime()} at the end.`;
  const md = `# Load report

${header} The local runtime (its own moto) in its own process; autocannon in this one, ${CONCURRENCY} connections, up to ${REQUESTS} requests a route.
Each simulated browser sends its own address as \`X-Forwarded-For\`, and the runtime counts it as the request's source (\`sourceFromForwardedFor\`, the load run only); every bound keeps its default.

| route | requests | req/s | p50 | p99 | statuses | 429 by design | 5xx | wrong answers | load average at its start |
|---|---|---|---|---|---|---|---|---|---|
${results
  .map(
    (r) =>
      `| ${r.route} | ${r.requests} | ${r.requests_per_second} | ${r.p50_ms} ms | ${r.p99_ms} ms | ${Object.entries(r.statuses)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', ')} | ${r.limited_by_design} | ${r.five_xx} | ${r.wrong_answers} | ${r.load_average} |`,
  )
  .join('\n')}

| bound check | result |
|---|---|
${checks.map((c) => `| ${c.check} | ${c.ok ? 'ok' : 'FAILED'}: ${c.detail} |`).join('\n')}

${results
  .map(
    (r) =>
      `- **${r.route}**: ${Object.entries(r.by_kind)
        .map(([k, v]) => `${k} ${v.sent}${v.wrong ? ` (${v.wrong} wrong)` : ''}`)
        .join(
          ', ',
        )}${r.wrong_after ? `; ${r.wrong_after} wrong after the burst` : ''}${r.after_unknown ? `; ${r.after_unknown} judged by either outcome of an earlier 5xx on their key` : ''}${r.overlaps ? `; ${r.overlaps} sent while a request on one of their keys was in flight` : ''}${r.errors || r.timeouts ? `; ${r.errors} errors, ${r.timeouts} timeouts` : ''}${r.examples.length ? `\n  - ${r.examples.join('\n  - ')}` : ''}`,
  )
  .join('\n')}

A request is right only when it gets the answer it should: a valid link its own entry (and a browser-saves entry a new save token), a creation a 201 whose entry reads back with its data, a save its seq and the entry its last acknowledged save, a click a redirect to its own link, a refusal its own status and code. A 429 is right only where a bound was reached: a request on a key is never in flight with another on the same key, so the driver knows each bound's count when it sends one.
`;
  say(md);
  const summary = results.map((r) => ({
    route: r.route,
    requests: r.requests,
    requests_per_second: r.requests_per_second,
    p50_ms: r.p50_ms,
    p99_ms: r.p99_ms,
    statuses: r.statuses,
    wrong_answers: r.wrong_answers,
    limited_by_design: r.limited_by_design,
    load_average: r.load_average,
  }));
  if (args.json) process.stdout.write(`${JSON.stringify(summary)}\n`);
  writeResults('load', { 'load-results.json': `${JSON.stringify({ header, routes: results, checks }, null, 2)}\n`, 'load-report.md': md });
  const failures = [
    ...results
      .filter((r) => r.five_xx || r.wrong_answers || r.errors || r.timeouts || r.requests !== r.planned)
      .map(
        (r) =>
          `${r.route}: ${r.requests}/${r.planned} answered, ${r.five_xx} 5xx, ${r.wrong_answers} wrong answers, ${r.errors} errors, ${r.timeouts} timeouts`,
      ),
    ...checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`),
  ];
  if (failures.length) {
    process.stderr.write(`FAILED:\n  ${failures.join('\n  ')}\n`);
    process.exitCode = 1;
  }
};

await main();
