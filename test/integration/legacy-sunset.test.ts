import { invoke } from '../support/http';
import { functionUrlEvent } from '../fixtures/legacy-events';
import { lambda, testEnvironment } from '../support/lambdas';

const env = testEnvironment({ LEGACY_SUNSET: '2027-01-31', LEGACY_MIGRATION_GUIDE_URL: 'https://docs.example.com/migrate' });
const legacy = await lambda('legacy-load-entry-data', env);

it("announces the operator's sunset date and guide on every response", async () => {
  const reply = await invoke(legacy, functionUrlEvent('POST', '/', {}));
  expect(reply.status).toBe(400);
  expect(reply.headers.sunset).toBe('Sun, 31 Jan 2027 00:00:00 GMT');
  expect(reply.headers.link).toBe(
    '<https://docs.example.com/migrate>; rel="deprecation"; type="text/markdown", <https://docs.example.com/migrate>; rel="sunset"; type="text/markdown"',
  );
});
