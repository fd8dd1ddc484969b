import { existsSync } from 'node:fs';
import path from 'node:path';
import { LONGEST } from '../setup/sequencer.js';

const root = path.join(import.meta.dirname, '..', '..');

it('the files the sequencer starts first on a fresh clone exist: a renamed one would silently start in its turn', () => {
  for (const file of LONGEST as string[]) expect([file, existsSync(path.join(root, file))]).toEqual([file, true]);
});
