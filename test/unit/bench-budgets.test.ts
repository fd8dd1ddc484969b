import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUDGET } from '../../bench/budgets';

const page = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'performance.md'), 'utf8');

it('docs/performance.md states the start-up budgets npm run bench enforces', () => {
  expect(page).toContain(`- **cold resume** at most ${BUDGET.coldResume}× the floor's (median)`);
  expect(page).toContain(`- **cold save** at most ${BUDGET.coldSave}× and **cold link request** at most ${BUDGET.coldLinkRequest}× the floor's`);
  expect(page).toContain(`- **cold hand-off** at most ${BUDGET.coldHandoff}× the floor's`);
  expect(page).toContain(`- **warm median** at most ${BUDGET.warm}× the floor's`);
  expect(page).toContain(`at most ${BUDGET.saveBundle} times the floor's`);
  expect(page).toContain(`the \`link-requests\` bundle at most ${BUDGET.linkRequestsBundle} times the floor's`);
});
