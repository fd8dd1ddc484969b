import jsQR from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { registerSensitive, registerSensitiveBody } from '../support/sensitive';
import { browserTest, demoOutcome, launchBrowser } from './support/browser';
import { callApi, deleteEntry } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * Hand-off by QR code (issue 24 item 1) in Chromium, on the local runtime's demo
 * page, with two browser contexts: device A fills two pages and shows the code;
 * device B reads the code off A's screen (a screenshot of the SVG, decoded with
 * jsQR), opens it, carries on; A then says the flow continued on another device.
 */

let runtime: LocalRuntime;
let browser: Browser;
const made: string[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const entryId of made) await deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId).catch(() => undefined);
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);
const STORAGE_KEY = () => `session-recovery:${runtime.demo.projectId}:${runtime.demo.flowId}`;
const saved = (page: Page) => page.locator('#status', { hasText: /^Progress saved\./ }).waitFor();

/**
 * The tests' short links are on `SHORT_LINK_BASE_URL` (test/setup/test-env.ts), a
 * name no resolver knows: device B's browser reaches it at the local runtime, as
 * DNS would send it to the deployment's API.
 */
const resolveShortLinks = async (context: BrowserContext) => {
  const base = new URL(process.env.SHORT_LINK_BASE_URL!);
  await context.route(`${base.origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    const answer = await route.fetch({ url: `${runtime.apiUrl}${url.pathname}${url.search}`, maxRedirects: 0 });
    await route.fulfill({ response: answer });
  });
};

/** Reads the QR code as a phone's camera would: what the page shows, rasterised by Chromium, decoded by jsQR. */
const readCode = async (page: Page): Promise<string> => {
  const png = PNG.sync.read(await page.locator('#handoff-code svg').screenshot());
  const code = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height);
  if (!code) throw new Error('no QR code could be read from the page');
  return code.data;
};

describe('hand-off in the browser: device A shows a QR code, device B scans it and carries on', () => {
  browserIt(
    'device A fills two pages and shows the code; device B opens the link read from it, carries on; A then shows "continued on another device"',
    async ({ newPage }) => {
      // Device A: pages 1 and 2, saved on the way to page 3.
      const a = (await newPage()).page;
      await a.goto(runtime.demoUrl);
      expect(await demoOutcome(a)).toBe('no_link');
      registerSensitiveBody({ user_data: { first_name: 'Grace Hopper' } });
      await a.getByLabel('First name').fill('Grace Hopper');
      await a.getByRole('button', { name: 'Next' }).click();
      await a.getByRole('heading', { name: 'Your team' }).waitFor();
      await a.getByLabel('Team, up to 50 people').check();
      await a.getByLabel('Seats').fill('12');
      await a.getByRole('button', { name: 'Next' }).click();
      await a.getByRole('heading', { name: 'Stay in touch' }).waitFor();
      await saved(a);
      const held = await a.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null') as { entry_id: string }, STORAGE_KEY());
      made.push(held.entry_id);

      await a.getByRole('button', { name: 'Continue on your phone' }).click();
      await a.locator('#status', { hasText: 'Scan the code to continue on your phone.' }).waitFor();
      const scanned = await readCode(a);
      registerSensitive(scanned);

      // The code holds the short link, which the short-link route serves.
      const shortPath = new URL(scanned).pathname;
      expect(`${new URL(scanned).origin}${shortPath.replace(/[^/]+$/, '{code}')}`).toBe(`${process.env.SHORT_LINK_BASE_URL}${routePath('followShortLink')}`);

      // Device B, another browser profile: opens what it read, clicks Continue (a single-use link waits for the person).
      const bTab = await newPage();
      await resolveShortLinks(bTab.page.context());
      const b = bTab.page;
      await b.goto(scanned);
      expect(new URL(b.url()).searchParams.get('sr_confirm')).toBe('1');
      await b.getByRole('button', { name: 'Continue', exact: true }).click();
      expect(await demoOutcome(b)).toBe('restored');
      await b.getByRole('heading', { name: 'Stay in touch' }).waitFor();
      expect(await b.getByLabel('First name').inputValue()).toBe('Grace Hopper');
      expect(await b.getByLabel('Seats').inputValue()).toBe('12');
      // B carries on, and its saves are taken.
      await b.getByLabel('Send me the monthly product newsletter').check();
      await b.getByRole('button', { name: 'Finish' }).click();
      await b.getByRole('heading', { name: 'All set' }).waitFor();
      await saved(b);

      // Device A's next page change: its save gets 401, and the page says where the flow went instead of an error.
      await a.getByRole('button', { name: 'Back' }).click();
      await a.locator('#notice-text', { hasText: 'You continued on another device' }).waitFor();
      expect(await a.locator('#notice-text').textContent()).toBe(
        'You continued on another device, so this page no longer saves your answers. Carry on there, or start over here.',
      );
      expect(await a.locator('#status').getAttribute('class')).toBe('status ');
      expect(await a.locator('#handoff-box').isHidden()).toBe(true);

      // What B saved stands; A's save was refused.
      const entry = await callApi(runtime.apiUrl, 'GET', `/v1/entries/${held.entry_id}?project_id=${runtime.demo.projectId}`);
      expect((entry.json as { entry: { current_page_key: string; user_data: Record<string, unknown> } }).entry).toMatchObject({
        current_page_key: 'page_done',
        user_data: { first_name: 'Grace Hopper', plan: 'team', seats: 12, newsletter: true },
      });

      // The code works once: scanned again, it opens nothing.
      const cTab = await newPage();
      await resolveShortLinks(cTab.page.context());
      await cTab.page.goto(scanned);
      await cTab.page.getByRole('button', { name: 'Continue', exact: true }).click();
      expect(await demoOutcome(cTab.page)).toBe('failed');
      expect(await cTab.page.locator('#notice-text').textContent()).toBe('This link was already used; ask for a new one. You can start over.');
    },
  );
});

describe("the QR code's script is fetched by a page that hands off, and by no other", () => {
  const QR_SCRIPT = '/clients/session-recovery-qrcode.js';
  /** The paths a page fetched, in order. */
  const fetched = (page: Page): string[] => {
    const paths: string[] = [];
    page.on('request', (request) => paths.push(new URL(request.url()).pathname));
    return paths;
  };
  /** Page 1 filled and saved on the way to page 2: the demo's autosave (session-recovery.js) is on the page, its entry made. */
  const fillFirstPage = async (page: Page) => {
    await page.goto(runtime.demoUrl);
    expect(await demoOutcome(page)).toBe('no_link');
    registerSensitiveBody({ user_data: { first_name: 'Ada Lovelace' } });
    await page.getByLabel('First name').fill('Ada Lovelace');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Your team' }).waitFor();
    await saved(page);
    made.push((await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null') as { entry_id: string }, STORAGE_KEY())).entry_id);
  };

  browserIt(
    'a page that loads session-recovery.js and saves but never calls handoff() does not fetch session-recovery-qrcode.js; its first hand-off fetches it once',
    async ({ newPage }) => {
      const { page } = await newPage();
      const paths = fetched(page);
      await fillFirstPage(page);
      expect(paths).toContain('/clients/session-recovery.js');
      expect(paths).toContain(routePath('createEntry'));
      expect(paths).not.toContain(QR_SCRIPT);

      // The first hand-off fetches it, from beside session-recovery.js, and draws the code with it; a second one does not fetch it again.
      const handoffPath = routePath('handoff').replace('{entry_id}', made.at(-1)!);
      for (const shown of [1, 2]) {
        const answered = page.waitForResponse((r) => new URL(r.url()).pathname === handoffPath && r.status() === 201);
        await page.getByRole('button', { name: 'Continue on your phone' }).click();
        registerSensitiveBody(await (await answered).json());
        await page.locator('#status', { hasText: 'Scan the code to continue on your phone.' }).waitFor();
        expect([shown, paths.filter((p) => p === QR_SCRIPT)]).toEqual([shown, [QR_SCRIPT]]);
      }
      expect(paths.filter((p) => p === handoffPath)).toHaveLength(2);
    },
  );

  browserIt(
    'a site that serves session-recovery.js without session-recovery-qrcode.js: handoff() rejects with qr_code_unavailable and asks for no link',
    async ({ newPage }) => {
      const { page } = await newPage();
      await page.route(`**${QR_SCRIPT}`, (route) => route.fulfill({ status: 404, contentType: 'text/plain', body: 'Not Found' }));
      const paths = fetched(page);
      await fillFirstPage(page);
      const handoffPath = routePath('handoff').replace('{entry_id}', made.at(-1)!);

      await page.getByRole('button', { name: 'Continue on your phone' }).click();
      await page.locator('#status', { hasText: 'A code could not be made' }).waitFor();
      expect(await page.locator('#status').textContent()).toMatch(
        /^A code could not be made: The QR code's script could not be loaded: session-recovery-qrcode\.js must be served beside session-recovery\.js \(.+\)\.$/,
      );
      expect(paths).toContain(QR_SCRIPT);
      expect(paths).not.toContain(handoffPath);
      expect(await page.locator('#handoff-box').isHidden()).toBe(true);
    },
  );
});
