import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { type RouteSpec, routeKey } from '../../lib/routes';
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
}

// HTTP APIs refuse payloads over 10 MB before any Lambda runs.
const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

/** Expands the route table into the routes AWS would create, OPTIONS for public paths included. */
export const localRoutes = (routes: readonly RouteSpec[], handlers: Record<string, HttpApiHandler>): LocalRoute[] =>
  routes.flatMap((r) => {
    const handler = handlers[r.fn];
    if (!handler) throw new Error(`no handler loaded for ${r.fn}`);
    const route = { method: r.method, path: r.path, functionName: r.fn, handler };
    return r.access === 'public' ? [route, { ...route, method: 'OPTIONS' }] : [route];
  });

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

const readBody = (req: IncomingMessage, limit: number): Promise<Buffer | 'too_large'> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? 'too_large' : Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer | string): void => {
  res.writeHead(status, headers);
  res.end(body);
};

const sendResult = (res: ServerResponse, result: unknown): void => {
  if (typeof result !== 'object' || result === null || !('statusCode' in result)) {
    // HTTP APIs turn a non-structured result into a 200 JSON response.
    send(res, 200, { 'content-type': 'application/json' }, JSON.stringify(result ?? null));
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

export interface ApiServerOptions {
  /** Called once per routed request with `METHOD /path -> status`. */
  readonly onRequest?: (line: string) => void;
  /**
   * Gets the requests no route matches, before the 404 (the local runtime serves
   * the demo pages this way). Returns whether it answered.
   */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;
}

/**
 * An HTTP server on loopback that turns each request into the payload-format-2.0
 * event API Gateway (or a Function URL) would send, and calls the same exported
 * `handler` the Lambda runs.
 */
export const createApiServer = (routes: readonly LocalRoute[], options: ApiServerOptions = {}): Server =>
  createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const method = (req.method ?? 'GET').toUpperCase();
      let route: LocalRoute | undefined;
      let pathParameters: Record<string, string> | undefined;
      for (const candidate of routes) {
        if (candidate.method !== method && candidate.method !== '*') continue;
        const params = candidate.path === '*' ? {} : matchPath(candidate.path, url.pathname);
        if (params) {
          route = candidate;
          pathParameters = Object.keys(params).length ? params : undefined;
          break;
        }
      }
      if (!route) {
        try {
          if (await options.fallback?.(req, res)) return;
        } catch {
          return send(res, 500, { 'content-type': 'text/plain; charset=utf-8' }, 'Internal Server Error');
        }
        return send(res, 404, { 'content-type': 'application/json' }, '{"message":"Not Found"}');
      }
      const body = await readBody(req, API_GATEWAY_MAX_BODY);
      if (body === 'too_large') {
        return send(res, 413, { 'content-type': 'application/json' }, '{"message":"Request Entity Too Large"}');
      }
      const request: HttpRequestLike = {
        method,
        path: url.pathname,
        rawQueryString: url.search.replace(/^\?/, ''),
        headers: joinHeaders(req),
        body: body.length ? body : undefined,
        routeKey: route.path === '*' ? '$default' : routeKey(route.method, route.path),
        pathParameters,
        sourceIp: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
        // The address this server listens on, as a Function URL's domainName is AWS's own: never the client's Host.
        domainName: `${req.socket.localAddress?.replace(/^::ffff:/, '')}:${req.socket.localPort}`,
      };
      try {
        const result = await route.handler(toHttpApiEvent(request), lambdaContext(route.functionName));
        sendResult(res, result);
      } catch {
        // What API Gateway answers when the integration fails.
        send(res, 500, { 'content-type': 'application/json' }, '{"message":"Internal Server Error"}');
      }
      options.onRequest?.(`${method} ${url.pathname} -> ${res.statusCode}`);
    })();
  });
