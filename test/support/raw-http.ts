import { request } from 'node:http';
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  readonly status: number;
  /** Lower-case names. */
  readonly headers: Record<string, string>;
  readonly body: string;
}

const decodeChunked = (body: string): string => {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
};

/** Parses one HTTP/1.1 response as received (ASCII bodies only, which is all these tests read). */
export const parseResponse = (raw: string): RawResponse => {
  const split = raw.indexOf('\r\n\r\n');
  if (split < 0) throw new Error(`not an HTTP response: ${JSON.stringify(raw)}`);
  const [statusLine, ...lines] = raw.slice(0, split).split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = raw.slice(split + 4);
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: headers['transfer-encoding'] === 'chunked' ? decodeChunked(body) : body,
  };
};

/** A connection to `origin` (`http://host:port`), once it is open. */
export const openSocket = (origin: string): Promise<Socket> => {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => resolve(socket));
    socket.once('error', reject);
  });
};

/**
 * Writes `bytes` exactly as given on a new connection and returns everything
 * the server sends until it closes the connection (so send `Connection: close`).
 * The client never half-closes: Node's server would abort the request if it did.
 */
export const rawExchange = async (origin: string, bytes: string): Promise<string> => {
  const socket = await openSocket(origin);
  return new Promise((resolve, reject) => {
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(received));
    socket.write(bytes, 'latin1');
  });
};

/** Sends the first `sent` bytes of a request and hangs up, as a client that crashed or lost its network would. */
export const hangUpMidRequest = async (origin: string, sent: string): Promise<void> => {
  const socket = await openSocket(origin);
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.write(sent, () => resolve()));
  socket.destroy();
};

/** One request with exactly these headers (node:http sends `Host`, `Origin` and the rest as given). */
export const httpRequest = (
  url: string,
  /** `localAddress`: the loopback address the connection comes from (127.0.0.0/8 is all this machine's), a source of the test's own. */
  options: { method?: string; headers?: Record<string, string>; body?: string; localAddress?: string } = {},
): Promise<RawResponse> =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: options.headers, localAddress: options.localAddress }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
      });
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = String(value);
        resolve({ status: res.statusCode ?? 0, headers, body });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
