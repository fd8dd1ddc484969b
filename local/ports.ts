import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A port of the local runtime that another process holds. */
export class PortInUseError extends Error {
  constructor(
    /** Which of the two servers could not listen. */
    readonly server: 'api' | 'legacy',
    readonly port: number,
  ) {
    super(`port ${port} is in use`);
    this.name = 'PortInUseError';
  }
}

/** Refuses a port another process holds, by listening on it a moment (0: any free port, always free). */
export const portFree = async (which: 'api' | 'legacy', port: number, host: string): Promise<void> => {
  if (port === 0) return;
  const probe = createServer();
  await listen(probe, which, port, host);
  await new Promise<void>((resolve) => probe.close(() => resolve()));
};

export const listen = async (server: Server, which: 'api' | 'legacy', port: number, host: string): Promise<number> => {
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (error) {
    throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE' ? new PortInUseError(which, port) : error;
  }
  return (server.address() as AddressInfo).port;
};
