import { TEST_ENV } from './test-env';

// Workers inherit AWS_ENDPOINT_URL from the global setup; the rest is set here so
// a single test file also runs on its own.
for (const [key, value] of Object.entries(TEST_ENV)) process.env[key] ??= value;
if (!process.env.AWS_ENDPOINT_URL) throw new Error('AWS_ENDPOINT_URL is not set: the moto global setup did not run');
