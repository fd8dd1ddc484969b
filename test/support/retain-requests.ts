/**
 * A leak, for a test to inject into the local runtime's process (`--import` this file; test/integration/soak.test.ts):
 * a map that keeps every request the runtime's HTTP servers receive, with its headers and 1 MiB of its own, and never
 * lets one go. Nothing in the product imports it.
 */
import { type IncomingMessage, Server } from 'node:http';

const RETAINED_BYTES = 1024 * 1024;
const retained = new Map<number, { request: IncomingMessage; headers: Record<string, unknown>; kept: number[] }>();
const emit = Server.prototype.emit;
Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]) {
  if (event === 'request') {
    const request = args[0] as IncomingMessage;
    // Numbers in an array (V8's heap, not a Buffer's memory outside it): what the live heap and the RSS both hold.
    retained.set(retained.size, { request, headers: { ...request.headers }, kept: Array.from({ length: RETAINED_BYTES / 8 }, Math.random) });
  }
  return emit.apply(this, [event, ...args] as Parameters<typeof emit>);
} as typeof Server.prototype.emit;
