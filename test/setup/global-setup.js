// Plain ESM so Jest can load it before any transform; it imports the TypeScript helpers through tsx.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { setPriority } from 'node:os';
import path from 'node:path';
import { tsImport } from 'tsx/esm/api';

/**
 * One moto server for the whole run. Jest starts its workers after this hook,
 * so they inherit AWS_ENDPOINT_URL. Tests seed their own data with unique ids.
 */
export default async function globalSetup() {
  // The Lambdas' prebuilt bundles (assets/, npm run build:assets) when a source is newer: every synth of the run, in
  // process or through the CDK app, deploys these bytes, the ones the npm package ships (lib/constructs/api-function.ts).
  execFileSync(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, '..', '..', 'scripts', 'build-assets.ts'), '--if-stale', '--quiet'], {
    stdio: 'inherit',
  });
  // This run's own log-scan folder; workers inherit the variable.
  process.env.LOG_SCAN_DIR = path.join(import.meta.dirname, '..', '..', 'test-results', `log-scan-${process.pid}`);
  rmSync(process.env.LOG_SCAN_DIR, { recursive: true, force: true });
  const { startMoto } = await tsImport('../../local/moto.ts', import.meta.url);
  const { createEntriesTable, ensureSaveKey } = await tsImport('../../local/bootstrap.ts', import.meta.url);
  const { TEST_ENV } = await tsImport('./test-env.ts', import.meta.url);
  const { DynamoDBClient } = await import('@aws-sdk/client-dynamodb');
  const moto = await startMoto();
  globalThis.__moto = moto;
  // moto stands for AWS, which is not on this machine: ahead of whatever else keeps the cores busy (the test workers,
  // Chromium, another process), it answers within the SDK's timeouts. Only root may raise a priority; others run as is.
  try {
    setPriority(moto.pid, -10);
  } catch {
    // not permitted
  }
  process.env.AWS_ENDPOINT_URL = moto.endpoint;
  Object.assign(process.env, TEST_ENV);
  const client = new DynamoDBClient({});
  await createEntriesTable(client, TEST_ENV.TABLE_NAME);
  client.destroy();
  const { SecretsManagerClient } = await import('@aws-sdk/client-secrets-manager');
  const secrets = new SecretsManagerClient({});
  await ensureSaveKey(secrets, TEST_ENV.SAVE_KEY_SECRET);
  secrets.destroy();
  const { emulatorConfig, ensureEventBus } = await tsImport('../../local/event-bus.ts', import.meta.url);
  await ensureEventBus(emulatorConfig(moto.endpoint), TEST_ENV.EVENT_BUS_NAME);
}
