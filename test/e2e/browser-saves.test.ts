import type { Browser, Page } from 'playwright-core';
import { ROUTE_LIST, routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { deleteProject } from '../support/seed';
import { browserTest, launchBrowser } from './support/browser';
import { callApi, type DemoSite, deleteEntry, mintLink, putEntry, RequestLog, siteConfig, startDemoSite, uid } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * createAutosave (clients/session-recovery.js) in Chromium, on a site of its own
 * origin, against the local runtime: a project that takes browser saves from
 * that origin, and one that does not.
 */

const log = new RequestLog();
let runtime: LocalRuntime;
let site: DemoSite;
let browser: Browser;
const projectId = uid('proj_saves');
const flowId = uid('flow_saves');
const entries: string[] = [];

const { key: CREATE } = ROUTE_LIST.find((r) => r.name === 'createEntry')!;
const progressLine = (entryId: string, status: number) => `POST ${routePath('saveProgress').replace('{entry_id}', entryId)} -> ${status}`;
const storageKey = (project = projectId) => `session-recovery:${project}:${flowId}`;

beforeAll(async () => {
  runtime = await startTestRuntime({ log: log.record });
  site = await startDemoSite();
  site.config = siteConfig(runtime, { projectId, flowId });
  expect((await callApi(runtime.apiUrl, 'POST', `/v1/projects/${projectId}/credentials`, { label: 'e2e' })).status).toBe(201);
  expect((await callApi(runtime.apiUrl, 'PUT', `/v1/projects/${projectId}/allowed-origins`, { origins: [site.origin] })).status).toBe(200);
  expect((await callApi(runtime.apiUrl, 'PUT', `/v1/projects/${projectId}/browser-saves`, { enabled: true })).status).toBe(200);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  for (const entryId of entries) await deleteEntry(runtime.apiUrl, entryId, projectId).catch(() => undefined);
  await runtime?.stop();
  await deleteProject(projectId);
});

const browserIt = browserTest(() => browser);

/** A page of the site (without the demo's CSP) with the module loaded and `window.autosave` made with these options. */
const openWithAutosave = async (page: Page, options: { debounceMs: number; project?: string }, url = `${site.origin}/clients/session-recovery.js`) => {
  await page.goto(url);
  await startAutosave(page, options);
};
const startAutosave = (page: Page, { debounceMs, project = projectId }: { debounceMs: number; project?: string }) =>
  page.evaluate(
    async (o) => {
      const m = (await import('/clients/session-recovery.js' as string)) as { createAutosave: (options: object) => unknown };
      const errors: string[] = [];
      Object.assign(window, { autosave: m.createAutosave({ ...o, onError: (e: { code: string }) => errors.push(e.code) }), autosaveErrors: errors });
    },
    { apiUrl: runtime.apiUrl, projectId: project, flowId, debounceMs },
  );

interface Outcome {
  status: string;
  entryId?: string;
  seq?: number;
  code?: string;
}
type PageAutosave = { save(k: string, d: object): Promise<Outcome>; flush(): Promise<Outcome> };
const save = (page: Page, pageKey: string, data: object) =>
  page.evaluate(([k, d]) => (window as unknown as { autosave: PageAutosave }).autosave.save(k, d), [pageKey, data] as const);
/** Saves without waiting for the answer: the content stays pending for the debounce. */
const saveLater = (page: Page, pageKey: string, data: object) =>
  page.evaluate(([k, d]) => void (window as unknown as { autosave: PageAutosave }).autosave.save(k, d), [pageKey, data] as const);
const flush = (page: Page) => page.evaluate(() => (window as unknown as { autosave: PageAutosave }).autosave.flush());
const stored = (page: Page, key = storageKey()) => page.evaluate((k) => JSON.parse(localStorage.getItem(k) ?? 'null') as unknown, key);

const entryOf = async (entryId: string) => {
  const reply = await callApi(runtime.apiUrl, 'GET', `/v1/entries/${entryId}?project_id=${projectId}`);
  expect(reply.status).toBe(200);
  const { current_page_key, user_data } = (reply.json as { entry: Record<string, unknown> }).entry;
  return { current_page_key, user_data };
};

/** Waits (up to 5 s) for a save the page sent on its way out to be stored. */
const eventually = async (entryId: string, pageKey: string) => {
  for (let i = 0; i < 50; i++) {
    const entry = await entryOf(entryId);
    if (entry.current_page_key === pageKey) return entry;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return entryOf(entryId);
};

/**
 * Records each navigator.sendBeacon call of the page (its URL) in sessionStorage,
 * which outlives the page, and still sends the beacon.
 */
const recordBeacons = (page: Page) =>
  page.evaluate(() => {
    const nav = navigator as unknown as { sendBeacon: (url: string, body: string) => boolean };
    const send = nav.sendBeacon.bind(navigator);
    nav.sendBeacon = (url, body) => {
      sessionStorage.setItem('beacons', JSON.stringify([...(JSON.parse(sessionStorage.getItem('beacons') ?? '[]') as string[]), String(url)]));
      return send(url, body);
    };
  });
const beaconsSent = (page: Page) => page.evaluate(() => JSON.parse(sessionStorage.getItem('beacons') ?? '[]') as string[]);

describe('createAutosave in the browser', () => {
  browserIt(
    'creates the entry on the first save, keeps it in localStorage, saves on to it, and goes on after a reload with a higher seq',
    async ({ newPage }) => {
      const { page } = await newPage();
      await openWithAutosave(page, { debounceMs: 0 });
      log.clear();

      const first = await save(page, 'page_1', { first_name: 'Wen' });
      expect(first).toEqual({ status: 'saved', entryId: expect.stringMatching(/^entry_[0-9a-f]{32}$/), seq: 0 });
      const entryId = first.entryId!;
      entries.push(entryId);
      expect(await stored(page)).toEqual({ entry_id: entryId, save_token: expect.stringMatching(/^s2\./), seq: 0 });
      const second = await save(page, 'page_2', { first_name: 'Wen', plan: 'solo' });

      await page.reload();
      await startAutosave(page, { debounceMs: 0 });
      const third = await save(page, 'page_3', { first_name: 'Wen', plan: 'solo', newsletter: true });

      expect(second).toEqual({ status: 'saved', entryId, seq: expect.any(Number) });
      expect(third).toEqual({ status: 'saved', entryId, seq: expect.any(Number) });
      expect(third.seq!).toBeGreaterThan(second.seq!);
      expect(log.lines).toEqual([`${CREATE} -> 201`, progressLine(entryId, 200), progressLine(entryId, 200)]);
      expect(await entryOf(entryId)).toEqual({ current_page_key: 'page_3', user_data: { first_name: 'Wen', plan: 'solo', newsletter: true } });
    },
  );

  browserIt('sends what is not saved with sendBeacon when the user navigates away, and the save arrives', async ({ newPage }) => {
    const { page } = await newPage();
    await openWithAutosave(page, { debounceMs: 60_000 });
    void save(page, 'page_1', { first_name: 'Ines' });
    const created = await flush(page);
    const entryId = created.entryId!;
    entries.push(entryId);
    // Pending for a minute: only the way out can send it.
    await saveLater(page, 'page_2', { first_name: 'Ines', plan: 'team' });
    await recordBeacons(page);
    log.clear();

    await page.goto(`${site.origin}/clients/embeddables-action.js`);

    expect(await eventually(entryId, 'page_2')).toEqual({ current_page_key: 'page_2', user_data: { first_name: 'Ines', plan: 'team' } });
    expect(await beaconsSent(page)).toEqual([`${runtime.apiUrl}${routePath('saveProgress').replace('{entry_id}', entryId)}`]);
    expect(log.lines.filter((l) => l.startsWith('POST'))).toEqual([progressLine(entryId, 200)]);
  });

  browserIt('sends it on pagehide alone, in a browser that does not report the page hidden as it goes', async ({ newPage }) => {
    const { page } = await newPage();
    await openWithAutosave(page, { debounceMs: 60_000 });
    void save(page, 'page_1', { first_name: 'Ines' });
    const { entryId } = await flush(page);
    entries.push(entryId!);
    await saveLater(page, 'page_2', { first_name: 'Ines', plan: 'solo' });
    await recordBeacons(page);
    await page.evaluate(() => Object.defineProperty(document, 'visibilityState', { get: () => 'visible' }));

    await page.goto(`${site.origin}/clients/embeddables-action.js`);

    expect(await eventually(entryId!, 'page_2')).toEqual({ current_page_key: 'page_2', user_data: { first_name: 'Ines', plan: 'solo' } });
    expect(await beaconsSent(page)).toHaveLength(1);
  });

  browserIt('sends it when the page is hidden (another tab, another app), and the page goes on saving after', async ({ newPage }) => {
    const { page } = await newPage();
    await openWithAutosave(page, { debounceMs: 60_000 });
    void save(page, 'page_1', { first_name: 'Ines' });
    const { entryId } = await flush(page);
    entries.push(entryId!);
    await saveLater(page, 'page_2', { first_name: 'Ines', plan: 'enterprise' });
    await recordBeacons(page);

    await page.evaluate(() => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      (document as unknown as EventTarget).dispatchEvent(new Event('visibilitychange'));
    });

    expect(await eventually(entryId!, 'page_2')).toEqual({ current_page_key: 'page_2', user_data: { first_name: 'Ines', plan: 'enterprise' } });
    expect(await beaconsSent(page)).toHaveLength(1);
    void save(page, 'page_3', { first_name: 'Ines', plan: 'enterprise' });
    expect(await flush(page)).toEqual({ status: 'saved', entryId, seq: expect.any(Number) });
    expect(await entryOf(entryId!)).toMatchObject({ current_page_key: 'page_3' });
  });

  browserIt('sends no beacon when everything is saved', async ({ newPage }) => {
    const { page } = await newPage();
    await openWithAutosave(page, { debounceMs: 0 });
    const { entryId } = await save(page, 'page_1', { first_name: 'Ola' });
    entries.push(entryId!);
    await recordBeacons(page);
    log.clear();

    await page.goto(`${site.origin}/clients/embeddables-action.js`);
    // A request after the navigation: a beacon sent on the way out would have gone before it.
    await page.evaluate((url) => fetch(url, { method: 'POST', body: '{}' }).then((r) => r.status), `${runtime.apiUrl}${routePath('loadEntryData')}`);

    expect(await beaconsSent(page)).toEqual([]);
    // The console shows the reason the answer gives, not an internal name.
    expect(log.lines).toEqual([expect.stringMatching(new RegExp(`^POST ${routePath('loadEntryData')} -> 400 invalid_request \\(Invalid request: [^)]+\\)$`))]);
  });

  browserIt('after resumeFromUrl, saves on to the resumed entry with the save token it answered', async ({ newPage }) => {
    const entryId = uid('entry_resume');
    entries.push(entryId);
    await putEntry(runtime.apiUrl, { entryId, projectId, flowId, currentPageKey: 'page_2', userData: { first_name: 'Ana', plan: 'team' } });
    const link = await mintLink(runtime.apiUrl, { project_id: projectId, entry_id: entryId, resume_url: `${site.origin}/clients/session-recovery.js` });
    const { page } = await newPage();
    await openWithAutosave(page, { debounceMs: 0 }, link.url);

    const resumed = await page.evaluate(
      async (o) => {
        const m = (await import('/clients/session-recovery.js' as string)) as { resumeFromUrl: (options: object) => Promise<Record<string, unknown>> };
        const entry = await m.resumeFromUrl({ ...o, autosave: (window as unknown as { autosave: unknown }).autosave });
        const { entry_id: _id, current_page_key: _page, ...data } = entry;
        return { entry, outcome: await (window as unknown as { autosave: PageAutosave }).autosave.save('page_3', { ...data, newsletter: true }) };
      },
      { endpoint: `${runtime.apiUrl}${routePath('loadEntryData')}`, flowId, projectId },
    );

    expect(resumed.entry).toEqual({
      first_name: 'Ana',
      plan: 'team',
      entry_id: entryId,
      current_page_key: 'page_2',
      session_recovery_resumed_at: expect.any(String),
    });
    expect(resumed.outcome).toEqual({ status: 'saved', entryId, seq: expect.any(Number) });
    expect(await stored(page)).toEqual({ entry_id: entryId, save_token: expect.stringMatching(/^s2\./), seq: resumed.outcome.seq });
    expect(await entryOf(entryId)).toEqual({
      current_page_key: 'page_3',
      user_data: { first_name: 'Ana', plan: 'team', newsletter: true, session_recovery_resumed_at: resumed.entry.session_recovery_resumed_at },
    });
  });

  browserIt('reports a refusal it does not retry through onError: a project that does not take browser saves', async ({ newPage }) => {
    const other = uid('proj_nosaves');
    const { page } = await newPage();
    await openWithAutosave(page, { debounceMs: 0, project: other });
    log.clear();

    const outcome = await save(page, 'page_1', { a: 1 });

    expect(outcome).toEqual({ status: 'failed', code: 'browser_saves_disabled', message: expect.stringContaining(other) });
    expect(await page.evaluate(() => (window as unknown as { autosaveErrors: string[] }).autosaveErrors)).toEqual(['browser_saves_disabled']);
    expect(log.lines).toEqual([
      `${CREATE} -> 403 browser_saves_disabled (Project ${other} does not take saves from the browser; turn browser saves on for it first.)`,
    ]);
    expect(await stored(page, storageKey(other))).toBeNull();
  });
});
