/**
 * `npm run soak`: nothing acknowledged is ever lost. Against the local runtime (its own
 * process, bench/support/runtime-process.ts), 50 entries of a browser-saves project, each typed
 * into by two simulated devices that run the shipped client itself (clients/session-recovery.js:
 * createAutosave's debounced saves, its retries on 503, its beacon on `pagehide`, then a reload
 * from the same storage; resumeFromUrl), with fetch and sendBeacon injected: each request is
 * delayed 0-300 ms before it leaves (so autosaves and beacons arrive out of order), 3% are
 * answered 503 without being sent (a throttle) and 2% are sent and their answer lost. Every few
 * seconds a link to each entry is minted and the other device resumes it, so the save token
 * rotates between the two.
 *
 * Each device types answers to 30 questions; every value it types is numbered from one counter
 * for the whole run, so a later value of a question has a higher number. A device saves all its
 * answers each time (the client's debounced save), and after a resume carries on from the
 * answers the resume gave it, as a page does. Every save answered 200 (or 201 for the entry's
 * creation) is checked, answer by answer: an acknowledged value must never be replaced by an
 * older one, neither by a later acknowledged save (each is checked against every value
 * acknowledged before it went), nor in what a resume answers, nor in the entry at the end. An
 * acknowledged save with any answer so replaced is lost. A save that landed unacknowledged (its
 * answer cut, or a 503 after its write) counts for nothing either way: the entry may hold it.
 *
 *   --minutes N (10)  --seconds N  --emulator serial|threaded (serial)  --json → {saves_acknowledged, saves_refused, saves_lost, rss_start_mb, rss_end_mb}
 *
 * The runtime's memory is read when the warm-up ends (a minute, or a third of a shorter run, at least 10 s) and at the
 * end: its RSS, and after a full garbage collection its live heap and what V8 has reserved, space by space. The
 * runtime runs with the V8 heap limits AWS Lambda's Node.js runtime gives a deployed function
 * (bench/support/lambda-heap.ts). Exits non-zero when a save was lost, a 5xx other than 503
 * came, or the runtime's RSS or its live heap grew by 20% or more after the warm-up (memoryVerdict).
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { routePath } from '../lambdas/http/routes';
import { type RuntimeMemory, startRuntimeProcess } from './support/runtime-process';

interface Outcome {
  status: string;
}
interface Autosave {
  save(pageKey: string, userData: Record<string, unknown>): Promise<Outcome>;
  flush(): Promise<Outcome>;
  sendUnsaved(): boolean;
  dispose(): void;
  readonly entryId: string | null;
}
interface ClientModule {
  createAutosave(options: Record<string, unknown>): Autosave;
  resumeFromUrl(options: Record<string, unknown>): Promise<Record<string, unknown> | null>;
}

export interface SoakResult {
  saves_acknowledged: number;
  saves_refused: number;
  saves_lost: number;
  rss_start_mb: number;
  rss_end_mb: number;
  /** The runtime's live heap after a full collection, after the warm-up and at the end: what it retains. */
  heap_start_mb: number;
  heap_end_mb: number;
  /** What the runtime's memory is made of, after the warm-up and at the end (each after a full collection). */
  memory_start: RuntimeMemory;
  memory_end: RuntimeMemory;
  /** Beyond the brief's figures. */
  refused_by_code: Record<string, number>;
  beacons: number;
  resumes: number;
  /** Resumes that answered the entry but no save token (other resumes or saves changed it at each of its rotations). */
  resumes_without_token: number;
  faults_injected: number;
  requests: number;
  /** 5xx other than 503 service_unavailable: none may come. */
  five_xx: number;
  /** 503 service_unavailable: the runtime's early timeout when its backend is slow (a busy machine); the client retries them. */
  busy: number;
  /** The runtime's RSS every 5 s, in MB. */
  rss_series: number[];
  lost_detail: string[];
  load_average: string;
}

const SITE = 'https://soak.example';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

/** localStorage, per device. */
class DeviceStorage {
  private readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, String(value));
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

/** The questions a device answers; each value typed is `<n>.<random>`, n from one counter for the run. */
const QUESTIONS = Array.from({ length: 30 }, (_, i) => `q${i}`);
type Answers = Record<string, string>;
const numberOf = (value: unknown): number => (typeof value === 'string' ? Number.parseInt(value, 10) : Number.NaN);
const answersOf = (data: Record<string, unknown> | null | undefined): Answers =>
  Object.fromEntries(QUESTIONS.filter((q) => typeof data?.[q] === 'string').map((q) => [q, data![q] as string]));

/** A save answered 200 or 201: its answers, and when its answer came. */
interface Ack {
  id: number;
  answers: Answers;
  at: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `emulator`: `serial` (the default), moto answering one connection at a time; `threaded`, moto's threaded server, to
 * compare. Both apply each request whole, so their conditional writes are atomic as DynamoDB's (local/moto-server.py;
 * bench/moto-atomicity.ts).
 */
export const runSoak = async (options: {
  seconds: number;
  entries?: number;
  emulator?: 'serial' | 'threaded';
  log?: (line: string) => void;
  /** When the memory is first read (default: a minute, or a third of a shorter run, at least 10 s). */
  warmUpSeconds?: number;
  /** Node.js flags the runtime's process gets besides its own (a test's `--import` of a module of its own). */
  runtimeFlags?: readonly string[];
}): Promise<SoakResult> => {
  const log = options.log ?? (() => undefined);
  const ENTRIES = options.entries ?? 50;
  const { createAutosave, resumeFromUrl } = (await import('../clients/session-recovery.js' as string)) as ClientModule;
  const rt = await startRuntimeProcess({ SERIAL_EMULATOR: String(options.emulator !== 'threaded') }, options.runtimeFlags);
  const realFetch = globalThis.fetch;
  const pending = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    pending.add(p);
    void p.finally(() => pending.delete(p)).catch(() => undefined);
    return p;
  };
  try {
    const api = rt.apiUrl;
    const admin = async (path: string, method: string, body: unknown, tries = 30): Promise<any> => {
      const res = await realFetch(`${api}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const text = await res.text();
      // A backend retries a 503 (the service is busy).
      if (res.status === 503 && tries > 1) return sleep(1000).then(() => admin(path, method, body, tries - 1));
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 200)}`);
      return JSON.parse(text);
    };
    const projectId = `proj_soak_${randomBytes(4).toString('hex')}`;
    const flowId = 'flow_soak';
    await admin(`/v1/projects/${projectId}/credentials`, 'POST', { label: 'soak' });
    await admin(`/v1/projects/${projectId}/allowed-origins`, 'PUT', { allowed_origins: [SITE] });
    await admin(`/v1/projects/${projectId}/browser-saves`, 'PUT', { enabled: true });

    // Per entry: every acknowledged save, and the highest number acknowledged for each question.
    const acks = new Map<string, Ack[]>();
    const ackedTop = new Map<string, Record<string, number>>();
    const refusedByCode: Record<string, number> = {};
    let acknowledged = 0;
    let ackIds = 0;
    let beacons = 0;
    let faults = 0;
    let requests = 0;
    let fiveXx = 0;
    let busy = 0;
    let resumes = 0;
    let noToken = 0;
    const lost: string[] = [];
    const lostSaves = new Set<number>();
    /** Per entry, what happened to it, for the report of a lost save. */
    const trail = new Map<string, string[]>();
    const note = (entryId: string, line: string) => {
      const list = trail.get(entryId) ?? [];
      list.push(`${(performance.now() / 1000).toFixed(2)} s ${line}`);
      if (list.length > 400) list.shift();
      trail.set(entryId, list);
    };
    const firstLost: string[] = [];

    /** What was acknowledged for an entry up to now: the highest number per question, and the last save's id. */
    const snapshot = (entryId: string) => ({ top: { ...ackedTop.get(entryId) }, lastId: ackIds });
    /**
     * Checks `held` (the answers an entry holds, a resume answered, or a later save carries) against the saves of
     * `entryId` acknowledged up to `before`: each of their answers must be held, or a later value of its question.
     * A save with an answer held only in an older value is lost.
     */
    const check = (entryId: string, held: Answers, before: ReturnType<typeof snapshot>, when: string) => {
      const heldNumber = (q: string) => (held[q] === undefined ? -1 : numberOf(held[q]));
      const older = Object.entries(before.top).filter(([q, n]) => !(heldNumber(q) >= n));
      if (older.length === 0) return;
      let count = 0;
      for (const a of acks.get(entryId) ?? []) {
        if (a.id > before.lastId || lostSaves.has(a.id)) continue;
        if (!Object.entries(a.answers).some(([q, v]) => numberOf(v) > heldNumber(q))) continue;
        lostSaves.add(a.id);
        count++;
      }
      if (count > 0 && firstLost.length === 0) firstLost.push(...(trail.get(entryId) ?? []).slice(-60), `${entryId} ${when}`);
      if (count > 0 && lost.length < 10) {
        const [q, n] = older[0];
        lost.push(
          `${entryId} ${when}: ${q} is ${held[q] ?? 'missing'}, older than ${n}, acknowledged (${older.length} answers older than acknowledged; ${count} saves lost)`,
        );
      }
    };

    /** What a page's request does on the wire: recorded, delayed, and now and then throttled or cut. */
    const wire = async (address: string, url: string, body: string, faultsOn: boolean): Promise<Response> => {
      const parsed = JSON.parse(body) as Record<string, any>;
      const progress = /\/progress$/.exec(new URL(url).pathname);
      const sentFor = progress ? decodeURIComponent(new URL(url).pathname.split('/')[3]) : undefined;
      const answers = answersOf(parsed.user_data);
      await sleep(Math.random() * 300);
      if (faultsOn && Math.random() < 0.03) {
        faults++;
        return new Response(JSON.stringify({ message: 'Service Unavailable' }), { status: 503, headers: { 'content-type': 'application/json' } });
      }
      // What was acknowledged before this save went: if it is acknowledged, it must hold all of that or later.
      const before = sentFor ? snapshot(sentFor) : { top: {}, lastId: 0 };
      requests++;
      const summary = (a: Answers) =>
        Object.entries(a)
          .map(([q, v]) => `${q}=${numberOf(v)}`)
          .join(',');
      if (sentFor) note(sentFor, `${address} sends seq ${parsed.seq} token ${String(parsed.save_token).split('.')[1]}: ${summary(answers)}`);
      const res = await realFetch(url, {
        method: 'POST',
        headers: { 'content-type': 'text/plain;charset=UTF-8', origin: SITE, 'user-agent': CHROME, 'x-forwarded-for': address },
        body,
      });
      const text = await res.text();
      if (res.status === 503 && /"service_unavailable"/.test(text)) busy++;
      else if (res.status >= 500) fiveXx++;
      const answer = text ? JSON.parse(text) : null;
      const entryId = progress ? sentFor : res.status === 201 ? String(answer.entry_id) : undefined;
      if (sentFor) note(sentFor, `${address} seq ${parsed.seq} answered ${res.status}`);
      if (entryId && res.status === (progress ? 200 : 201)) {
        acknowledged++;
        check(entryId, answers, before, `in a later acknowledged save (from ${address}, token ${String(parsed.save_token).split('.')[1]}, seq ${parsed.seq})`);
        const list = acks.get(entryId) ?? [];
        list.push({ id: ++ackIds, answers, at: performance.now() });
        acks.set(entryId, list);
        const top = ackedTop.get(entryId) ?? {};
        for (const [q, v] of Object.entries(answers)) top[q] = Math.max(top[q] ?? 0, numberOf(v));
        ackedTop.set(entryId, top);
      } else if (res.status === 409 || res.status === 401) {
        const code = String(answer?.error?.code);
        refusedByCode[code] = (refusedByCode[code] ?? 0) + 1;
      }
      if (faultsOn && Math.random() < 0.02) {
        faults++;
        throw new TypeError('the connection was lost before the answer (injected)');
      }
      return new Response(text, { status: res.status, headers: res.headers });
    };

    interface Device {
      name: string;
      address: string;
      storage: DeviceStorage;
      autosave: Autosave;
      /** What the person sees on this device's page: its own typing, over what its last resume answered. */
      answers: Answers;
    }
    const newAutosave = (d: Pick<Device, 'address' | 'storage'>) =>
      createAutosave({
        apiUrl: api,
        projectId,
        flowId,
        storage: d.storage,
        listen: false,
        fetch: (url: string, init: RequestInit) => track(wire(d.address, url, String(init.body), true)),
        sendBeacon: (url: string, body: string) => {
          beacons++;
          track(wire(d.address, url, body, false)).catch(() => undefined);
          return true;
        },
      });
    const device = (name: string, n: number): Device => {
      const d = { name, address: `2001:db8:50a1:${n.toString(16)}::1`, storage: new DeviceStorage(), answers: {} };
      return { ...d, autosave: newAutosave(d) };
    };

    // Resumes go through resumeFromUrl, which calls the page's fetch: a browser's, with its Origin.
    globalThis.fetch = ((url: string, init: RequestInit) =>
      realFetch(url, { ...init, headers: { ...(init.headers as Record<string, string>), origin: SITE, 'user-agent': CHROME } })) as typeof fetch;

    const started = performance.now();
    const end = started + options.seconds * 1000;
    let rssStart = Number.NaN;
    let memoryStart: RuntimeMemory | undefined;
    const warmUp = started + (options.warmUpSeconds ?? Math.min(60, Math.max(10, options.seconds / 3))) * 1000;
    const rssSeries: number[] = [];
    // Set when the run ends, however it ends: the samplers read nothing of a runtime stopped or stopping.
    let stopped = false;
    const sampler = (async () => {
      while (!stopped && performance.now() < warmUp) await sleep(250);
      if (stopped) return;
      rssStart = rt.rssMb();
      memoryStart = await rt.memoryAfterGc();
    })();
    const series = setInterval(() => rssSeries.push(rt.rssMb()), 5000);

    let counter = 0;
    const typeInto = (d: Device) => {
      const n = ++counter;
      d.answers[QUESTIONS[Math.floor(Math.random() * QUESTIONS.length)]] = `${n}.${randomBytes(4).toString('hex')}`;
      track(d.autosave.save(`page_${n % 5}`, { ...d.answers })).catch(() => undefined);
    };

    const entryLoop = async (i: number) => {
      const devices = [device('a', i * 2), device('b', i * 2 + 1)];
      let active = 0;
      // The pages open over the first second, not at one instant. The first save creates the entry; one the client
      // gave up on (503s past its retries, on a busy machine) goes again, as the person's next keystroke sends it.
      await sleep(Math.random() * 1000);
      devices[0].answers.q0 = `${++counter}.create`;
      let first = await devices[0].autosave.save('page_0', { ...devices[0].answers });
      while (first.status !== 'saved' && performance.now() < end) {
        await sleep(500 + Math.random() * 1000);
        first = await devices[0].autosave.save('page_0', { ...devices[0].answers });
      }
      if (first.status !== 'saved') throw new Error(`entry ${i} was not created in ${options.seconds} s: ${JSON.stringify(first)}`);
      const entryId = devices[0].autosave.entryId!;
      let nextRotation = performance.now() + 2000 + Math.random() * 5000;
      while (performance.now() < end) {
        await sleep(150 + Math.random() * 1000);
        typeInto(devices[active]);
        // The other device's page is still open now and then: its saves are refused once, then it stops.
        if (Math.random() < 0.2 && devices[1 - active].autosave.entryId) typeInto(devices[1 - active]);
        if (Math.random() < 0.05) {
          // pagehide: what is waiting goes by beacon, and the page reloads from the same storage.
          const d = devices[active];
          d.autosave.sendUnsaved();
          d.autosave.dispose();
          d.autosave = newAutosave(d);
        }
        if (performance.now() >= nextRotation) {
          nextRotation = performance.now() + 3000 + Math.random() * 5000;
          const { url } = await admin(routePath('mint'), 'POST', { project_id: projectId, entry_id: entryId, flow_id: flowId, resume_url: `${SITE}/flow` });
          const before = snapshot(entryId);
          const other = devices[1 - active];
          let entry: Record<string, unknown> | null;
          try {
            entry = await resumeFromUrl({ endpoint: `${api}${routePath('loadEntryData')}`, flowId, projectId, url, autosave: other.autosave });
          } catch (error) {
            log(`resume of entry ${i} failed: ${(error as Error).message}`);
            continue;
          }
          resumes++;
          note(
            entryId,
            `${other.address} resumed: ${Object.entries(answersOf(entry))
              .map(([q, v]) => `${q}=${numberOf(v)}`)
              .join(',')}`,
          );
          if (!other.autosave.entryId) {
            noToken++;
            log(`resume of entry ${i} (${entryId}) by ${other.address} answered no save token`);
          }
          // The resumed entry holds every answer acknowledged before the resume went, or a later one.
          other.answers = answersOf(entry);
          check(entryId, other.answers, before, 'in what a resume answered');
          active = 1 - active;
        }
      }
      return { entryId, devices, active };
    };

    let ends: Awaited<ReturnType<typeof entryLoop>>[];
    try {
      ends = await Promise.all(Array.from({ length: ENTRIES }, (_, i) => entryLoop(i)));
      // The pages send what is waiting, and every request still out lands.
      await Promise.all(ends.map(({ devices, active }) => devices[active].autosave.flush().catch(() => undefined)));
      while (pending.size) await Promise.allSettled([...pending]);
      await sampler;
    } finally {
      stopped = true;
      clearInterval(series);
    }
    const rssEnd = rt.rssMb();
    const memoryEnd = await rt.memoryAfterGc();
    for (const { entryId } of ends) {
      const res = await realFetch(`${api}/v1/entries/${entryId}?project_id=${projectId}`);
      const stored = ((await res.json()) as { entry?: { user_data?: Record<string, unknown> } }).entry;
      check(entryId, answersOf(stored?.user_data), snapshot(entryId), 'at the end');
    }
    for (const { devices } of ends) for (const d of devices) d.autosave.dispose();
    return {
      saves_acknowledged: acknowledged,
      saves_refused: (refusedByCode.stale_save ?? 0) + (refusedByCode.invalid_save_token ?? 0),
      saves_lost: lostSaves.size,
      rss_start_mb: rssStart,
      rss_end_mb: rssEnd,
      heap_start_mb: memoryStart!.heapUsed,
      heap_end_mb: memoryEnd.heapUsed,
      memory_start: memoryStart!,
      memory_end: memoryEnd,
      refused_by_code: refusedByCode,
      beacons,
      resumes,
      resumes_without_token: noToken,
      faults_injected: faults,
      requests,
      five_xx: fiveXx,
      busy,
      rss_series: rssSeries,
      lost_detail: [...lost, ...firstLost],
      load_average: os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(', '),
    };
  } finally {
    globalThis.fetch = realFetch;
    await rt.stop();
  }
};

/** The bound on the runtime's memory growth after the warm-up (issue 25: under 20%). */
export const MEMORY_GROWTH_BOUND = 0.2;

/** How much the runtime's memory grew after the warm-up: its RSS, its live heap; both must stay under 20%. */
export const memoryVerdict = (r: Pick<SoakResult, 'rss_start_mb' | 'rss_end_mb' | 'heap_start_mb' | 'heap_end_mb'>) => {
  const rssGrowth = (r.rss_end_mb - r.rss_start_mb) / r.rss_start_mb;
  const heapGrowth = (r.heap_end_mb - r.heap_start_mb) / r.heap_start_mb;
  return { rssGrowth, heapGrowth, within: rssGrowth < MEMORY_GROWTH_BOUND && heapGrowth < MEMORY_GROWTH_BOUND };
};

/** The figures of one memory reading: the RSS, and V8's heap by space. */
const describeMemory = (rss: number, m: RuntimeMemory) =>
  `RSS ${rss} MB, V8's heap ${m.heapTotal} MB (new space ${m.newSpace}, old ${m.oldSpace}, code ${m.codeSpace}, large objects ${m.largeObjectSpace}) of which ${m.heapUsed} MB live, ${m.external} MB external`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      minutes: { type: 'string', default: '10' },
      seconds: { type: 'string' },
      json: { type: 'boolean', default: false },
      emulator: { type: 'string', default: 'serial' },
    },
  });
  if (values.emulator !== 'serial' && values.emulator !== 'threaded') throw new Error('--emulator serial|threaded');
  const seconds = values.seconds !== undefined ? Number(values.seconds) : Number(values.minutes) * 60;
  const say = (line: string) => (values.json ? process.stderr : process.stdout).write(`${line}\n`);
  say(
    `npm run soak: ${seconds} s, 50 entries, two devices each, ${values.emulator} moto; load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(', ')} at the start`,
  );
  const r = await runSoak({ seconds, emulator: values.emulator, log: say });
  const { rssGrowth, heapGrowth, within } = memoryVerdict(r);
  const percent = (growth: number) => `${growth >= 0 ? '+' : ''}${(growth * 100).toFixed(1)}%`;
  say(
    `saves acknowledged ${r.saves_acknowledged}, refused ${r.saves_refused} (${Object.entries(r.refused_by_code)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ')}), lost ${r.saves_lost}; ` +
      `${r.resumes} resumes (token rotations; ${r.resumes_without_token} without a token), ${r.beacons} beacons, ${r.faults_injected} faults injected, ${r.requests} requests, ${r.five_xx} 5xx, ${r.busy} 503 busy (retried); ` +
      `the runtime's RSS ${r.rss_start_mb} MB after the warm-up, ${r.rss_end_mb} MB at the end (${percent(rssGrowth)}), its live heap after a full collection ${r.heap_start_mb} MB, then ${r.heap_end_mb} MB (${percent(heapGrowth)}); load average ${r.load_average} at the end`,
  );
  say(`  the runtime after the warm-up: ${describeMemory(r.rss_start_mb, r.memory_start)}`);
  say(`  the runtime at the end: ${describeMemory(r.rss_end_mb, r.memory_end)}`);
  say(`  the runtime's RSS every 5 s (MB): ${r.rss_series.join(' ')}`);
  for (const line of r.lost_detail) say(`  LOST: ${line}`);
  if (values.json) {
    const { saves_acknowledged, saves_refused, saves_lost, rss_start_mb, rss_end_mb } = r;
    process.stdout.write(`${JSON.stringify({ saves_acknowledged, saves_refused, saves_lost, rss_start_mb, rss_end_mb })}\n`);
  }
  if (r.saves_lost > 0 || r.five_xx > 0 || !within) {
    process.stderr.write(
      `FAILED: ${r.saves_lost} saves lost, ${r.five_xx} 5xx, RSS ${percent(rssGrowth)}, live heap ${percent(heapGrowth)} (each must stay under +20%)\n`,
    );
    process.exitCode = 1;
  }
}
