import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { routePath } from '../lambdas/http/routes';

const root = path.join(import.meta.dirname, '..');
const demoDir = path.join(import.meta.dirname, 'demo');
const clientsDir = path.join(root, 'clients');

/** What the demo page calls. */
export interface DemoSiteConfig {
  /** Origin of the API, e.g. `http://127.0.0.1:3000`; `''` when the page is served by the API itself. */
  readonly apiUrl: string;
  /** The legacy contract's Function URL stand-in (it takes `POST /`). */
  readonly legacyUrl: string;
  readonly projectId: string;
  readonly flowId: string;
}

/**
 * Fills a snippet's @TODO placeholders (`'<NAME>'`) with values, as a team does
 * when it pastes the snippet into an Action. Throws when a placeholder is
 * missing, so a renamed one cannot go unnoticed.
 */
export const configureSnippet = (source: string, values: Readonly<Record<string, string>>): string => {
  let out = source;
  for (const [name, value] of Object.entries(values)) {
    const placeholder = `'<${name}>'`;
    if (!out.includes(placeholder)) throw new Error(`the snippet has no placeholder ${placeholder}`);
    out = out.replace(placeholder, () => JSON.stringify(value));
  }
  return out;
};

interface Asset {
  readonly type: string;
  readonly body: (config: DemoSiteConfig) => Promise<string> | string;
}

const file = (p: string) => () => readFile(p, 'utf8');

/**
 * An Action as the team pastes it, in a block of its own: Embeddables runs each
 * Action in its own scope, and the demo page runs two (the resume and the save),
 * whose constants would clash as two classic scripts. The block keeps them apart
 * and leaves the page its `output` function, as a script's.
 */
const action = async (name: string, values: Readonly<Record<string, string>>): Promise<string> =>
  `{\n${configureSnippet(await readFile(path.join(clientsDir, name), 'utf8'), values)}}\n`;
const HTML = 'text/html; charset=utf-8';
const JS = 'text/javascript; charset=utf-8';

const ASSETS: Readonly<Record<string, Asset>> = {
  '/demo/': { type: HTML, body: file(path.join(demoDir, 'index.html')) },
  '/demo/app.js': { type: JS, body: file(path.join(demoDir, 'app.js')) },
  '/demo/demo.css': { type: 'text/css; charset=utf-8', body: file(path.join(demoDir, 'demo.css')) },
  '/demo/config.json': {
    type: 'application/json; charset=utf-8',
    body: ({ apiUrl, projectId, flowId }) => JSON.stringify({ apiUrl, projectId, flowId }),
  },
  // The snippets exactly as a team pastes them into the demo's Embeddable: only the @TODO values differ.
  '/demo/action.js': {
    type: JS,
    body: (c) =>
      action('embeddables-action.js', {
        EMBEDDABLE_ID: c.flowId,
        PROJECT_ID: c.projectId,
        LOAD_ENTRY_DATA_URL: `${c.apiUrl}${routePath('loadEntryData')}`,
      }),
  },
  '/demo/action-legacy.js': {
    type: JS,
    body: (c) => action('embeddables-action-legacy.js', { EMBEDDABLE_ID: c.flowId, LEGACY_LOAD_ENTRY_DATA_URL: `${c.legacyUrl}/` }),
  },
  '/demo/save-action.js': {
    type: JS,
    body: (c) => action('embeddables-save-action.js', { EMBEDDABLE_ID: c.flowId, PROJECT_ID: c.projectId, API_URL: c.apiUrl }),
  },
  ...Object.fromEntries(
    ['embeddables-action.js', 'embeddables-action-legacy.js', 'embeddables-save-action.js', 'session-recovery.js', 'session-recovery-qrcode.js'].map((name) => [
      `/clients/${name}`,
      { type: JS, body: file(path.join(clientsDir, name)) },
    ]),
  ),
};

const originOf = (url: string): string => (url ? new URL(url).origin : '');

/** The page may call only its own origin, the API and the legacy URL. The link's token is in the page URL: no Referer. */
const headersFor = (type: string, config: DemoSiteConfig): Record<string, string> => ({
  'Content-Type': type,
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  ...(type === HTML
    ? {
        'Content-Security-Policy': [
          "default-src 'self'",
          "img-src 'self' data:",
          `connect-src ${["'self'", originOf(config.apiUrl), originOf(config.legacyUrl)].filter(Boolean).join(' ')}`,
          "base-uri 'none'",
          "form-action 'none'",
          "frame-ancestors 'none'",
        ].join('; '),
      }
    : {}),
});

/**
 * Serves the demo flow (`/demo/`) and the browser clients (`/clients/*.js`).
 * Returns a request listener that answers those and returns false for anything
 * else, so the caller can route it on. Only the files listed here are served:
 * no path ever reaches the file system. `config` is read per request, since the
 * API's port may be known only later.
 */
export const demoSite =
  (config: () => DemoSiteConfig) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<boolean> => {
    const url = new URL(req.url ?? '/', 'http://local');
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (url.pathname === '/demo') {
      res.writeHead(308, { Location: `/demo/${url.search}`, 'Cache-Control': 'no-store' });
      res.end();
      return true;
    }
    const asset = Object.hasOwn(ASSETS, url.pathname) ? ASSETS[url.pathname] : undefined;
    if (!asset) return false;
    const current = config();
    const body = await asset.body(current);
    res.writeHead(200, headersFor(asset.type, current));
    res.end(req.method === 'HEAD' ? undefined : body);
    return true;
  };
