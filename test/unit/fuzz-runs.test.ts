import { readFileSync } from 'node:fs';
import path from 'node:path';
import { asWritten, FUZZ_RUNS } from '../attack/fuzz-runs';
import { docText, repositoryRoot } from '../support/docs';

const [inProcess, overHttp, shortLinks, full] = [FUZZ_RUNS.inProcess, FUZZ_RUNS.overHttp, FUZZ_RUNS.shortLinks, FUZZ_RUNS.full].map(asWritten);

it('.ci/run runs the fuzz again after npm test at its full count, both ways', () => {
  const lines = readFileSync(path.join(repositoryRoot, '.ci', 'run'), 'utf8').split('\n');
  const fuzz = lines.filter((line) => line.includes('test/attack/fuzz.test.ts') && !line.startsWith('#'));
  expect(fuzz).toEqual([`FUZZ_RUNS=${FUZZ_RUNS.full} FUZZ_HTTP_RUNS=${FUZZ_RUNS.full} npm run test:jest -- test/attack/fuzz.test.ts`]);
  expect(lines.findIndex((line) => line === 'npm test')).toBeLessThan(lines.indexOf(fuzz[0]));
});

it('README.md, CONTRIBUTING.md and docs/security.md state the counts the fuzz sends', () => {
  expect(docText('README.md')).toContain(
    `in each \`npm test\`, ${inProcess} per public endpoint handed to the handlers in process and ${overHttp} more over HTTP; in CI (\`.ci/run\`), the fuzz again at its full size, ${full} per endpoint in process and ${full} over HTTP (\`/r/{code}\`, which reads DynamoDB for most of them, ${shortLinks} in process both times)`,
  );
  expect(docText('README.md')).toContain(`- the fuzz at its full size, ${full} requests per public endpoint in process and ${full} over HTTP`);
  expect(docText('CONTRIBUTING.md')).toContain(
    `a fuzz of ${inProcess} requests per public endpoint handed to the handlers in process (the local server's routing and events, without its socket) plus ${overHttp} over HTTP`,
  );
  expect(docText('CONTRIBUTING.md')).toContain(
    `at its full size, ${full} requests per endpoint in process and ${full} over HTTP (\`FUZZ_RUNS=${FUZZ_RUNS.full} FUZZ_HTTP_RUNS=${FUZZ_RUNS.full}\`; \`/r/{code}\`, whose codes are read from DynamoDB, ${shortLinks} in process both times)`,
  );
  const security = docText('docs/security.md');
  const commas = (n: number) => n.toLocaleString('en-US');
  expect(security).toContain(
    `sends ${commas(FUZZ_RUNS.inProcess)} generated requests per endpoint in process and ${commas(FUZZ_RUNS.overHttp)} over HTTP (${commas(FUZZ_RUNS.full)} each way in \`.ci/run\`)`,
  );
  expect(security).toContain(
    `per public endpoint and \`npm test\`, ${inProcess} handed to the handlers in process and ${overHttp} over HTTP; in CI (\`.ci/run\`), ${full} more in process and ${full} over HTTP (\`/r/{code}\`: ${shortLinks} in process both times)`,
  );
});
