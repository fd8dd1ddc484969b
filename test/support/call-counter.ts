import { randomUUID } from 'node:crypto';

interface ClientWithStack {
  middlewareStack: {
    add(mw: unknown, options: { step: 'initialize'; name: string }): void;
    remove(name: string): boolean;
  };
}

/** Records the name of every command a real SDK client sends (the calls still go to the emulator). */
export const countCalls = (client: ClientWithStack) => {
  const name = `count-calls-${randomUUID()}`;
  const calls: string[] = [];
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) => async (args: unknown) => {
      calls.push(context.commandName ?? 'unknown');
      return next(args);
    },
    { step: 'initialize', name },
  );
  return {
    calls,
    reset: () => calls.splice(0),
    detach: () => client.middlewareStack.remove(name),
  };
};
