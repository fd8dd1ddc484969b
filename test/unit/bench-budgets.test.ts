import { readFileSync } from 'node:fs';
import path from 'node:path';
import { BUDGET } from '../../bench/budgets';

const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');

it("README.md's Cost and performance states the start-up budgets npm run bench enforces", () => {
  expect(readme).toContain(`- **cold resume** at most ${BUDGET.coldResume}× the floor's (median)`);
  expect(readme).toContain(`- **cold save** at most ${BUDGET.coldSave}× and **cold link request** at most ${BUDGET.coldLinkRequest}× the floor's`);
  expect(readme).toContain(`- **warm median** at most ${BUDGET.warm}× the floor's`);
  expect(readme).toContain(`at most ${BUDGET.saveBundle} times the floor's`);
  expect(readme).toContain(`the \`link-requests\` bundle at most ${BUDGET.linkRequestsBundle} times the floor's`);
});
