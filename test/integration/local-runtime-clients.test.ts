import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createApiServer, type HttpApiHandler } from '../../local/api-server';
import type { LocalRuntime } from '../../local/runtime';
import { hangUpMidRequest, openSocket, parseResponse, rawExchange } from '../support/raw-http';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { startTestRuntime } from '../support/runtime';

/** The resume route, as the local console names it. */
const { key: LOAD } = ROUTE_LIST.find((r) => r.name === 'loadEntryData')!;

/** The request lines a server logs, with a way to wait for the next one. */
class LogLines {
  private readonly waiting: { line: string; resolve: () => void }[] = [];
  readonly record = (line: string): void => {
    for (const w of this.waiting.filter((w) => w.line === line)) w.resolve();
  };
  /** Resolves when `line` is logged after this call: call it before the action that logs it. */
  next(line: string): Promise<void> {
    return new Promise((resolve) => this.waiting.push({ line, resolve }));
  }
}

const MALFORMED = {
  error: { code: 'invalid_request', message: 'Invalid request: the request URL is malformed; check the percent-encoding of its path.' },
};

/** The reproduction from the review: a body announced as 500 bytes, 7 sent, then the connection closed. */
const halfBody = (path: string, host: string) =>
  `POST ${path} HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{"a":1}`;

const getLine = (path: string, host: string) => `GET ${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('the local runtime, when a client misbehaves', () => {
  const log = new LogLines();
  let runtime: LocalRuntime;
  beforeAll(async () => {
    runtime = await startTestRuntime({ log: log.record });
  });
  afterAll(async () => {
    await runtime?.stop();
  });

  const hostOf = (url: string) => new URL(url).host;

  /** A request each port answers normally: the demo page on the API, the migration guide on the legacy port. */
  const stillServes = async () => {
    expect((await fetch(runtime.demoUrl)).status).toBe(200);
    expect((await fetch(`${runtime.legacyUrl}/migration-guide`)).status).toBe(200);
  };

  it('drops a request whose client sends half its body and hangs up, on both ports, and keeps serving', async () => {
    const api = log.next(`${LOAD} -> dropped, the client hung up mid-request`);
    const legacy = log.next('[legacy] POST / -> dropped, the client hung up mid-request');
    await hangUpMidRequest(runtime.apiUrl, halfBody('/v1/load-entry-data', hostOf(runtime.apiUrl)));
    await hangUpMidRequest(runtime.legacyUrl, halfBody('/', hostOf(runtime.legacyUrl)));
    await Promise.all([api, legacy]);
    await stillServes();
  });

  it('answers 400 invalid_request to a path with malformed percent-encoding, on both ports', async () => {
    for (const [origin, path] of [
      [runtime.apiUrl, '/v1/entries/%E0%A4%A'],
      [runtime.apiUrl, '/v1/projects/%ZZ/credentials'],
      [runtime.legacyUrl, '/%E0%A4%A'],
    ]) {
      const res = parseResponse(await rawExchange(origin, getLine(path, hostOf(origin))));
      expect({ path, status: res.status, type: res.headers['content-type'], body: JSON.parse(res.body) as unknown }).toEqual({
        path,
        status: 400,
        type: 'application/json',
        body: MALFORMED,
      });
    }
    await stillServes();
  });

  it('answers 400 invalid_request to a request target that is no URL', async () => {
    const res = parseResponse(await rawExchange(runtime.apiUrl, getLine('http://[/v1/tokens', hostOf(runtime.apiUrl))));
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toEqual(MALFORMED);
    await stillServes();
  });

  it('answers 400 to bytes that are not HTTP, on both ports, and keeps serving', async () => {
    for (const origin of [runtime.apiUrl, runtime.legacyUrl]) {
      expect(parseResponse(await rawExchange(origin, 'HELLO THERE\r\n\r\n')).status).toBe(400);
    }
    await stillServes();
  });
});

describe('the local API server, watching its handler', () => {
  const log = new LogLines();
  const calls: APIGatewayProxyEventV2[] = [];
  /** What the handler answers; a test replaces it to hold the answer back. */
  let answer: () => Promise<unknown> = async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
  const handler: HttpApiHandler = async (event) => {
    calls.push(event);
    return answer();
  };
  const serverSockets: Socket[] = [];
  let server: Server;
  let origin: string;
  beforeAll(async () => {
    server = createApiServer([{ method: 'POST', path: '/things', functionName: 'things', handler, access: 'public' }], { onRequest: log.record });
    server.on('connection', (socket: Socket) => serverSockets.push(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    calls.length = 0;
    answer = async () => ({ statusCode: 200, headers: { 'content-type': 'text/plain' }, body: 'ok' });
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const post = (body: string) => fetch(`${origin}/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });

  it('never calls the handler with half a body', async () => {
    const dropped = log.next('POST /things -> dropped, the client hung up mid-request');
    await hangUpMidRequest(origin, halfBody('/things', new URL(origin).host));
    await dropped;
    expect(calls).toHaveLength(0);
    const res = await post('{"whole":true}');
    expect(res.status).toBe(200);
    expect(calls.map((e) => e.body)).toEqual(['{"whole":true}']);
  });

  it('drops the answer of a client that hung up while the handler ran, and keeps serving', async () => {
    let release!: (value: unknown) => void;
    let entered!: () => void;
    const handlerEntered = new Promise<void>((resolve) => {
      entered = resolve;
    });
    answer = () => {
      entered();
      return new Promise((resolve) => {
        release = resolve;
      });
    };
    const client = await openSocket(origin);
    client.on('error', () => undefined);
    client.write(`POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}`);
    await handlerEntered;
    const serverSide = serverSockets.at(-1) as Socket;
    const serverSawClose = new Promise((resolve) => serverSide.once('close', resolve));
    client.destroy();
    await serverSawClose;
    const dropped = log.next('POST /things -> dropped, the client hung up before the answer');
    release({ statusCode: 200, body: 'too late' });
    await dropped;
    answer = async () => ({ statusCode: 201, body: 'next' });
    const res = await post('{}');
    expect(res.status).toBe(201);
    expect(await res.text()).toBe('next');
  });

  it('answers 500 as API Gateway does when the handler throws, or returns a header HTTP cannot carry', async () => {
    for (const failure of [
      async () => {
        throw new Error('boom');
      },
      async () => ({ statusCode: 200, headers: { 'x-broken': 'a\r\nb' }, body: 'no' }),
    ]) {
      answer = failure;
      const res = await post('{}');
      expect(res.status).toBe(500);
      expect(await res.json()).toEqual({ message: 'Internal Server Error' });
    }
  });
});
