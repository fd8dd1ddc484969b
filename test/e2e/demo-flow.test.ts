import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { browserTest, demoOutcome, launchBrowser, RESULTS_DIR } from './support/browser';
import { callApi, deleteEntry, RequestLog } from './support/site';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { startTestRuntime } from '../support/runtime';

/** The routes a page may call: the public ones. */
const PUBLIC_ROUTES = ROUTE_LIST.filter((r) => r.access === 'public');
const { key: LOAD } = PUBLIC_ROUTES.find((r) => r.name === 'loadEntryData')!;
const CREATE = PUBLIC_ROUTES.find((r) => r.name === 'createEntry')!;
const PROGRESS = PUBLIC_ROUTES.find((r) => r.name === 'saveProgress')!;
const LINK_REQUESTS = PUBLIC_ROUTES.find((r) => r.name === 'linkRequests')!;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * (a) The journey in a real browser, against the local runtime's own /demo page,
 * with two browser contexts as two devices: the page saves and asks for its
 * link through the public routes only, the link arrives on the deployment's
 * event bus (read here through a rule of the test's own), and the second device
 * restores it and saves on to the same entry.
 */

const root = path.join(import.meta.dirname, '..', '..');
const log = new RequestLog();
let runtime: LocalRuntime;
let browser: Browser;
let bus: BusSubscription;

beforeAll(async () => {
  runtime = await startTestRuntime({ log: log.record });
  bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), runtime.eventBusName);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bus?.close();
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);

/** The saved entry of the demo project, as the admin API returns it: what the page saved and where. */
const savedEntry = async (entryId: string) => {
  const reply = await callApi(runtime.apiUrl, 'GET', `/v1/entries/${entryId}?project_id=${runtime.demo.projectId}`);
  expect(reply.status).toBe(200);
  const { project_id, flow_id, current_page_key, user_data } = (reply.json as { entry: Record<string, unknown> }).entry;
  return { project_id, flow_id, current_page_key, user_data };
};

/** Every API route a page called, as `METHOD /path-template`: what the browser sent, not what the server logged. */
const apiCallsOf = (page: Page): string[] => {
  const calls: string[] = [];
  page.on('request', (request) => {
    const url = new URL(request.url());
    if (url.origin !== runtime.apiUrl || !url.pathname.startsWith('/v1/')) return;
    const route = ROUTE_LIST.find((r) => r.method === request.method() && new RegExp(`^${r.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.pathname));
    calls.push(route ? route.key : `${request.method()} ${url.pathname}`);
  });
  return calls;
};

/** Waits until the page says its last save is done. */
const saved = (page: Page) => page.locator('#status', { hasText: /^Progress saved\./ }).waitFor();

describe('the demo flow at /demo', () => {
  browserIt(
    "two devices: A fills pages 1 and 2, gets a link; B opens it on page 2 with A's answers and saves page 3 to the same entry",
    async ({ newPage }) => {
      // Arrange: device A answers pages 1 and 2, then asks for a link.
      const { page } = await newPage();
      const callsA = apiCallsOf(page);
      await page.goto(runtime.demoUrl);
      expect(await demoOutcome(page)).toBe('no_link');
      await page.getByLabel('First name').fill('Grace');
      await page.getByLabel('Favourite colour').selectOption('purple');
      await page.getByRole('button', { name: 'Next' }).click();
      await page.getByRole('heading', { name: 'Your team' }).waitFor();
      await saved(page);
      await page.getByLabel('Team, up to 50 people').check();
      await page.getByLabel('Seats').fill('12');
      await page.getByLabel('Email for the link (optional)').fill('grace.hopper@example.com');
      await bus.drain();
      log.clear();
      await page.getByRole('button', { name: 'Send me a link to continue later' }).click();
      await page.locator('#status', { hasText: 'Progress saved. Your link is on its way.' }).waitFor();
      // The link reaches the bus, never the page: exactly one event, for the team's rule to deliver.
      const events = (await bus.drain()).filter((e) => e['detail-type'] === 'Resume Link Requested' && e.detail.project_id === runtime.demo.projectId);
      expect(events).toHaveLength(1);
      const link = new URL(events[0].detail.url as string);
      const entryId = link.searchParams.get('entry_id') as string;

      try {
        expect(events[0].detail).toMatchObject({ flow_id: runtime.demo.flowId, entry_id: entryId, channel: 'email', to: 'grace.hopper@example.com' });
        // The page called the public routes only: the entry was created, saved with the page-2 answers, then a link asked for.
        expect(callsA).toEqual([CREATE.key, PROGRESS.key, LINK_REQUESTS.key]);
        expect(log.lines).toEqual([
          `${PROGRESS.method} ${PROGRESS.path.replace('{entry_id}', entryId)} -> 200`,
          `${LINK_REQUESTS.method} ${LINK_REQUESTS.path.replace('{entry_id}', entryId)} -> 202`,
        ]);
        expect(await page.content()).not.toContain(link.searchParams.get('token'));
        expect(`${link.origin}${link.pathname}`).toBe(runtime.demoUrl);
        // A link the page asked for is marked single-use: the page resumes it only after the person clicks Continue.
        expect([...link.searchParams.keys()]).toEqual(['sr_confirm', 'token', 'entry_id', 'expires_at']);
        expect(await savedEntry(entryId)).toEqual({
          project_id: runtime.demo.projectId,
          flow_id: runtime.demo.flowId,
          current_page_key: 'page_2',
          user_data: { first_name: 'Grace', favourite_colour: 'purple', plan: 'team', seats: 12, newsletter: false },
        });
        log.clear();

        // Act: device B opens the link.
        const other = (await newPage()).page;
        const callsB = apiCallsOf(other);
        await other.goto(link.href);
        await other.getByRole('button', { name: 'Continue', exact: true }).click();

        // Assert: restored through one load-entry-data call, on page 2, every answer back, the link gone from the address bar.
        expect(await demoOutcome(other)).toBe('restored');
        expect(await other.locator('#notice-text').textContent()).toBe('Welcome back, Grace! Your answers are restored: carry on where you left off.');
        expect(other.url()).toBe(runtime.demoUrl);
        expect(await other.locator('#progress').textContent()).toBe('Step 2 of 3');
        expect(await other.getByLabel('Team, up to 50 people').isChecked()).toBe(true);
        expect(await other.getByLabel('Seats').inputValue()).toBe('12');
        // A link the demo minted a moment ago: counted early (EARLY_RESUME_SECONDS), though the browser is a person's.
        expect(log.lines).toEqual([
          expect.stringMatching(new RegExp(`^${LOAD} -> 200 early \\(no campaign, link \\d+ s old: within EARLY_RESUME_SECONDS \\(30 s\\) of the mint\\)$`)),
        ]);
        expect(log.lines.filter((l) => l.startsWith('OPTIONS'))).toEqual([]);
        await other.getByRole('button', { name: 'Back' }).click();
        await other.getByRole('heading', { name: 'About you' }).waitFor();
        expect(await other.getByLabel('First name').inputValue()).toBe('Grace');
        expect(await other.getByLabel('Favourite colour').inputValue()).toBe('purple');
        await saved(other);

        // B continues to page 3: an admin read shows page 3, saved to A's entry with B's save token.
        await other.getByRole('button', { name: 'Next' }).click();
        await other.getByRole('heading', { name: 'Your team' }).waitFor();
        await other.getByRole('button', { name: 'Next' }).click();
        await other.getByRole('heading', { name: 'Stay in touch' }).waitFor();
        await saved(other);
        const onPage3 = await savedEntry(entryId);
        expect(onPage3).toEqual({
          project_id: runtime.demo.projectId,
          flow_id: runtime.demo.flowId,
          current_page_key: 'page_3',
          user_data: {
            first_name: 'Grace',
            favourite_colour: 'purple',
            plan: 'team',
            seats: 12,
            newsletter: false,
            session_recovery_resumed_at: expect.stringMatching(ISO_INSTANT),
          },
        });
        expect(callsB.every((call) => PUBLIC_ROUTES.some((r) => r.key === call))).toBe(true);
        expect(callsB.filter((call) => call === CREATE.key)).toEqual([]);

        // Finishing on B saves the last page too.
        await other.getByLabel('Send me the monthly product newsletter').check();
        await other.getByRole('button', { name: 'Finish' }).click();
        await other.getByRole('heading', { name: 'All set' }).waitFor();
        await saved(other);
        expect(await other.locator('#summary dd').allTextContents()).toEqual(['Grace', 'Purple', 'Team, up to 50 people', '12', 'Yes', '—']);
        expect(await savedEntry(entryId)).toMatchObject({ current_page_key: 'page_done', user_data: { newsletter: true } });
      } finally {
        await deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId);
      }
    },
  );

  browserIt('opens the demo link npm start prints on page 3 with the demo answers', async ({ newPage }) => {
    const { page } = await newPage();

    await page.goto(runtime.demo.link);

    expect(await demoOutcome(page)).toBe('restored');
    expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Ada! Your answers are restored: carry on where you left off.');
    expect(await page.locator('#progress').textContent()).toBe('Step 3 of 3');
    expect(await page.getByLabel('Send me the monthly product newsletter').isChecked()).toBe(true);
    expect(await page.getByLabel('Seats').inputValue()).toBe('5');
    expect(await page.getByLabel('Team, up to 50 people').isChecked()).toBe(true);
    // The email field for "Send me a link" looks like the page's other fields, and as wide as its box, as they are.
    const look = (label: string) =>
      page.getByLabel(label).evaluate((input) => {
        const style = (globalThis as unknown as { getComputedStyle: (element: unknown) => Record<string, string> }).getComputedStyle(input);
        return [style.width === 'auto' ? 'auto' : 'set', style.boxSizing, style.padding, style.border, style.borderRadius, style.fontSize, style.fontWeight];
      });
    expect(await look('Email for the link (optional)')).toEqual(await look('Seats'));
    const widths = await page
      .getByLabel('Email for the link (optional)')
      .evaluate((input) => [input.getBoundingClientRect().width, input.parentElement!.getBoundingClientRect().width]);
    expect(widths[0]).toBe(widths[1]);
    // The README's screenshot, the whole page with that field: `npm run docs:screenshot` copies it into docs/.
    await mkdir(RESULTS_DIR, { recursive: true });
    const shot = path.join(RESULTS_DIR, 'demo-restored.png');
    await page.setViewportSize({ width: 760, height: 800 });
    expect(await page.getByLabel('Email for the link (optional)').isVisible()).toBe(true);
    await page.screenshot({ path: shot, fullPage: true });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await copyFile(shot, path.join(root, 'docs', 'demo-restored.png'));
  });
});

describe('the legacy demo link npm start prints', () => {
  browserIt('opens on page 3 through the legacy snippet, and the footer names that snippet only; it does not save (no save token)', async ({ newPage }) => {
    const { page } = await newPage();
    const scripts: string[] = [];
    page.on('request', (request) => {
      if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
    });

    await page.goto(runtime.demo.legacy.link);

    expect(await demoOutcome(page)).toBe('restored');
    expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Ada! Your answers are restored: carry on where you left off.');
    expect(await page.locator('#progress').textContent()).toBe('Step 3 of 3');
    const footer = (await page.locator('footer').textContent()) ?? '';
    expect(footer).toContain('clients/embeddables-action-legacy.js');
    expect(footer).not.toContain('clients/embeddables-action.js');
    expect(await page.locator('#save-note').isVisible()).toBe(false);
    expect(scripts).toEqual(['/demo/app.js', '/demo/action-legacy.js']);
  });
});

describe('what the runtime serves besides the API', () => {
  it('redirects /demo to /demo/ keeping the link parameters', async () => {
    const res = await fetch(`${runtime.apiUrl}/demo?token=abc&entry_id=e1`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/demo/?token=abc&entry_id=e1');
  });

  it('serves the demo page with a CSP that lets it call only its own origin and the legacy URL, and no Referer', async () => {
    const res = await fetch(runtime.demoUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'self'; img-src 'self' data:; connect-src 'self' ${runtime.legacyUrl}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });

  it('serves the Actions as pasted into the demo: each file with only its @TODO values filled in, in a block of its own', async () => {
    const changedLines = async (name: string, served: string) => {
      const source = (await readFile(path.join(root, 'clients', name), 'utf8')).split('\n');
      const text = await (await fetch(`${runtime.demoUrl}${served}`)).text();
      expect([text.slice(0, 2), text.slice(-2)]).toEqual(['{\n', '}\n']);
      const inner = text.slice(2, -2).split('\n');
      expect(inner).toHaveLength(source.length);
      return inner.filter((line, i) => line !== source[i]);
    };

    expect(await changedLines('embeddables-action.js', 'action.js')).toEqual([
      `const EMBEDDABLE_ID = "${runtime.demo.flowId}"              // Your Embeddable ID (sent as flow_id)`,
      `const PROJECT_ID = "${runtime.demo.projectId}"                    // Your Project ID`,
      'const LOAD_ENTRY_DATA_URL = "/v1/load-entry-data"  // The LoadEntryDataUrl output of your session-recovery stack',
    ]);
    expect(await changedLines('embeddables-save-action.js', 'save-action.js')).toEqual([
      `const EMBEDDABLE_ID = "${runtime.demo.flowId}"  // Your Embeddable ID (sent as flow_id)`,
      `const PROJECT_ID = "${runtime.demo.projectId}"        // Your Project ID`,
      'const API_URL = ""              // The ApiUrl output of your session-recovery stack',
    ]);
  });

  it('serves the four browser clients as they are in the repository, and nothing else from clients/', async () => {
    for (const name of ['embeddables-action.js', 'embeddables-action-legacy.js', 'embeddables-save-action.js', 'session-recovery.js']) {
      const res = await fetch(`${runtime.apiUrl}/clients/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await res.text()).toBe(await readFile(path.join(root, 'clients', name), 'utf8'));
    }
    for (const p of ['/clients/cli/main.ts', '/clients/api-client.ts', '/demo/index.html', '/demo/missing.js']) {
      const res = await fetch(`${runtime.apiUrl}${p}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
