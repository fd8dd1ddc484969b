import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

/** Debian's chromium package; playwright cannot download browsers here. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const RESULTS_DIR = path.join(import.meta.dirname, '..', '..', '..', 'test-results');

/** How long one page action may wait: well under Jest's timeout, so a failure is reported (with its screenshot) by the test itself. */
const ACTION_TIMEOUT_MS = 10_000;
export const E2E_TEST_TIMEOUT_MS = 45_000;

export const launchBrowser = async (): Promise<Browser> => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`Chromium is not at ${CHROMIUM_PATH}: install Debian's package (apt-get install chromium) or set CHROMIUM_PATH`);
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    // Chromium refuses to start its sandbox as root (CI containers).
    args: process.getuid?.() === 0 ? ['--no-sandbox'] : [],
  });
};

/**
 * A person's Chrome of this browser's version. Headless Chromium says
 * "HeadlessChrome", which the service takes for an automated client (isbot): its
 * resumes would get no save token and use up nothing, as a mail scanner's.
 */
export const personAgent = (browser: Browser): string =>
  `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${browser.version()} Safari/537.36`;

/** A page in its own browser context: a fresh profile, as on another device. */
export interface TestPage {
  readonly page: Page;
  /** Every console message of the page, as `type: text`. */
  readonly console: string[];
}

const slug = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/**
 * `it`, with `newPage()` opening pages in fresh browser contexts. When the test
 * fails, every page it opened is saved as a screenshot, with its console, under
 * test-results/ before the contexts close.
 */
export const browserTest =
  (getBrowser: () => Browser) =>
  (name: string, body: (t: { newPage: () => Promise<TestPage> }) => Promise<void>): void => {
    it(
      name,
      async () => {
        const contexts: BrowserContext[] = [];
        const pages: TestPage[] = [];
        const newPage = async (): Promise<TestPage> => {
          const context = await getBrowser().newContext({ viewport: { width: 760, height: 900 }, userAgent: personAgent(getBrowser()) });
          contexts.push(context);
          const page = await context.newPage();
          page.setDefaultTimeout(ACTION_TIMEOUT_MS);
          const lines: string[] = [];
          page.on('console', (m) => lines.push(`${m.type()}: ${m.text()}`));
          page.on('pageerror', (e) => lines.push(`pageerror: ${e.message}`));
          const testPage = { page, console: lines };
          pages.push(testPage);
          return testPage;
        };
        try {
          await body({ newPage });
        } catch (error) {
          await mkdir(RESULTS_DIR, { recursive: true });
          for (const [i, p] of pages.entries()) {
            const base = path.join(RESULTS_DIR, `${slug(name)}-${i + 1}`);
            await p.page.screenshot({ path: `${base}.png`, fullPage: true }).catch(() => undefined);
            await writeFile(`${base}.console.txt`, `${p.page.url()}\n${p.console.join('\n')}\n`);
          }
          throw error;
        } finally {
          await Promise.all(contexts.map((c) => c.close()));
        }
      },
      E2E_TEST_TIMEOUT_MS,
    );
  };

/** Waits until the demo page has run its Action, and returns the outcome it recorded: no_link, restored or failed. */
export const demoOutcome = async (page: Page): Promise<string | null> => {
  await page.waitForSelector('body[data-ready]', { state: 'attached' });
  return page.locator('body').getAttribute('data-ready');
};
