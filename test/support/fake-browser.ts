import { routePath } from '../../lambdas/http/routes';

/**
 * What the browser clients' saving logic needs from a browser, as test doubles:
 * a clock whose timers run only when the test moves it, a Storage, and the
 * browser-saves routes as a fetch function, which answers as the API does
 * (test/integration/browser-saves.test.ts checks the API itself) and can be
 * told to fail.
 */

/** Lets every promise chain that is ready run (a real turn of the event loop, no waiting on the clock). */
export const settle = async (): Promise<void> => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

export class FakeClock {
  private readonly timers = new Map<number, { at: number; fn: () => void }>();
  private nextId = 0;
  constructor(public time = Date.UTC(2026, 5, 1)) {}
  readonly now = (): number => this.time;
  readonly setTimeout = (fn: () => void, ms: number): number => {
    this.timers.set(++this.nextId, { at: this.time + ms, fn });
    return this.nextId;
  };
  readonly clearTimeout = (id: unknown): void => {
    this.timers.delete(id as number);
  };
  /** The delays of the timers waiting now, from now. */
  pending(): number[] {
    return [...this.timers.values()].map((t) => t.at - this.time).sort((a, b) => a - b);
  }
  /** Moves the clock by `ms`, running each timer due on the way, and what it sets off. */
  async advance(ms: number): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      await settle();
      const due = [...this.timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.timers.delete(due[0]);
      this.time = due[1].at;
      due[1].fn();
    }
    this.time = end;
    await settle();
  }
}

export class MemoryStorage {
  readonly map = new Map<string, string>();
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.map.set(key, String(value));
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
  /** The parsed value under `key`. */
  json(key: string): unknown {
    const raw = this.map.get(key);
    return raw === undefined ? undefined : JSON.parse(raw);
  }
}

export interface SentRequest {
  readonly url: string;
  readonly path: string;
  readonly init: RequestInit;
  readonly body: Record<string, unknown>;
}

/** A failure to answer the next request with: a status with an error code, or no answer at all. */
export type Fault = 'network' | { status: number; code?: string; retryAfter?: string };

const errorResponse = (status: number, code: string | undefined, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(code ? { error: { code, message: `refused: ${code}` } } : { message: 'Too Many Requests' }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PROGRESS_PATH = new RegExp(`^${routePath('saveProgress').split('{entry_id}').map(escape).join('([^/]+)')}$`);
const LINK_REQUESTS_PATH = new RegExp(`^${routePath('linkRequests').replace('{entry_id}', '([^/]+)')}$`);
const HANDOFF_PATH = new RegExp(`^${routePath('handoff').replace('{entry_id}', '([^/]+)')}$`);

/** The browser-saves routes in memory: entries with their save token, last seq, page and user data. */
export class FakeSavesApi {
  readonly entries = new Map<string, { token: string; seq: number; page: string; data: unknown }>();
  readonly requests: SentRequest[] = [];
  /** Link requests answered, per entry. */
  readonly linkRequests = new Map<string, number>();
  readonly faults: Fault[] = [];
  private created = 0;
  private gate: Promise<void> | undefined;
  constructor(readonly apiUrl = 'https://api.example') {}

  /** Holds the answers to requests from now on until the returned function is called; they are answered as things stand then. */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((resolve) => (release = resolve));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  readonly fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const path = url.slice(this.apiUrl.length);
    const body = JSON.parse(init.body as string) as Record<string, unknown>;
    this.requests.push({ url, path, init, body });
    await this.gate;
    const fault = this.faults.shift();
    if (fault === 'network') throw new TypeError('Failed to fetch');
    if (fault) return errorResponse(fault.status, fault.code, fault.retryAfter ? { 'retry-after': fault.retryAfter } : {});
    return this.answer(path, body);
  };

  /** What a beacon's request does on arrival (its answer goes nowhere). */
  beacon(url: string, body: string): void {
    const path = url.slice(this.apiUrl.length);
    this.requests.push({ url, path, init: { method: 'POST', body }, body: JSON.parse(body) as Record<string, unknown> });
    this.answer(path, JSON.parse(body) as Record<string, unknown>);
  }

  private answer(path: string, body: Record<string, unknown>): Response {
    if (path === routePath('createEntry')) {
      const entryId = `entry_fake_${++this.created}`;
      const token = `st_${entryId}_${'x'.repeat(20)}`;
      this.entries.set(entryId, { token, seq: 0, page: body.current_page_key as string, data: body.user_data });
      return new Response(JSON.stringify({ entry_id: entryId, save_token: token }), { status: 201 });
    }
    const [, linkEntryId] = LINK_REQUESTS_PATH.exec(path) ?? [];
    if (linkEntryId) {
      // As the API: the entry's save token, then at most 3 requests (this fake's whole life is within the hour).
      const entry = this.entries.get(linkEntryId);
      if (!entry || body.save_token !== entry.token) return errorResponse(401, 'invalid_save_token');
      this.linkRequests.set(linkEntryId, (this.linkRequests.get(linkEntryId) ?? 0) + 1);
      if (this.linkRequests.get(linkEntryId)! > 3) return errorResponse(429, 'too_many_link_requests', { 'retry-after': '3600' });
      return new Response(JSON.stringify({ channel: body.channel, expires_at: '2099-01-01T00:00:00.000Z' }), { status: 202 });
    }
    const [, handoffEntryId] = HANDOFF_PATH.exec(path) ?? [];
    if (handoffEntryId) {
      const entry = this.entries.get(handoffEntryId);
      if (!entry || body.save_token !== entry.token) return errorResponse(401, 'invalid_save_token');
      const url = `https://quiz.example/?token=t&entry_id=${handoffEntryId}&expires_at=2099-01-01T00%3A10%3A00.000Z&sr_confirm=1`;
      return new Response(JSON.stringify({ url, short_url: `https://go.example/r/${handoffEntryId}`, expires_at: '2099-01-01T00:10:00.000Z' }), {
        status: 201,
      });
    }
    const [, entryId] = PROGRESS_PATH.exec(path) ?? [];
    if (!entryId) return errorResponse(404, 'not_found');
    const entry = this.entries.get(entryId);
    if (!entry) return errorResponse(404, 'entry_not_found');
    if (body.save_token !== entry.token) return errorResponse(401, 'invalid_save_token');
    if ((body.seq as number) <= entry.seq) return errorResponse(409, 'stale_save');
    Object.assign(entry, { seq: body.seq, page: body.current_page_key, data: body.user_data });
    return new Response(JSON.stringify({ seq: body.seq }), { status: 200 });
  }
}
