import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { OutcomeListener, RequestOutcome } from '../lambdas/http/access-log';
import { NO_CAMPAIGN } from '../lambdas/domain/recovery';
import { defaultOf } from '../lambdas/runtime/environment';
import type { LogKeys } from '../lambdas/runtime/logger';
import type { RouteAccess, RouteSpec } from '../lambdas/http/routes';
import { type HttpRequestLike, lambdaContext, toHttpApiEvent } from './http-api-event';

export type HttpApiHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * One route as the local server matches it. `OPTIONS` routes exist for public
 * paths, as in AWS. Method and path `*` match anything, as a Function URL does
 * (its events carry routeKey `$default`).
 */
export interface LocalRoute {
  readonly method: string;
  readonly path: string;
  readonly functionName: string;
  readonly handler: HttpApiHandler;
  /** `iam` routes have no IAM in front of them here, so they refuse browsers on other origins instead. */
  readonly access: RouteAccess;
}

// HTTP APIs refuse payloads over 10 MB before any Lambda runs.
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/** Expands the route table into the routes AWS would create, OPTIONS for public paths included. */
export const localRoutes = (routes: readonly RouteSpec[], handlers: Record<string, HttpApiHandler>): LocalRoute[] =>
  routes.flatMap((r) => {
    const handler = handlers[r.fn];
    if (!handler) throw new Error(`no handler loaded for ${r.fn}`);
    const route = { method: r.method, path: r.path, functionName: r.fn, handler, access: r.access };
    return r.access === 'public' ? [route, { ...route, method: 'OPTIONS' }] : [route];
  });

/** Only called on paths that decode as a whole, so no segment can throw. */
const matchPath = (template: string, path: string): Record<string, string> | undefined => {
  const t = template.split('/');
  const p = path.split('/');
  if (t.length !== p.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < t.length; i++) {
    const m = /^\{(.+)\}$/.exec(t[i]);
    if (m) {
      if (p[i] === '') return undefined;
      params[m[1]] = decodeURIComponent(p[i]);
    } else if (t[i] !== p[i]) {
      return undefined;
    }
  }
  return params;
};

/** The route serving `method` and `path`, with its path parameters, as the server matches them (the in-process fuzz too). */
export const findRoute = (routes: readonly LocalRoute[], method: string, path: string) => {
  for (const route of routes) {
    if (route.method !== method && route.method !== '*') continue;
    const params = route.path === '*' ? {} : matchPath(route.path, path);
    if (params) return { route, pathParameters: Object.keys(params).length ? params : undefined };
  }
  return undefined;
};

/** The request target, or undefined when it is no URL (`GET http://[ HTTP/1.1`) or its path has malformed percent-encoding. */
export const parseTarget = (target: string): URL | undefined => {
  const url = URL.parse(target, 'http://local');
  if (!url) return undefined;
  try {
    decodeURIComponent(url.pathname);
    return url;
  } catch {
    return undefined;
  }
};

/** Rejects when the client goes away before the end of the body, so no handler ever sees half of one. */
const readBody = async (req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> => {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? 'too_large' : Buffer.concat(chunks);
};

const JSON_TYPE = { 'content-type': 'application/json' };
const errorBody = (code: string, message: string): string => JSON.stringify({ error: { code, message } });

const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void => {
  res.writeHead(status, headers);
  res.end(body);
};

const internalError = (res: ServerResponse): void => send(res, 500, JSON_TYPE, '{"message":"Internal Server Error"}');

/** Ends an exchange that failed while answering: a 500 if nothing was sent yet, else a cut connection rather than half an answer. */
const failed = (res: ServerResponse): void => {
  if (res.headersSent) res.destroy();
  else internalError(res);
};

const sendResult = (res: ServerResponse, result: unknown): void => {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    // HTTP APIs turn a non-structured result into a 200 JSON response.
    send(res, 200, JSON_TYPE, JSON.stringify(result ?? null));
    return;
  }
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.headers ?? {})) headers[k] = String(v);
  if (r.cookies?.length) res.setHeader('set-cookie', r.cookies);
  const body = r.body === undefined ? '' : r.isBase64Encoded ? Buffer.from(r.body, 'base64') : r.body;
  send(res, r.statusCode ?? 200, headers, body);
};

const joinHeaders = (req: IncomingMessage): Record<string, string> => {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  }
  return headers;
};

/**
 * How a successful resume is counted, from its request line's keys (domain/recovery.ts, resumeLogKeys): `human` or
 * `early`, its campaign, and why an early one is early. Empty for a line that carries neither, as in AWS.
 */
const resumeCounted = (keys: LogKeys | undefined, early: number): string => {
  const kind = keys?.human !== undefined ? 'human' : keys?.early !== undefined ? 'early' : undefined;
  if (!keys || !kind) return '';
  const named = String(keys[kind]);
  const campaign = named === NO_CAMPAIGN ? 'no campaign' : `campaign ${named}`;
  const age = typeof keys.link_age_s === 'number' ? keys.link_age_s : undefined;
  const why =
    kind === 'human' ? '' : age !== undefined && age < early ? `: within EARLY_RESUME_SECONDS (${early} s) of the mint` : ": an automated client's User-Agent";
  return ` ${kind} (${campaign}${age === undefined ? '' : `, link ${age} s old`}${why})`;
};

const LOOPBACK_ADDRESS = /^(127\.\d+\.\d+\.\d+|::1)$/;

/**
 * The `host[:port]` names of this server as the connection reached it: its own
 * address (never the client's `Host` header), and `localhost` on loopback.
 * The first is the event's `domainName`, as a Function URL's is AWS's own.
 */
const ownHosts = (socket: Socket): string[] => {
  const address = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const names = [address.includes(':') ? `[${address}]` : address, ...(LOOPBACK_ADDRESS.test(address) ? ['localhost'] : [])];
  const port = socket.localPort;
  return names.flatMap((name) => (port === 80 ? [`${name}:80`, name] : [`${name}:${port}`]));
};

/**
 * Whether a browser sent this request from a page that is not this server's:
 * another `Origin` (a CORS-simple `text/plain` POST needs no preflight), a
 * cross-site or same-site fetch that carries none (`Sec-Fetch-Site`), or a
 * `Host` that is not this server's, which is how a DNS-rebound page looks.
 * Backends, curl and the CLI send neither header, and this server's own host.
 */
const fromAnotherOrigin = (req: IncomingMessage, hosts: readonly string[]): boolean => {
  const { origin, host } = req.headers;
  const site = req.headers['sec-fetch-site'];
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) return true;
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return true;
  return host !== undefined && !hosts.includes(host.toLowerCase());
};

export interface ApiServerOptions {
  /**
   * Called once per request the API answers (or drops) with `METHOD /path -> status`,
   * followed for a failure by its code and why, e.g.
   * `POST /v1/load-entry-data -> 401 invalid_token (no key of project proj_x matched (1 tried))`.
   * The why is the handler's own (ApiError.detail), for this console only: the
   * response says no more than it does in AWS.
   */
  readonly onRequest?: (line: string) => void;
  /** Answers what no route matches and `fallback` does not, as API Gateway's `$default` route does. */
  readonly defaultRoute?: LocalRoute;
  /**
   * Gets the requests no route matches, before the 404 (the local runtime serves
   * the demo pages this way). Returns whether it answered.
   */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
  /**
   * Take each request's `sourceIp` from the first address of its `X-Forwarded-For` header (when that is an IP
   * address), as a proxy in front would pass it, instead of the socket's. Only `npm run load` and `npm run soak`
   * set it, so that one driver on loopback stands for a population of browsers each with its own address; the
   * per-source bounds then count those addresses. `npm start` never does: there, as behind API Gateway, a request's
   * source is its connection's.
   */
  readonly sourceFromForwardedFor?: boolean;
  /** The handlers' EARLY_RESUME_SECONDS, to say why a resume counted early (default: the setting's default). */
  readonly earlyResumeSeconds?: number;
  /** The Lambdas' timeout, which sets when the handlers give up early (default: the deployed functions', lambdas/runtime/deadline.ts). */
  readonly functionTimeoutMs?: number;
}

/** The first address of `X-Forwarded-For`, when it is one. */
const forwardedSource = (req: IncomingMessage): string | undefined => {
  const first = String(req.headers['x-forwarded-for'] ?? '')
    .split(',')[0]
    .trim();
  return isIP(first) ? first : undefined;
};

const serve = async (routes: readonly LocalRoute[], options: ApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> => {
  const method = (req.method ?? 'GET').toUpperCase();
  const url = parseTarget(req.url ?? '/');
  if (!url) {
    send(res, 400, JSON_TYPE, errorBody('invalid_request', 'Invalid request: the request URL is malformed; check the percent-encoding of its path.'));
    // The path only: a query string can carry a resume link's token.
    options.onRequest?.(`${method} ${(req.url ?? '').split('?')[0]} -> 400`);
    return;
  }
  let match = findRoute(routes, method, url.pathname);
  if (!match) {
    try {
      if (await options.fallback?.(req, res)) return;
    } catch {
      if (res.headersSent) res.destroy();
      else send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'Internal Server Error');
      return;
    }
    if (!options.defaultRoute) return send(res, 404, JSON_TYPE, errorBody('not_found', 'No route serves this request.'));
    match = { route: options.defaultRoute, pathParameters: undefined };
  }
  const { route, pathParameters } = match;
  let outcome: RequestOutcome | undefined;
  const log = (status: string | number) => {
    const why =
      outcome && outcome.code !== 'ok'
        ? ` ${outcome.code}${outcome.detail ? ` (${outcome.detail})` : ''}`
        : resumeCounted(outcome?.keys, options.earlyResumeSeconds ?? defaultOf('EARLY_RESUME_SECONDS'));
    options.onRequest?.(`${method} ${url.pathname} -> ${status}${why}`);
  };
  const hosts = ownHosts(req.socket);
  if (route.access === 'iam' && fromAnotherOrigin(req, hosts)) {
    send(
      res,
      403,
      JSON_TYPE,
      errorBody('forbidden', 'Admin routes do not accept requests from web pages on other origins. Call them from your backend, the CLI or curl.'),
    );
    return log(403);
  }
  let body: Buffer | 'too_large';
  try {
    body = await readBody(req, API_GATEWAY_MAX_BODY);
  } catch {
    return log('dropped, the client hung up mid-request');
  }
  if (body === 'too_large') {
    send(res, 413, JSON_TYPE, '{"message":"Request Entity Too Large"}');
    return log(413);
  }
  const request: HttpRequestLike = {
    method,
    path: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    headers: joinHeaders(req),
    body: body.length ? body : undefined,
    routeKey: route.path === '*' ? '$default' : `${route.method} ${route.path}`,
    pathParameters,
    sourceIp: (options.sourceFromForwardedFor ? forwardedSource(req) : undefined) ?? req.socket.remoteAddress?.replace(/^::ffff:/, ''),
    domainName: hosts[0],
  };
  let write: () => void;
  try {
    // The local runtime asks for each request's outcome (lambdas/http/access-log.ts); AWS's context does not.
    const context: Context & OutcomeListener = {
      ...lambdaContext(route.functionName, options.functionTimeoutMs),
      reportOutcome: (reported) => (outcome = reported),
    };
    const result = await route.handler(toHttpApiEvent(request), context);
    write = () => sendResult(res, result);
  } catch {
    // What API Gateway answers when the integration fails.
    write = () => internalError(res);
  }
  if (res.destroyed) return log('dropped, the client hung up before the answer');
  try {
    write();
  } catch {
    // A result HTTP cannot carry, such as a header value with a line break.
    failed(res);
  }
  log(res.statusCode);
};

/**
 * An HTTP server that turns each request into the payload-format-2.0 event API
 * Gateway (or a Function URL) would send, and calls the same exported `handler`
 * the Lambda runs. No client can bring it down: a malformed URL gets 400, a
 * request the client abandons is dropped, and a failure while answering ends
 * that one exchange.
 */
export const createApiServer = (routes: readonly LocalRoute[], options: ApiServerOptions = {}): Server =>
  createServer((req, res) => {
    // A client can hang up at any moment: its request and response then fail, with nothing left to answer.
    req.on('error', () => undefined);
    res.on('error', () => undefined);
    serve(routes, options, req, res).catch(() => failed(res));
  });
