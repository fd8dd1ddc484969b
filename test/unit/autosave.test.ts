import QRCode from 'qrcode';
import { routePath } from '../../lambdas/http/routes';
import { FakeClock, FakeSavesApi, MemoryStorage, settle } from '../support/fake-browser';

/**
 * createAutosave (clients/session-recovery.js), the saving logic the save Action
 * shares, without a browser: a fake clock, storage and API. Chromium runs the
 * real thing against the local runtime (test/e2e/browser-saves.test.ts).
 */

interface Outcome {
  status: string;
  entryId?: string;
  seq?: number;
  code?: string;
  message?: string;
}
interface Autosave {
  save(pageKey: string, userData: Record<string, unknown>): Promise<Outcome>;
  flush(): Promise<Outcome>;
  sendUnsaved(): boolean;
  resumed(entry: { entry_id: string }, saveToken?: string): void;
  requestLink(request: { channel: string; to?: string; resumeUrl?: string }): Promise<{ channel: string; expiresAt: string }>;
  handoff(request?: { resumeUrl?: string }): Promise<{ url: string; short_url: string; expires_at: string; svg: string }>;
  forget(): void;
  dispose(): void;
  readonly entryId: string | null;
}
interface ClientModule {
  createAutosave(options: Record<string, unknown>): Autosave;
  SessionRecoveryError: new (...args: unknown[]) => Error & { code: string };
}
const { createAutosave, SessionRecoveryError } = (await import('../../clients/session-recovery.js' as string)) as ClientModule;

const PROJECT = 'proj_saves';
const FLOW = 'flow_saves';
const KEY = `session-recovery:${PROJECT}:${FLOW}`;
const DEBOUNCE = 1000;

const setup = (options: { storage?: MemoryStorage | null; clock?: FakeClock; api?: FakeSavesApi; random?: number; debounceMs?: number | undefined } = {}) => {
  const api = options.api ?? new FakeSavesApi();
  const clock = options.clock ?? new FakeClock();
  const storage = options.storage === undefined ? new MemoryStorage() : options.storage;
  const errors: Error[] = [];
  const beacons: Array<{ url: string; body: string }> = [];
  let beaconAccepted = true;
  const autosave = createAutosave({
    apiUrl: `${api.apiUrl}/`,
    projectId: PROJECT,
    flowId: FLOW,
    storage,
    debounceMs: 'debounceMs' in options ? options.debounceMs : DEBOUNCE,
    fetch: api.fetch,
    sendBeacon: (url: string, body: string) => {
      beacons.push({ url, body });
      if (beaconAccepted) api.beacon(url, body);
      return beaconAccepted;
    },
    onError: (error: Error) => errors.push(error),
    clock,
    random: () => options.random ?? 0.5,
    listen: false,
  });
  return { api, clock, storage, autosave, errors, beacons, refuseBeacons: () => (beaconAccepted = false) };
};

const progressPath = (entryId: string) => routePath('saveProgress').replace('{entry_id}', entryId);

describe('createAutosave', () => {
  it('creates the entry on the first save after the debounce, keeps it in storage, and saves on to it with its token and a rising seq', async () => {
    const { api, clock, storage, autosave } = setup();

    const first = autosave.save('page_1', { name: 'Ada' });
    await clock.advance(DEBOUNCE - 1);
    expect(api.requests).toEqual([]);
    await clock.advance(1);

    expect(await first).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: 0 });
    expect(api.requests.map((r) => [r.url, r.body])).toEqual([
      ['https://api.example/v1/entries', { project_id: PROJECT, flow_id: FLOW, current_page_key: 'page_1', user_data: { name: 'Ada' } }],
    ]);
    expect(api.requests[0].init).toEqual({
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: api.requests[0].init.body,
      credentials: 'omit',
      referrerPolicy: 'no-referrer',
    });
    const { token } = api.entries.get('entry_fake_1')!;
    expect(storage!.json(KEY)).toEqual({ entry_id: 'entry_fake_1', save_token: token, seq: 0 });
    expect(autosave.entryId).toBe('entry_fake_1');

    const second = autosave.save('page_2', { name: 'Ada', plan: 'team' });
    await clock.advance(DEBOUNCE);

    expect(await second).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: clock.now() });
    expect(api.requests[1].url).toBe(`https://api.example${progressPath('entry_fake_1')}`);
    expect(api.requests[1].body).toEqual({
      project_id: PROJECT,
      flow_id: FLOW,
      current_page_key: 'page_2',
      user_data: { name: 'Ada', plan: 'team' },
      save_token: token,
      seq: clock.now(),
    });
    expect(storage!.json(KEY)).toEqual({ entry_id: 'entry_fake_1', save_token: token, seq: clock.now() });
    expect(api.entries.get('entry_fake_1')).toMatchObject({ page: 'page_2', data: { name: 'Ada', plan: 'team' } });
  });

  it('waits 1000 ms by default', async () => {
    const { api, clock, autosave } = setup({ debounceMs: undefined });
    const outcome = autosave.save('page_1', { a: 1 });
    await clock.advance(999);
    expect(api.requests).toEqual([]);
    await clock.advance(1);
    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: 0 });
  });

  it('sends one request for saves within the debounce, with the newest content, and every caller gets its outcome', async () => {
    const { api, clock, autosave } = setup();

    const calls = [autosave.save('page_1', { a: 1 }), autosave.save('page_1', { a: 2 })];
    await clock.advance(DEBOUNCE / 2);
    calls.push(autosave.save('page_2', { a: 3 }));
    await clock.advance(DEBOUNCE / 2);
    expect(api.requests).toEqual([]);
    await clock.advance(DEBOUNCE / 2);

    expect(await Promise.all(calls)).toEqual(Array(3).fill({ status: 'saved', entryId: 'entry_fake_1', seq: 0 }));
    expect(api.requests.map((r) => [r.body.current_page_key, r.body.user_data])).toEqual([['page_2', { a: 3 }]]);
  });

  it('does not send content equal to the last saved, and keeps the entry id, page and a resume error out of the user data', async () => {
    const { api, clock, autosave } = setup();
    void autosave.save('page_1', { a: 1, entry_id: 'entry_fake_1', current_page_key: 'page_1', session_recovery_error: 'token_expired' });
    await clock.advance(DEBOUNCE);

    expect(await autosave.save('page_1', { a: 1 })).toEqual({ status: 'unchanged' });
    expect(await autosave.flush()).toEqual({ status: 'unchanged' });
    expect(api.requests.map((r) => r.body.user_data)).toEqual([{ a: 1 }]);
  });

  it('flush() sends at once, and never two requests at a time: a save made while one is out goes after it', async () => {
    const { api, clock, autosave } = setup();
    const release = api.hold();

    const first = autosave.save('page_1', { a: 1 });
    void autosave.flush();
    await settle();
    expect(api.requests).toHaveLength(1);
    const second = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);
    expect(api.requests).toHaveLength(1);
    release();
    await clock.advance(0);

    expect(await first).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: 0 });
    expect(await second).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: clock.now() });
    expect(api.requests.map((r) => r.body.current_page_key)).toEqual(['page_1', 'page_2']);
  });

  it('keeps seq rising across a reload, even when the clock went back', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const before = setup({ storage, clock });
    void before.autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    void before.autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);
    const last = (storage.json(KEY) as { seq: number }).seq;
    before.autosave.dispose();

    clock.time -= 60_000;
    const after = setup({ storage, clock, api: before.api });
    const outcome = after.autosave.save('page_3', { a: 3 });
    await clock.advance(DEBOUNCE);

    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: last + 1 });
  });

  it('two tabs sharing storage save to one entry with strictly rising numbers', async () => {
    const storage = new MemoryStorage();
    const clock = new FakeClock();
    const api = new FakeSavesApi();
    const tabs = [setup({ storage, clock, api }), setup({ storage, clock, api })];

    void tabs[0].autosave.save('page_1', { tab: 0 });
    await clock.advance(DEBOUNCE);
    for (let i = 1; i <= 6; i++) {
      void tabs[i % 2].autosave.save(`page_${i}`, { tab: i % 2, i });
      void tabs[(i + 1) % 2].autosave.save(`page_${i}`, { tab: (i + 1) % 2, i });
      await clock.advance(DEBOUNCE);
    }

    const seqs = api.requests.slice(1).map((r) => r.body.seq as number);
    expect(api.requests.slice(1).every((r) => r.path === progressPath('entry_fake_1'))).toBe(true);
    expect(seqs).toHaveLength(12);
    expect(seqs.every((seq, i) => i === 0 || seq > seqs[i - 1])).toBe(true);
    expect(api.entries.size).toBe(1);
  });

  it('moves past a higher seq another device stored (409 stale_save), jumping 1 s, 2 s, 4 s... past the refused number', async () => {
    const { api, clock, storage, autosave } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    // Another device, whose clock is 5 s ahead, saved last.
    api.entries.get('entry_fake_1')!.seq = clock.now() + DEBOUNCE + 5_000;

    const outcome = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);

    const t = clock.now();
    // Each try: the refused number, plus the jump, plus one.
    expect(api.requests.slice(1).map((r) => r.body.seq)).toEqual([t, t + 1_001, t + 3_002, t + 7_003]);
    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: t + 7_003 });
    expect((storage!.json(KEY) as { seq: number }).seq).toBe(t + 7_003);
  });

  it('gives up on stale_save after 20 jumps (12 days), reports it, and the next save goes on from the raised number', async () => {
    const { api, clock, autosave, errors } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    api.entries.get('entry_fake_1')!.seq = Number.MAX_SAFE_INTEGER - 1;

    const outcome = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);

    expect(await outcome).toEqual({ status: 'failed', code: 'stale_save', message: 'refused: stale_save' });
    expect(api.requests).toHaveLength(1 + 21);
    const seqs = api.requests.slice(1).map((r) => r.body.seq as number);
    expect(seqs.at(-1)! - seqs[0]).toBe((2 ** 20 - 1) * 1000 + 20);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(SessionRecoveryError);
    expect((errors[0] as InstanceType<typeof SessionRecoveryError>).code).toBe('stale_save');
    api.entries.get('entry_fake_1')!.seq = 0;
    const next = autosave.save('page_3', { a: 3 });
    await clock.advance(DEBOUNCE);
    expect(await next).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: seqs.at(-1)! + 1 });
  });

  it.each([
    ['503 with Retry-After: 3', { status: 503, code: 'service_unavailable', retryAfter: '3' }, 3_000],
    ["API Gateway's 429", { status: 429 }, 750],
    ['no answer (a network failure)', 'network' as const, 750],
  ])('retries after %s, then saves', async (_, fault, firstWait) => {
    const { api, clock, autosave } = setup();
    api.faults.push(fault);

    const outcome = autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    expect(api.requests).toHaveLength(1);
    expect(clock.pending()).toEqual([firstWait]);
    await clock.advance(firstWait);

    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: 0 });
    expect(api.requests).toHaveLength(2);
  });

  it('retries 5 times with exponential backoff, then reports the failure and keeps the content for the next try', async () => {
    const { api, clock, autosave, errors } = setup({ random: 0 });
    api.faults.push(...Array(6).fill({ status: 503, code: 'service_unavailable' }));

    const outcome = autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      waits.push(...clock.pending());
      await clock.advance(clock.pending()[0]);
    }

    expect(waits).toEqual([500, 1_000, 2_000, 4_000, 8_000]);
    expect(await outcome).toEqual({ status: 'failed', code: 'service_unavailable', message: 'refused: service_unavailable' });
    expect(api.requests).toHaveLength(6);
    expect(errors.map((e) => (e as Error & { code: string }).code)).toEqual(['service_unavailable']);
    expect(await autosave.flush()).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: 0 });
  });

  it.each([
    [400, 'invalid_request'],
    [403, 'forbidden'],
    [403, 'browser_saves_disabled'],
    [413, 'payload_too_large'],
    [500, 'internal_error'],
  ])('does not retry a %i %s', async (status, code) => {
    const { api, clock, autosave, errors } = setup();
    api.faults.push({ status, code });

    const outcome = autosave.save('page_1', { a: 1 });
    await clock.advance(60_000);

    expect(await outcome).toEqual({ status: 'failed', code, message: `refused: ${code}` });
    expect(api.requests).toHaveLength(1);
    expect(errors).toHaveLength(1);
  });

  it('starts a new entry on the next save when the entry is gone (404 entry_not_found)', async () => {
    const { api, clock, storage, autosave } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    api.entries.delete('entry_fake_1');

    const failed = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);
    expect((await failed).status).toBe('failed');
    expect(storage!.json(KEY)).toBeUndefined();
    const next = autosave.save('page_2', { a: 2, b: 3 });
    await clock.advance(DEBOUNCE);

    expect(await next).toEqual({ status: 'saved', entryId: 'entry_fake_2', seq: 0 });
    expect(api.requests.at(-1)!.path).toBe(routePath('createEntry'));
  });

  it('stops saving when its save token was ended (401 invalid_save_token: the entry was resumed on another device): continued_elsewhere, reported once, in every tab, and no new entry until forget()', async () => {
    const { api, clock, storage, autosave, errors } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    // Another device resumed the entry, which gave it a new save token.
    api.entries.get('entry_fake_1')!.token = 'st_the_other_device';

    const refused = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);

    expect(await refused).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
    expect(errors.map((e) => (e as Error & { code: string }).code)).toEqual(['continued_elsewhere']);
    expect(storage!.json(KEY)).toMatchObject({ entry_id: 'entry_fake_1', ended: true });
    // Later saves, and another tab's, send nothing and start no entry.
    expect(await autosave.save('page_3', { a: 3 })).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
    const otherTab = setup({ api, clock, storage });
    expect(await otherTab.autosave.save('page_3', { a: 4 })).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
    expect(autosave.sendUnsaved()).toBe(false);
    await expect(autosave.requestLink({ channel: 'email' })).rejects.toMatchObject({ code: 'continued_elsewhere' });
    expect(api.requests).toHaveLength(2);
    expect(errors).toHaveLength(1);

    autosave.forget();
    const fresh = autosave.save('page_1', { a: 5 });
    await clock.advance(DEBOUNCE);
    expect(await fresh).toEqual({ status: 'saved', entryId: 'entry_fake_2', seq: 0 });
  });

  it('stops saving too when a link request finds its token ended', async () => {
    const { api, clock, storage, autosave } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    api.entries.get('entry_fake_1')!.token = 'st_the_other_device';

    await expect(autosave.requestLink({ channel: 'email' })).rejects.toMatchObject({ code: 'continued_elsewhere', status: 401 });

    expect(storage!.json(KEY)).toMatchObject({ ended: true });
    expect(await autosave.save('page_2', { a: 2 })).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
  });

  it('after a resume, an ended entry saves again with the token the resume answered', async () => {
    const { api, clock, storage, autosave } = setup();
    storage!.setItem(KEY, JSON.stringify({ entry_id: 'entry_fake_9', save_token: 'st_old', seq: 3, ended: true }));
    api.entries.set('entry_fake_9', { token: 'st_new', seq: 0, page: 'page_1', data: {} });

    autosave.resumed({ entry_id: 'entry_fake_9' }, 'st_new');
    const outcome = autosave.save('page_2', { a: 1 });
    await clock.advance(DEBOUNCE);

    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_fake_9', seq: clock.now() });
  });

  it('after resumed(entry, token), saves go to that entry with that token; on the same entry the numbering goes on', async () => {
    const { api, clock, storage, autosave } = setup();
    api.entries.set('entry_elsewhere', { token: 'st_resumed', seq: 0, page: 'page_2', data: {} });
    storage!.setItem(KEY, JSON.stringify({ entry_id: 'entry_older', save_token: 'st_older', seq: 5 }));

    autosave.resumed({ entry_id: 'entry_elsewhere' }, 'st_resumed');
    expect(storage!.json(KEY)).toEqual({ entry_id: 'entry_elsewhere', save_token: 'st_resumed', seq: 0 });
    const outcome = autosave.save('page_3', { a: 3 });
    await clock.advance(DEBOUNCE);

    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_elsewhere', seq: clock.now() });
    expect(api.requests.map((r) => [r.path, r.body.save_token])).toEqual([[progressPath('entry_elsewhere'), 'st_resumed']]);
    autosave.resumed({ entry_id: 'entry_elsewhere' }, 'st_resumed');
    expect(storage!.json(KEY)).toEqual({ entry_id: 'entry_elsewhere', save_token: 'st_resumed', seq: clock.now() });
  });

  it('after a resume without a save token, and after forget(), the next save starts a new entry', async () => {
    for (const reset of [(a: Autosave) => a.resumed({ entry_id: 'entry_fake_1' }), (a: Autosave) => a.forget()]) {
      const { api, clock, storage, autosave } = setup();
      void autosave.save('page_1', { a: 1 });
      await clock.advance(DEBOUNCE);
      const pending = autosave.save('page_2', { a: 2 });

      reset(autosave);

      expect(await pending).toEqual({ status: 'dropped' });
      expect(storage!.json(KEY)).toBeUndefined();
      expect(autosave.entryId).toBeNull();
      void autosave.save('page_1', { b: 1 });
      await clock.advance(DEBOUNCE);
      expect(api.requests.map((r) => r.path)).toEqual([routePath('createEntry'), routePath('createEntry')]);
    }
  });

  it('sends what is not saved by beacon, with a higher seq, only when something is unsaved and the entry exists', async () => {
    const { api, clock, autosave, beacons } = setup();
    void autosave.save('page_1', { a: 1 });
    expect(autosave.sendUnsaved()).toBe(false);
    await clock.advance(DEBOUNCE);
    expect(autosave.sendUnsaved()).toBe(false);

    const pending = autosave.save('page_2', { a: 2 });
    expect(autosave.sendUnsaved()).toBe(true);

    const { token } = api.entries.get('entry_fake_1')!;
    expect(beacons).toEqual([
      {
        url: `https://api.example${progressPath('entry_fake_1')}`,
        body: JSON.stringify({ project_id: PROJECT, flow_id: FLOW, save_token: token, seq: clock.now(), current_page_key: 'page_2', user_data: { a: 2 } }),
      },
    ]);
    expect(await pending).toEqual({ status: 'sent', entryId: 'entry_fake_1', seq: clock.now() });
    // The debounced request is not sent as well.
    await clock.advance(DEBOUNCE);
    expect(api.requests.map((r) => r.body.user_data)).toEqual([{ a: 1 }, { a: 2 }]);
    expect(autosave.sendUnsaved()).toBe(false);
  });

  it('keeps the content for a request when the browser refuses the beacon', async () => {
    const { api, clock, autosave, refuseBeacons } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    refuseBeacons();

    const pending = autosave.save('page_2', { a: 2 });
    expect(autosave.sendUnsaved()).toBe(false);
    await clock.advance(DEBOUNCE);

    expect((await pending).status).toBe('saved');
    expect(api.entries.get('entry_fake_1')!.data).toEqual({ a: 2 });
  });

  it('does not send older content again when its request comes back stale after a beacon carried newer content', async () => {
    const { api, clock, autosave } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    const release = api.hold();
    const older = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);

    void autosave.save('page_3', { a: 3 });
    expect(autosave.sendUnsaved()).toBe(true);
    release();
    await clock.advance(60_000);

    expect(await older).toMatchObject({ status: 'sent' });
    expect(api.requests.map((r) => r.body.current_page_key)).toEqual(['page_1', 'page_2', 'page_3']);
    expect(api.entries.get('entry_fake_1')).toMatchObject({ page: 'page_3', data: { a: 3 } });
  });

  it('works without storage (blocked by the browser), keeping the entry in memory', async () => {
    const { api, clock, autosave } = setup({ storage: null });
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);
    const outcome = autosave.save('page_2', { a: 2 });
    await clock.advance(DEBOUNCE);

    expect(await outcome).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: clock.now() });
    expect(api.entries.size).toBe(1);
  });
});

describe('createAutosave after the stored entry is removed (a start over in another script)', () => {
  it('saves the same content again, to a new entry', async () => {
    const { api, clock, storage, autosave } = setup();
    void autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);

    storage!.removeItem(KEY);
    const again = autosave.save('page_1', { a: 1 });
    await clock.advance(DEBOUNCE);

    expect(await again).toEqual({ status: 'saved', entryId: 'entry_fake_2', seq: 0 });
    expect(api.requests.map((r) => r.path)).toEqual([routePath('createEntry'), routePath('createEntry')]);
  });
});

describe('autosave.requestLink', () => {
  const linkPath = (entryId: string) => routePath('linkRequests').replace('{entry_id}', entryId);

  it('sends what is waiting, then asks for a link for the entry with its save token, as a simple request', async () => {
    const { api, clock, autosave } = setup();
    void autosave.save('page_1', { name: 'Ada' });

    const asked = autosave.requestLink({ channel: 'sms', to: '+447700900123', resumeUrl: 'https://quiz.example/resume' });
    await clock.advance(0);

    expect(await asked).toEqual({ channel: 'sms', expiresAt: '2099-01-01T00:00:00.000Z' });
    expect(api.requests.map((r) => r.path)).toEqual([routePath('createEntry'), linkPath('entry_fake_1')]);
    expect(api.requests[1].body).toEqual({
      project_id: PROJECT,
      flow_id: FLOW,
      save_token: 'st_entry_fake_1_xxxxxxxxxxxxxxxxxxxx',
      channel: 'sms',
      to: '+447700900123',
      resume_url: 'https://quiz.example/resume',
    });
    expect((api.requests[1].init.headers as Record<string, string>)['Content-Type']).toBe('text/plain;charset=UTF-8');
  });

  it('rejects with no_entry before anything is saved, and sends nothing', async () => {
    const { api, autosave } = setup();

    const failure = await autosave.requestLink({ channel: 'email' }).catch((e: unknown) => e);

    expect(failure).toBeInstanceOf(SessionRecoveryError);
    expect((failure as { code: string }).code).toBe('no_entry');
    expect(api.requests).toEqual([]);
  });

  it("rejects with the API's code, too_many_link_requests on the fourth in an hour, and its status", async () => {
    const { clock, autosave } = setup();
    void autosave.save('page_1', { name: 'Ada' });
    await clock.advance(DEBOUNCE);
    for (let i = 0; i < 3; i++) await autosave.requestLink({ channel: 'email' });

    const failure = (await autosave.requestLink({ channel: 'email' }).catch((e: unknown) => e)) as { code: string; status: number };

    expect([failure.code, failure.status]).toEqual(['too_many_link_requests', 429]);
  });
});

describe('autosave.handoff', () => {
  const handoffPath = (entryId: string) => routePath('handoff').replace('{entry_id}', entryId);

  it("sends what is waiting, asks for the entry's hand-off link with its save token, and draws the short link's QR code as SVG with qrcode", async () => {
    const { api, clock, autosave } = setup();
    void autosave.save('page_1', { name: 'Ada' });

    const asked = autosave.handoff({ resumeUrl: 'https://quiz.example/resume' });
    await clock.advance(0);
    const shown = await asked;

    expect(api.requests.map((r) => r.path)).toEqual([routePath('createEntry'), handoffPath('entry_fake_1')]);
    expect(api.requests[1].body).toEqual({
      project_id: PROJECT,
      flow_id: FLOW,
      save_token: 'st_entry_fake_1_xxxxxxxxxxxxxxxxxxxx',
      resume_url: 'https://quiz.example/resume',
    });
    expect(shown).toEqual({
      url: expect.stringContaining('sr_confirm=1'),
      short_url: 'https://go.example/r/entry_fake_1',
      expires_at: '2099-01-01T00:10:00.000Z',
      svg: expect.stringMatching(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 \d+ \d+"/),
    });
    // The code of the short link, as the library draws it (test/e2e/handoff.test.ts reads it back from the screen).
    expect(shown.svg).toBe(await QRCode.toString('https://go.example/r/entry_fake_1', { type: 'svg', errorCorrectionLevel: 'M', margin: 4 }));
  });

  it('rejects with continued_elsewhere once the entry was resumed elsewhere (401 invalid_save_token), and the next save resolves so with no request', async () => {
    const { api, clock, autosave } = setup();
    void autosave.save('page_1', { name: 'Ada' });
    await clock.advance(DEBOUNCE);
    api.entries.get('entry_fake_1')!.token = 'st_rotated_by_the_other_device';

    const failure = (await autosave.handoff().catch((e: unknown) => e)) as { code: string; status: number; message: string };

    expect([failure.code, failure.status, failure.message]).toEqual([
      'continued_elsewhere',
      401,
      'You continued on another device, so this page no longer saves this flow.',
    ]);
    const sent = api.requests.length;
    expect(await autosave.save('page_2', { name: 'Ada', plan: 'team' })).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
    expect(api.requests).toHaveLength(sent);
  });
});
