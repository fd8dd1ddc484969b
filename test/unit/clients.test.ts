import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { routePath } from '../../lambdas/http/routes';
import { configureSnippet } from '../../local/demo-site';
import { CLIENTS, clientPath, renderClients } from '../../scripts/clients';
import { docText } from '../support/docs';
import { FakeClock, FakeSavesApi, MemoryStorage, settle } from '../support/fake-browser';

const source = (name: string) => readFileSync(clientPath(name), 'utf8');

it.each(Object.keys(CLIENTS))('clients/%s is up to date with clients/src/ (run `npm run build:clients`)', (name) => {
  expect(source(name)).toBe(renderClients()[name]);
});

it("the sizes docs/handoff.md states, in KB, are the built clients': session-recovery.js without the qrcode library, session-recovery-qrcode.js with it", () => {
  const stated =
    /`clients\/session-recovery\.js` is (\d+) KB \((\d+) KB with `gzip -9`\) and `clients\/session-recovery-qrcode\.js` (\d+) KB \((\d+) KB\)/.exec(
      docText('docs/handoff.md'),
    );
  const kb = (name: string) => [Math.round(Buffer.byteLength(source(name)) / 1000), Math.round(gzipSync(source(name), { level: 9 }).length / 1000)];
  expect(stated?.slice(1).map(Number)).toEqual([...kb('session-recovery.js'), ...kb('session-recovery-qrcode.js')]);
  expect(source('session-recovery.js')).not.toContain('The npm package qrcode');
  expect(source('session-recovery-qrcode.js')).toContain('The npm package qrcode');
});

const ACTIONS = {
  'embeddables-action.js': {
    settings: { EMBEDDABLE_ID: 'flow_1', PROJECT_ID: 'proj_1', LOAD_ENTRY_DATA_URL: 'https://api.example/v1/load-entry-data' },
    expiry: 'expires_at',
  },
  'embeddables-action-legacy.js': { settings: { EMBEDDABLE_ID: 'flow_1', LEGACY_LOAD_ENTRY_DATA_URL: 'https://legacy.example/' }, expiry: 'expires' },
} as const;
const SAVE_ACTION = 'embeddables-save-action.js';
const progressPath = (entryId: string) => routePath('saveProgress').replace('{entry_id}', entryId);
const SAVE_SETTINGS = { EMBEDDABLE_ID: 'flow_1', PROJECT_ID: 'proj_1', API_URL: 'https://api.example' };

/** A page for Actions to run in, as Embeddables runs them: classic scripts sharing one window. */
const fakePage = (href: string, api?: FakeSavesApi) => {
  const url = new URL(href);
  const clock = new FakeClock();
  const storage = new MemoryStorage();
  const addressBar: string[] = [];
  const consoleLines: string[] = [];
  const posted: Array<{ url: string; init: RequestInit }> = [];
  const listeners: Record<string, Array<() => void>> = {};
  const on = (type: string, fn: () => void) => (listeners[type] ??= []).push(fn);
  let resumeAnswer: Record<string, unknown> = { entry: { entry_id: 'entry_1', current_page_key: 'page_2' } };
  let resumeStatus = 200;
  const window = {
    location: {
      get href() {
        return url.href;
      },
      get search() {
        return url.search;
      },
    },
    history: {
      state: null,
      replaceState: (_state: unknown, _title: string, to: string) => {
        addressBar.push(to);
        const next = new URL(to, url);
        url.search = next.search;
        url.hash = next.hash;
      },
    },
    localStorage: storage,
    navigator: { sendBeacon: (to: string, body: string) => (api?.beacon(to, body), true) },
    setTimeout: clock.setTimeout,
    clearTimeout: clock.clearTimeout,
    addEventListener: on,
    Savvy: { goToPage: () => undefined },
    fetch: async (to: string, init: RequestInit) => {
      posted.push({ url: to, init });
      if (api && to.startsWith(api.apiUrl) && !to.endsWith(routePath('loadEntryData'))) return api.fetch(to, init);
      return new Response(JSON.stringify(resumeAnswer), { status: resumeStatus });
    },
  };
  const record = (...args: unknown[]) => consoleLines.push(args.map(String).join(' '));
  const context = vm.createContext({
    window,
    document: { visibilityState: 'visible', addEventListener: on },
    URL,
    URLSearchParams,
    console: { info: record, warn: record, error: record },
    fetch: window.fetch,
  });
  const set: Array<Record<string, unknown>> = [];
  /** Runs an Action with its @TODO values filled in, as Embeddables calls it. */
  const run = async (name: string, settings: Record<string, string>, userData: Record<string, unknown> = {}) => {
    // In a scope of its own, so the Actions of one page (and one Action run again) do not clash.
    const output = vm.runInContext(`(function () {\n${configureSnippet(source(name), settings)}\nreturn output\n})()`, context) as (
      ...args: unknown[]
    ) => Promise<Record<string, unknown>>;
    return output(userData, { setUserData: (data: Record<string, unknown>) => set.push(data) }, {});
  };
  return {
    run,
    clock,
    storage,
    addressBar,
    posted,
    set,
    consoleLines,
    listeners,
    /** Sets a property of the page's window, as the page's own script would. */
    setWindow: (name: string, value: unknown) => Object.assign(window, { [name]: value }),
    answerResumeWith: (answer: Record<string, unknown>, status = 200) => {
      resumeAnswer = answer;
      resumeStatus = status;
    },
  };
};

/** Runs an Action on a page at `search`; returns its outcome and what it posted. */
const runAction = async (name: keyof typeof ACTIONS, search: string) => {
  const page = fakePage(`https://quiz.example/flow${search}`);
  const outcome = await page.run(name, ACTIONS[name].settings);
  return { outcome, posted: page.posted };
};

describe.each([...Object.keys(ACTIONS), SAVE_ACTION])('clients/%s', (name) => {
  it('is a classic script with no import or export, as an Action is pasted', () => {
    expect(() => new vm.Script(source(name))).not.toThrow();
    expect(source(name)).not.toMatch(/^\s*(import|export)\b/m);
  });
});

describe('one set of link repairs in all three clients', () => {
  const plain = { token: 'a'.repeat(64), entryId: 'entry_1', expiresAt: '2099-01-01T00:00:00.000+01:00' };
  const links: Array<[string, string]> = [
    ['an encoded link', '?token=' + plain.token + '&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00.000%2B01%3A00'],
    ['a "+" offset sent unencoded (arrives as a space)', '?token=' + plain.token + '&entry_id=entry_1&expires_at=2099-01-01T00:00:00.000+01:00'],
    ['"&" rewritten as "&amp;"', '?token=' + plain.token + '&amp;entry_id=entry_1&amp;expires_at=2099-01-01T00%3A00%3A00.000%2B01%3A00'],
    [
      '"&" rewritten as "&#38;" (its "#" percent-encoded, or it would start the fragment)',
      '?token=' + plain.token + '&%2338;entry_id=entry_1&%2338;expires_at=2099-01-01T00%3A00%3A00.000%2B01%3A00',
    ],
    ['values encoded twice by a link tracker', '?token=' + plain.token + '&entry_id=entry_1&expires_at=2099-01-01T00%253A00%253A00.000%252B01%253A00'],
  ];

  it.each(links)('%s', async (_, search) => {
    const module = (await import('../../clients/session-recovery.js' as string)) as { readResumeLink: (url: string) => unknown };
    expect(module.readResumeLink(`https://quiz.example/flow${search}`)).toEqual(plain);

    for (const name of Object.keys(ACTIONS) as Array<keyof typeof ACTIONS>) {
      const { outcome, posted } = await runAction(name, search);
      expect(outcome.status).toBe('restored');
      expect(posted).toHaveLength(1);
      expect(posted[0].init.headers).toEqual({ 'Content-Type': 'text/plain;charset=UTF-8' });
      expect(posted[0].init.referrerPolicy).toBe('no-referrer');
      const body = JSON.parse(posted[0].init.body as string) as Record<string, string>;
      expect([body.token, body.entry_id, body[ACTIONS[name].expiry]]).toEqual([plain.token, plain.entryId, plain.expiresAt]);
    }
  });
});

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe.each(Object.keys(ACTIONS) as Array<keyof typeof ACTIONS>)('clients/%s after a restore', (name) => {
  const link = `token=${'a'.repeat(64)}&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00.000Z`;

  it('removes the link from the address bar, under its damaged names too, keeping every other parameter and the fragment', async () => {
    const page = fakePage(`https://quiz.example/flow?utm_source=mail&${link.replaceAll('&', '&amp;')}&ref=a+b%20c#step-2`);

    expect((await page.run(name, ACTIONS[name].settings)).status).toBe('restored');

    expect(page.addressBar).toEqual(['/flow?utm_source=mail&ref=a+b%20c#step-2']);
  });

  it("keeps this visit's attribution over the saved one, and records the resume in the user data", async () => {
    const page = fakePage(`https://quiz.example/flow?${link}&utm_source=reminder&amp;utm_campaign=spring&fbclid=fb_now`);
    const saved = { utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'winter', gclid: 'gclid_then', fbclid: 'fb_then', plan: 'team' };
    page.answerResumeWith({ entry: { ...saved, entry_id: 'entry_1', current_page_key: 'page_2' } });
    const before = Date.now();

    const outcome = await page.run(name, ACTIONS[name].settings, { gclid: 'gclid_held_by_embeddables' });

    expect(page.set).toHaveLength(1);
    const { session_recovery_resumed_at: at, ...applied } = page.set[0];
    expect(applied).toEqual({
      utm_source: 'reminder',
      utm_medium: 'email',
      utm_campaign: 'spring',
      fbclid: 'fb_now',
      plan: 'team',
      entry_id: 'entry_1',
      current_page_key: 'page_2',
    });
    expect(at).toMatch(ISO_INSTANT);
    expect(Date.parse(at as string)).toBeGreaterThanOrEqual(before);
    expect(outcome.entry).toEqual(page.set[0]);
  });

  it('leaves the address bar and the user data alone when the link is refused', async () => {
    const page = fakePage(`https://quiz.example/flow?${link}&utm_source=mail`);
    page.answerResumeWith({ error: { code: 'token_expired', message: 'The link has expired.' } }, 401);

    expect((await page.run(name, ACTIONS[name].settings)).status).toBe('failed');

    expect(page.addressBar).toEqual([]);
    expect(page.set).toEqual([{ session_recovery_error: 'token_expired' }]);
  });
});

describe('the save token a resume answers', () => {
  const link = `?token=${'a'.repeat(64)}&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00.000Z`;
  const KEY = 'session-recovery:proj_1:flow_1';

  it('is kept for the save Action by the current Action, and never logged', async () => {
    const page = fakePage(`https://quiz.example/flow${link}`);
    page.answerResumeWith({ entry: { entry_id: 'entry_1', current_page_key: 'page_2' }, save_token: 'st_resumed_token_value' });

    await page.run('embeddables-action.js', ACTIONS['embeddables-action.js'].settings);

    expect(page.storage.json(KEY)).toEqual({ entry_id: 'entry_1', save_token: 'st_resumed_token_value', seq: 0 });
    expect(page.consoleLines.filter((l) => l.includes('st_resumed'))).toEqual([]);
  });

  it('when absent (no browser saves), makes the current Action forget the entry saved to before', async () => {
    const page = fakePage(`https://quiz.example/flow${link}`);
    page.storage.setItem(KEY, JSON.stringify({ entry_id: 'entry_other', save_token: 'st_other', seq: 9 }));

    await page.run('embeddables-action.js', ACTIONS['embeddables-action.js'].settings);

    expect(page.storage.json(KEY)).toBeUndefined();
  });
});

describe(`clients/${SAVE_ACTION}`, () => {
  const KEY = 'session-recovery:proj_1:flow_1';

  it('creates the entry on the first page change, sets entry_id in the user data, then saves progress to it', async () => {
    const api = new FakeSavesApi();
    const page = fakePage('https://quiz.example/flow', api);

    const first = page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_2', first_name: 'Ada' });
    await page.clock.advance(500);
    expect(await first).toEqual({ status: 'saved', entryId: 'entry_fake_1', seq: 0 });
    expect(page.set).toEqual([{ entry_id: 'entry_fake_1' }]);
    const second = page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_3', first_name: 'Ada', plan: 'team', entry_id: 'entry_fake_1' });
    await page.clock.advance(500);

    expect(await second).toMatchObject({ status: 'saved', entryId: 'entry_fake_1' });
    expect(api.requests.map((r) => [r.url, r.body.current_page_key, r.body.user_data])).toEqual([
      [`https://api.example${routePath('createEntry')}`, 'page_2', { first_name: 'Ada' }],
      [`https://api.example${progressPath('entry_fake_1')}`, 'page_3', { first_name: 'Ada', plan: 'team' }],
    ]);
    expect(page.storage.json(KEY)).toMatchObject({ entry_id: 'entry_fake_1', save_token: api.entries.get('entry_fake_1')!.token });
    expect(page.set).toHaveLength(1);
  });

  it('saves to the entry the resume Action restored, with the save token it answered', async () => {
    const api = new FakeSavesApi();
    api.entries.set('entry_1', { token: 'st_resumed_token_value', seq: 0, page: 'page_2', data: {} });
    const page = fakePage(`https://quiz.example/flow?token=${'a'.repeat(64)}&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00.000Z`, api);
    page.answerResumeWith({ entry: { entry_id: 'entry_1', current_page_key: 'page_2', plan: 'team' }, save_token: 'st_resumed_token_value' });
    await page.run('embeddables-action.js', ACTIONS['embeddables-action.js'].settings);

    const saved = page.run(SAVE_ACTION, SAVE_SETTINGS, { ...page.set[0], current_page_key: 'page_3' });
    await page.clock.advance(500);

    expect(await saved).toMatchObject({ status: 'saved', entryId: 'entry_1' });
    expect(api.requests.map((r) => [r.path, r.body.save_token])).toEqual([[progressPath('entry_1'), 'st_resumed_token_value']]);
    expect(api.entries.get('entry_1')).toMatchObject({
      page: 'page_3',
      data: { plan: 'team', session_recovery_resumed_at: expect.stringMatching(ISO_INSTANT) },
    });
  });

  it('sends what is not saved by beacon when the page is hidden, once', async () => {
    const api = new FakeSavesApi();
    const page = fakePage('https://quiz.example/flow', api);
    void page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_2', a: 1 });
    await page.clock.advance(500);
    void page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_3', a: 2 });

    for (const fire of [...page.listeners.visibilitychange, ...page.listeners.pagehide]) fire();
    await page.clock.advance(500);

    // Only the pagehide listener fires while visible: one beacon, then nothing is left to send.
    expect(api.requests.map((r) => r.body.current_page_key)).toEqual(['page_2', 'page_3']);
    expect(api.entries.get('entry_fake_1')).toMatchObject({ page: 'page_3', data: { a: 2 } });
  });

  it('says what to do on a refusal, without the save token, and does nothing without a page key', async () => {
    const api = new FakeSavesApi();
    const page = fakePage('https://quiz.example/flow', api);
    void page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_2', a: 1 });
    await page.clock.advance(500);
    api.faults.push({ status: 403, code: 'browser_saves_disabled' });

    const refused = page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_3', a: 2 });
    await page.clock.advance(500);

    expect(await refused).toEqual({ status: 'failed', code: 'browser_saves_disabled', message: 'refused: browser_saves_disabled' });
    expect(page.consoleLines).toEqual([
      'Session recovery: the progress could not be saved (browser_saves_disabled): the project does not take saves from the browser; turn them on (PUT /v1/projects/{project_id}/browser-saves) [refused: browser_saves_disabled]',
    ]);
    expect(await page.run(SAVE_ACTION, SAVE_SETTINGS, { a: 3 })).toEqual({ status: 'no_page' });
    expect(page.consoleLines.filter((l) => l.includes(api.entries.get('entry_fake_1')!.token))).toEqual([]);
  });
});

describe("resumeFromUrl, when the answer is not the contract's", () => {
  interface ResumeModule {
    resumeFromUrl(options: { endpoint: string; flowId: string; projectId: string; url: string }): Promise<unknown>;
  }
  const link = `https://quiz.example/flow?token=${'a'.repeat(64)}&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00Z`;
  const resumeWith = async (answer: () => Promise<Response>) => {
    const { resumeFromUrl } = (await import('../../clients/session-recovery.js' as string)) as ResumeModule;
    const realFetch = globalThis.fetch;
    globalThis.fetch = answer;
    try {
      return await resumeFromUrl({ endpoint: 'https://api.example/v1/load-entry-data', flowId: 'flow_1', projectId: 'proj_1', url: link }).then(
        () => 'resolved',
        (error: { name: string; code: string; status: number }) => ({ name: error.name, code: error.code, status: error.status }),
      );
    } finally {
      globalThis.fetch = realFetch;
    }
  };

  it.each([
    ["API Gateway's 429, whose body has no code", 'rate_limited', 429, '{"message":"Too Many Requests"}'],
    ['a 502 page', 'unexpected_response', 502, '<html>Bad Gateway</html>'],
    ['a 200 without an entry', 'unexpected_response', 200, '{}'],
  ])('rejects %s with a SessionRecoveryError of code %s and status %i', async (_what, code, status, body) => {
    expect(await resumeWith(async () => new Response(body, { status }))).toEqual({ name: 'SessionRecoveryError', code, status });
  });

  it('rejects a request that got no answer with network_error, status 0', async () => {
    expect(await resumeWith(async () => Promise.reject(new TypeError('Failed to fetch')))).toEqual({
      name: 'SessionRecoveryError',
      code: 'network_error',
      status: 0,
    });
  });
});

describe('resumeFromUrl, when the flow asks for its verify field (docs/second-factor.md)', () => {
  interface ResumeModule {
    resumeFromUrl(options: {
      endpoint: string;
      flowId: string;
      projectId: string;
      url: string;
      verify: (field: string, failed: boolean) => Promise<string>;
    }): Promise<unknown>;
  }
  const refusal = (status: number, code: string, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ error: { code, message: 'refused', field: 'email' } }), { status, headers });

  it.each([
    ['1500', 'Too many wrong answers. Try again in 25 minutes.'],
    ['45', 'Too many wrong answers. Try again in 1 minute.'],
  ])(
    'too_many_verification_attempts: asks for the value, retries with it, then rejects saying when to try again, from Retry-After (%s s)',
    async (retryAfter, message) => {
      const { resumeFromUrl } = (await import('../../clients/session-recovery.js' as string)) as ResumeModule;
      const realFetch = globalThis.fetch;
      const answers = [
        refusal(401, 'verification_required'),
        refusal(401, 'verification_failed'),
        refusal(429, 'too_many_verification_attempts', { 'Retry-After': retryAfter }),
      ];
      const sent: Array<Record<string, unknown>> = [];
      globalThis.fetch = async (_url, init) => (sent.push(JSON.parse(String(init?.body)) as Record<string, unknown>), answers.shift()!);
      const asked: Array<[string, boolean]> = [];
      try {
        const outcome = await resumeFromUrl({
          endpoint: 'https://api.example/v1/load-entry-data',
          flowId: 'flow_1',
          projectId: 'proj_1',
          url: `https://quiz.example/flow?token=${'a'.repeat(64)}&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00Z`,
          verify: async (field, failed) => (asked.push([field, failed]), `guess${asked.length}@example.com`),
        }).catch((error: { name: string; code: string; status: number; message: string }) => ({ ...error, message: error.message }));
        expect(asked).toEqual([
          ['email', false],
          ['email', true],
        ]);
        expect(sent.map((body) => body.verification)).toEqual([undefined, 'guess1@example.com', 'guess2@example.com']);
        expect(outcome).toEqual({ name: 'SessionRecoveryError', code: 'too_many_verification_attempts', status: 429, message });
      } finally {
        globalThis.fetch = realFetch;
      }
    },
  );
});

describe('a single-use link a page asked for (sr_confirm=1)', () => {
  const link = `token=${'a'.repeat(64)}&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00.000Z&sr_confirm=1`;
  interface ResumeModule {
    resumeFromUrl(options: { endpoint: string; flowId: string; projectId: string; url: string; confirm?: () => Promise<unknown> }): Promise<unknown>;
  }

  it('is resumed by resumeFromUrl only once the person confirms, and answers link_used when it was already used', async () => {
    const { resumeFromUrl } = (await import('../../clients/session-recovery.js' as string)) as ResumeModule;
    const realFetch = globalThis.fetch;
    const posted: string[] = [];
    let answer = new Response(JSON.stringify({ entry: { entry_id: 'entry_1', current_page_key: 'page_2' } }), { status: 200 });
    globalThis.fetch = async (url) => (posted.push(String(url)), answer);
    try {
      let click!: () => void;
      const clicked = new Promise<void>((resolve) => (click = resolve));
      const resumed = resumeFromUrl({
        endpoint: 'https://api.example/v1/load-entry-data',
        flowId: 'flow_1',
        projectId: 'proj_1',
        url: `https://quiz.example/flow?${link}`,
        confirm: () => clicked,
      });
      await settle();
      // A scanner that runs the page never clicks: nothing is posted, nothing used up.
      expect(posted).toEqual([]);
      click();
      expect(await resumed).toMatchObject({ entry_id: 'entry_1', current_page_key: 'page_2' });
      expect(posted).toHaveLength(1);

      answer = new Response(JSON.stringify({ error: { code: 'link_revoked', message: 'This link was already used. Ask for a new one.' } }), { status: 401 });
      const again = await resumeFromUrl({
        endpoint: 'https://api.example/v1/load-entry-data',
        flowId: 'flow_1',
        projectId: 'proj_1',
        url: `https://quiz.example/flow?${link}`,
        confirm: async () => undefined,
      }).catch((error: { code: string; message: string; status: number }) => error);
      expect(again).toMatchObject({ name: 'SessionRecoveryError', code: 'link_used', message: 'This link was already used; ask for a new one.', status: 401 });
    } finally {
      globalThis.fetch = realFetch;
    }
  });

  it('is resumed by the current Action only once window.SessionRecoveryConfirm resolves; the marker leaves the address bar; used, it fails with link_used', async () => {
    const page = fakePage(`https://quiz.example/flow?${link}&utm_source=mail`);
    let click!: () => void;
    const clicked = new Promise<void>((resolve) => (click = resolve));
    page.setWindow('SessionRecoveryConfirm', () => clicked);

    const outcome = page.run('embeddables-action.js', ACTIONS['embeddables-action.js'].settings);
    await settle();
    expect(page.posted).toEqual([]);
    click();

    expect((await outcome).status).toBe('restored');
    expect(page.posted).toHaveLength(1);
    expect(page.addressBar).toEqual(['/flow?utm_source=mail']);

    const used = fakePage(`https://quiz.example/flow?${link}`);
    used.setWindow('SessionRecoveryConfirm', async () => undefined);
    used.answerResumeWith({ error: { code: 'link_revoked', message: 'This link was already used. Ask for a new one.' } }, 401);
    expect(await used.run('embeddables-action.js', ACTIONS['embeddables-action.js'].settings)).toMatchObject({ status: 'failed', code: 'link_used' });
    expect(used.set).toEqual([{ session_recovery_error: 'link_used' }]);
  });

  it("a link without the marker (minted by the team's backend) is resumed at once, and link_revoked stays link_revoked", async () => {
    const plain = link.replace('&sr_confirm=1', '');
    const page = fakePage(`https://quiz.example/flow?${plain}`);
    page.answerResumeWith({ error: { code: 'link_revoked', message: 'This link has been revoked.' } }, 401);
    expect(await page.run('embeddables-action.js', ACTIONS['embeddables-action.js'].settings)).toMatchObject({ status: 'failed', code: 'link_revoked' });
    expect(page.posted).toHaveLength(1);
  });
});

describe(`clients/${SAVE_ACTION}, once the entry continued on another device`, () => {
  it('stops saving, sets session_recovery_error: continued_elsewhere once, and sends nothing more', async () => {
    const api = new FakeSavesApi();
    const page = fakePage('https://quiz.example/flow', api);
    void page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_2', a: 1 });
    await page.clock.advance(500);
    // Another device resumed the entry: the token this page holds has ended.
    api.entries.get('entry_fake_1')!.token = 'st_the_other_device';

    const refused = page.run(SAVE_ACTION, SAVE_SETTINGS, { current_page_key: 'page_3', a: 2, entry_id: 'entry_fake_1' });
    await page.clock.advance(500);
    expect(await refused).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
    expect(page.set).toEqual([{ entry_id: 'entry_fake_1' }, { session_recovery_error: 'continued_elsewhere' }]);
    expect(page.consoleLines).toEqual([expect.stringContaining('(continued_elsewhere)')]);

    const later = page.run(SAVE_ACTION, SAVE_SETTINGS, {
      current_page_key: 'page_4',
      a: 3,
      entry_id: 'entry_fake_1',
      session_recovery_error: 'continued_elsewhere',
    });
    await page.clock.advance(500);
    expect(await later).toEqual({ status: 'continued_elsewhere', entryId: 'entry_fake_1' });
    expect(api.requests.map((r) => r.body.current_page_key)).toEqual(['page_2', 'page_3']);
    expect(api.entries.size).toBe(1);
    expect(page.set).toHaveLength(2);
  });
});
