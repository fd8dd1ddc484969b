import { type BusSubscription, watchBus } from '../../local/event-bus';

/** A bus whose polls fail while `down`, and a wait that returns when the test says. */
const setup = () => {
  const state = { down: false, polls: 0 };
  const bus: BusSubscription = {
    drain: async () => [],
    poll: async () => {
      state.polls++;
      // Each poll yields, as a network call does.
      await new Promise((resolve) => setImmediate(resolve));
      if (state.down) throw new Error('ECONNREFUSED');
      return [];
    },
    close: async () => undefined,
  };
  const waits: Array<() => void> = [];
  const wait = () => new Promise<void>((resolve) => waits.push(resolve));
  const lines: string[] = [];
  const stop = watchBus(bus, (line) => lines.push(line), wait);
  /** Lets the loop run until it waits (after a failed poll). */
  const untilWaiting = async () => {
    while (waits.length === 0) await new Promise((resolve) => setImmediate(resolve));
  };
  return { state, waits, lines, stop, untilWaiting };
};

it('says nothing when the emulator goes as the runtime stops (Ctrl-C reaches both)', async () => {
  const { state, waits, lines, stop, untilWaiting } = setup();
  state.down = true;
  await untilWaiting();
  const stopped = stop();
  waits.shift()!();
  await stopped;
  expect(lines).toEqual([]);
});

it('reports an emulator that fails two polls in a row while running, once, and carries on when it answers again', async () => {
  const { state, waits, lines, stop, untilWaiting } = setup();
  state.down = true;
  await untilWaiting();
  expect(lines).toEqual([]);
  waits.shift()!();
  await untilWaiting();
  waits.shift()!();
  await untilWaiting();
  expect(lines).toEqual(['[event] the emulator did not answer polls of the event bus for a second; trying again every second']);
  state.down = false;
  const polls = state.polls;
  waits.shift()!();
  while (state.polls < polls + 3) await new Promise((resolve) => setImmediate(resolve));
  await stop();
  expect(lines).toHaveLength(1);
});
