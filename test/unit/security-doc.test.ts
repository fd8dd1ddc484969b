import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');
const doc = readFileSync(path.join(root, 'docs', 'security.md'), 'utf8');
const attacks = doc.slice(doc.indexOf('## Attacks and what they get'), doc.indexOf('### v2 tokens'));
/** Each attack row's name and its "where" cell (the last one). */
const rows = attacks
  .split('\n')
  .filter((line) => line.startsWith('| **'))
  .map((line) => {
    const cells = line.split(' | ');
    return { attack: cells[0].slice(2, 60), where: cells.at(-1)!.replace(/ \|$/, '') };
  });
/** A test file the cell names (`unit/x.test.ts`), with the test names quoted after it in parentheses. */
const FILE_WITH_NAMES = /`((?:unit|integration|attack|e2e|infra|recipes)\/[\w.-]+\.ts)`(?: \(((?:[^()]|\([^()]*\))*)\))?/g;

/** The source of a test file as its titles read, escaped quotes undone. */
const source = (file: string) => readFileSync(path.join(root, 'test', file), 'utf8').replace(/\\(['"`])/g, '$1');

it('security.md has its table of attacks', () => {
  expect(rows.length).toBeGreaterThan(30);
});

it('every attack in security.md names a test file that exists, and each test it quotes is in that file', () => {
  for (const { attack, where } of rows) {
    const named = [...where.matchAll(FILE_WITH_NAMES)];
    expect([attack, named.length > 0 || where === 'same']).toEqual([attack, true]);
    for (const [, file, quoted] of named) {
      expect([attack, file, existsSync(path.join(root, 'test', file))]).toEqual([attack, file, true]);
      // A name ending in … is the start of a title; one starting with … its end.
      for (const [, name] of (quoted ?? '').matchAll(/"([^"]+)"/g)) {
        expect([attack, file, name, source(file).includes(name.replace(/^…|…$/g, ''))]).toEqual([attack, file, name, true]);
      }
    }
  }
});

it('every test file security.md names, in any section, exists', () => {
  const named = [...doc.matchAll(/`((?:unit|integration|attack|e2e|infra|recipes)\/[\w.-]+\.ts)`/g)].map((m) => m[1]);
  expect(named.length).toBeGreaterThan(60);
  expect(named.filter((file) => !existsSync(path.join(root, 'test', file)))).toEqual([]);
});
