import { randomUUID } from 'node:crypto';
import { EventEmitter, once } from 'node:events';
import net from 'node:net';

/** One TCP connection the stalled endpoint accepted. */
export interface StalledConnection {
  /** Bytes the client sent (its HTTP request). */
  bytes: number;
  /** Whether the client gave up and closed it (rather than `close` tearing it down). */
  closedByClient: boolean;
}

/**
 * How the endpoint stalls: `silent` accepts the connection, reads the request
 * and never writes a byte; `mid-body` answers 200 with its headers and the first
 * bytes of a longer body, then nothing more.
 */
export type Stall = 'silent' | 'mid-body';

/**
 * A real socket standing for an AWS endpoint that accepts connections and then
 * stalls. `close` destroys whatever the clients left open, so a test leaves no
 * socket behind.
 */
export const startStalledEndpoint = async (stall: Stall = 'silent') => {
  const sockets = new Set<net.Socket>();
  const connections: StalledConnection[] = [];
  const events = new EventEmitter();
  let closing = false;
  const server = net.createServer((socket) => {
    const connection: StalledConnection = { bytes: 0, closedByClient: false };
    connections.push(connection);
    sockets.add(socket);
    socket.on('data', (chunk: Buffer) => {
      if (stall === 'mid-body' && connection.bytes === 0) {
        socket.write('HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nContent-Length: 4096\r\n\r\n{"');
      }
      connection.bytes += chunk.length;
    });
    socket.on('close', () => {
      connection.closedByClient = !closing;
      sockets.delete(socket);
      if (sockets.size === 0) events.emit('idle');
    });
    // A client that gives up may reset the connection: expected, never a crash.
    socket.on('error', () => undefined);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as net.AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    connections,
    /** Resolves once no accepted connection is left open. */
    idle: async (): Promise<void> => {
      if (sockets.size > 0) await once(events, 'idle');
    },
    close: async (): Promise<void> => {
      closing = true;
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
};

interface ClientWithStack {
  middlewareStack: {
    add(mw: unknown, options: { step: 'build'; name: string }): void;
    remove(name: string): boolean;
  };
}

/**
 * Sends every request of a real SDK client (its own request handler, timeouts
 * and retries) to `endpoint` instead of the emulator, until the returned
 * function is called.
 */
export const sendTo = (client: ClientWithStack, endpoint: string): (() => void) => {
  const url = new URL(endpoint);
  const name = `send-to-${randomUUID()}`;
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: { request: Record<string, unknown> }) => {
      Object.assign(args.request, { protocol: url.protocol, hostname: url.hostname, port: Number(url.port) });
      return next(args);
    },
    { step: 'build', name },
  );
  return () => void client.middlewareStack.remove(name);
};
