import { randomUUID } from 'node:crypto';

interface ClientWithStack {
  middlewareStack: {
    add(mw: unknown, options: { step: 'initialize'; name: string }): void;
    remove(name: string): boolean;
  };
}

/** Records the name and input of every command a real SDK client sends (the calls still go to the emulator). */
export const countCalls = (client: ClientWithStack) => {
  const name = `count-calls-${randomUUID()}`;
  const calls: string[] = [];
  /** The input of each call, in the same order. */
  const inputs: Array<Record<string, unknown>> = [];
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      calls.push(context.commandName ?? 'unknown');
      inputs.push((args as { input?: Record<string, unknown> }).input ?? {});
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    calls,
    inputs,
    reset: () => (calls.splice(0), inputs.splice(0)),
    detach: () => client.middlewareStack.remove(name),
  };
};
