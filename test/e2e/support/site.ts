import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type DemoSiteConfig, demoSite } from '../../../local/demo-site';
import type { LocalRuntime } from '../../../local/runtime';

/** A unique id with a readable prefix, valid under the id grammar. */
export const uid = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

/** The seed's token formula, computed here independently of the product's code. */
export const seedToken = (secret: string, entryId: string, expiresAt: string): string =>
  createHash('sha256').update(`${secret}---${entryId}---${expiresAt}`, 'utf8').digest('hex');

export interface DemoSite {
  /** `http://127.0.0.1:<port>`: the site's origin. */
  readonly origin: string;
  /** The demo page on this site. */
  readonly demoUrl: string;
  /** What the page calls; set it before the first request. */
  config?: DemoSiteConfig;
  close(): Promise<void>;
}

/**
 * The demo pages served on their own origin, as a team's website would serve
 * its flow, calling the API on another origin. It listens before it is
 * configured, so its origin can go into ALLOWED_ORIGINS before the API starts.
 */
export const startDemoSite = async (): Promise<DemoSite> => {
  const server: Server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const site: DemoSite = {
    origin,
    demoUrl: `${origin}/demo/`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  const serve = demoSite(() => {
    if (!site.config) throw new Error('the demo site is not configured yet');
    return site.config;
  });
  server.on('request', (req, res) => {
    void serve(req, res).then(
      (served) => {
        if (!served) res.writeHead(404).end();
      },
      () => res.writeHead(500).end(),
    );
  });
  return site;
};

/** What a site's demo page calls on `runtime`: the demo project and flow unless told otherwise. */
export const siteConfig = (runtime: LocalRuntime, ids: { projectId: string; flowId: string } = runtime.demo): DemoSiteConfig => ({
  apiUrl: runtime.apiUrl,
  legacyUrl: runtime.legacyUrl,
  projectId: ids.projectId,
  flowId: ids.flowId,
});

/** A loopback port nothing listens on (it was free a moment ago). */
export const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
};

export interface Reply {
  readonly status: number;
  readonly json: unknown;
}

/** Calls a route of the local API as a backend would (no Origin header). */
export const callApi = async (apiUrl: string, method: string, path: string, body?: unknown): Promise<Reply> => {
  const res = await fetch(`${apiUrl}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
};

/** Saves an entry through `PUT /v1/entries/{entry_id}`, expecting 201. */
export const putEntry = async (
  apiUrl: string,
  entry: { entryId: string; projectId: string; flowId: string; currentPageKey: string; userData: Record<string, unknown> },
): Promise<void> => {
  const reply = await callApi(apiUrl, 'PUT', `/v1/entries/${entry.entryId}`, {
    project_id: entry.projectId,
    flow_id: entry.flowId,
    current_page_key: entry.currentPageKey,
    user_data: entry.userData,
  });
  if (reply.status !== 201) throw new Error(`saving ${entry.entryId} answered ${reply.status}: ${JSON.stringify(reply.json)}`);
};

export const deleteEntry = async (apiUrl: string, entryId: string, projectId: string): Promise<void> => {
  const reply = await callApi(apiUrl, 'DELETE', `/v1/entries/${entryId}?project_id=${projectId}`);
  if (reply.status !== 204) throw new Error(`deleting ${entryId} answered ${reply.status}`);
};

export interface MintedLink {
  readonly token: string;
  readonly entry_id: string;
  readonly expires_at: string;
  readonly url: string;
  readonly credential_id: string;
}

/** Mints a link through `POST /v1/tokens`, expecting 200. */
export const mintLink = async (
  apiUrl: string,
  body: { project_id: string; entry_id: string; resume_url: string; expires_at?: string },
): Promise<MintedLink> => {
  const reply = await callApi(apiUrl, 'POST', '/v1/tokens', body);
  if (reply.status !== 200) throw new Error(`minting answered ${reply.status}: ${JSON.stringify(reply.json)}`);
  return reply.json as MintedLink;
};

/**
 * Sets an environment variable for the runtime this file starts (the Lambda
 * handlers read it when first imported) and returns how to put it back.
 */
export const setEnv = (name: string, value: string): (() => void) => {
  const saved = process.env[name];
  process.env[name] = value;
  return () => {
    if (saved === undefined) delete process.env[name];
    else process.env[name] = saved;
  };
};

/**
 * The local console's line for a person's resume of a link that has no record of its mint (minted by a backend with
 * the seed's formula, without a campaign): its status alone. The test browsers send a person's User-Agent
 * (support/browser.ts): HeadlessChrome's would be counted early, as a scanner's.
 */
export const resumeLine = (route: string): string => `${route} -> 200`;

/** The request lines the local runtime logged (`METHOD /path -> status`), collected for assertions. */
export class RequestLog {
  readonly lines: string[] = [];
  readonly record = (line: string): void => {
    this.lines.push(line);
  };
  /** How many logged lines equal `line` exactly. */
  count(line: string): number {
    return this.lines.filter((l) => l === line).length;
  }
  clear(): void {
    this.lines.length = 0;
  }
}
