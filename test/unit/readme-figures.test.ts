import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIGURES_PAGE, type RecordedResults, renderFigures, withFigures } from '../../bench/readme-figures';
import { docText } from '../support/docs';

const root = path.join(import.meta.dirname, '..', '..');
const readme = docText(FIGURES_PAGE);
const recorded = JSON.parse(readFileSync(path.join(root, 'bench', 'results.json'), 'utf8')) as RecordedResults;

it('docs/performance.md shows the figures of the recorded run, bench/results.json (`npm run bench -- --record` writes both)', () => {
  expect(withFigures(readme, recorded)).toBe(readme);
});

it('renders the cold resume of each public Lambda against the floor, and the monthly price of a provisioned instance', () => {
  const figures = renderFigures(recorded);
  const ratio = (recorded.cold['load-entry-data'].median / recorded.cold.floor.median).toFixed(2);
  expect(figures).toContain(
    `${Math.round(recorded.cold['load-entry-data'].median)} ms (p90 ${Math.round(recorded.cold['load-entry-data'].p90)} ms): ${ratio}×`,
  );
  expect(figures).toContain('| `provisionedConcurrency: n` |');
  expect(figures).toContain('$2.19 a month per instance at 256 MB');
});
