import { EventEmitter, once } from 'node:events';
import net from 'node:net';

/**
 * What the proxy does with the answer to the request it picks, once the
 * emulator has sent it (so the write has landed): `reset` destroys the client's
 * connection, as a connection reset after the write would; `hold` keeps the
 * answer from the client until the client gives up (its `requestTimeout`), as
 * a slow endpoint would.
 */
export type LostAnswer = 'reset' | 'hold';

/** Which request loses its answer: the first one of `operation` (X-Amz-Target's, e.g. `UpdateItem`) whose body contains `bodyIncludes`. */
export interface AnswerToLose {
  readonly operation: string;
  readonly bodyIncludes: string;
  readonly how: LostAnswer;
  /** A later request of the same kind (the SDK's retry) goes on to the emulator only once this resolves: what else lands first. */
  readonly retryAfter?: () => Promise<unknown>;
}

/** One HTTP request as the proxy saw it go by. */
export interface SeenRequest {
  readonly operation: string;
  readonly body: string;
}

const HEADER_END = '\r\n\r\n';

/**
 * A real TCP proxy in front of the emulator (`AWS_ENDPOINT_URL`): it forwards
 * every request and answer byte for byte, except that the first request
 * matching `lose` reaches the emulator and is answered there, and that answer
 * never reaches the client. A real SDK client pointed at it (stalled-endpoint.ts's
 * `sendTo`) then meets the fault with its own timeouts and retries: the write
 * has landed, and the SDK sends it again.
 *
 * Requests are read off each client connection by their headers and
 * Content-Length (the SDK sends one request at a time on a connection, and no
 * chunked bodies to DynamoDB).
 */
export const startLostAnswerProxy = async (lose: AnswerToLose) => {
  const target = new URL(process.env.AWS_ENDPOINT_URL as string);
  const seen: SeenRequest[] = [];
  const events = new EventEmitter();
  const sockets = new Set<net.Socket>();
  let lost = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    sockets.add(client);
    sockets.add(upstream);
    let pending = Buffer.alloc(0);
    /** The answer now coming from upstream is the one to lose. */
    let losing = false;
    client.on('data', (chunk: Buffer) => {
      pending = Buffer.concat([pending, chunk]);
      for (;;) {
        const end = pending.indexOf(HEADER_END);
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number(/\r\ncontent-length:\s*(\d+)/i.exec(head)?.[1] ?? 0);
        const total = end + HEADER_END.length + length;
        if (pending.length < total) return;
        const request = pending.subarray(0, total);
        pending = pending.subarray(total);
        const operation = (/\r\nx-amz-target:\s*[^.\r\n]*\.([^\r\n]+)/i.exec(head)?.[1] ?? '').trim();
        const body = request.subarray(end + HEADER_END.length).toString('utf8');
        seen.push({ operation, body });
        const matches = operation === lose.operation && body.includes(lose.bodyIncludes);
        if (matches && lost && lose.retryAfter) {
          // One request at a time on a connection: nothing else comes on this one while it waits.
          void lose.retryAfter().then(
            () => upstream.write(request),
            () => upstream.write(request),
          );
          continue;
        }
        if (matches && !lost) {
          lost = true;
          losing = true;
        }
        upstream.write(request);
      }
    });
    /** This connection's answer was lost: nothing more of it reaches the client. */
    let swallowing = false;
    upstream.on('data', (chunk: Buffer) => {
      if (swallowing) return;
      if (!losing) {
        client.write(chunk);
        return;
      }
      // The emulator has answered: the write is in the table. The client never learns it.
      swallowing = true;
      events.emit('lost');
      if (lose.how === 'reset') {
        client.destroy();
        upstream.destroy();
      } else {
        // Held: nothing more goes either way on this connection; the client's timeout ends it.
        client.removeAllListeners('data');
      }
    });
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on('close', () => {
        sockets.delete(socket);
        // A held answer's connection stays open to the client after the emulator closes its end (it may after each answer).
        if (socket === upstream && swallowing && lose.how === 'hold') return;
        close();
      });
      // A reset either way is what this proxy is for: never a crash.
      socket.on('error', () => undefined);
    }
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    /** Every request that went by, in order (the lost answer's included). */
    seen,
    /** Whether an answer was lost yet. */
    lost: () => lost,
    /** Resolves once the picked request's answer has been withheld. */
    whenLost: async (): Promise<void> => {
      if (!lost) await once(events, 'lost');
    },
    /** The requests seen of `lose`'s kind: the write that landed and the SDK's retries of it. */
    matching: () => seen.filter((s) => s.operation === lose.operation && s.body.includes(lose.bodyIncludes)),
    close: async (): Promise<void> => {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
};
