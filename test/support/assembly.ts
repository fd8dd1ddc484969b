import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, watch, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { RUN_DIR } from './sensitive';

const root = path.join(import.meta.dirname, '..', '..');

/**
 * The context of the one bundled synthesis a test run makes: the CDK app as
 * `npm run synth` runs it, with the context keys test/infra/synth.test.ts checks,
 * under this run's secret prefix (test/setup/test-env.ts), so that
 * test/infra/artifact.test.ts can run its Lambdas' assets against this run's moto.
 */
export const SYNTH_CONTEXT: Readonly<Record<string, string>> = {
  allowedOrigins: 'https://x.example',
  loadEntryDataReservedConcurrency: '100',
  legacyReservedConcurrency: '20',
  tableRemovalPolicy: 'retain',
  shortLinkDomain: 'go.example.com',
  shortLinkCertificateArn: 'arn:aws:acm:us-east-1:111122223333:certificate/0f1e2d3c-aaaa-bbbb-cccc-123456789abc',
  provisionedConcurrency: '2',
  expiredLinkEvents: 'true',
  secretPrefix: process.env.SECRET_PREFIX as string,
};

/** One bundled cloud assembly: where `npm run synth` wrote it, and what it printed. */
export interface Assembly {
  readonly outdir: string;
  readonly printed: string;
}

/** This process's environment without AWS credentials or CDK settings: synth must work offline. */
export const offline = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && !k.startsWith('AWS_') && !k.startsWith('CDK_')) env[k] = v;
  }
  env.AWS_EC2_METADATA_DISABLED = 'true';
  return env;
};

/** Resolves once `file` exists, told by the file system (a rename into its folder), not by polling. */
const created = (file: string): Promise<void> =>
  new Promise((resolve) => {
    const watcher = watch(path.dirname(file), () => {
      if (!existsSync(file)) return;
      watcher.close();
      resolve();
    });
    if (existsSync(file)) {
      watcher.close();
      resolve();
    }
  });

/**
 * The run's one bundled synthesis (`npm run synth` with SYNTH_CONTEXT, each
 * Lambda bundled by esbuild as `cdk deploy` does), made by the first test file
 * that asks for it, in whichever Jest worker; the others wait for it and read
 * the same folder. A failed synthesis fails each of them with its output.
 */
export const sharedAssembly = async (): Promise<Assembly> => {
  const dir = path.join(RUN_DIR, 'assembly');
  const result = path.join(dir, 'result.json');
  mkdirSync(RUN_DIR, { recursive: true });
  let owner = true;
  try {
    mkdirSync(dir);
  } catch {
    owner = false;
  }
  if (owner) {
    const outdir = path.join(dir, 'cdk.out');
    let outcome: { printed: string } | { error: string };
    try {
      const args = [path.join(root, 'scripts', 'synth.mjs'), '-o', outdir, ...Object.entries(SYNTH_CONTEXT).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
      const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, env: offline(), encoding: 'utf8' });
      outcome = { printed: stdout };
    } catch (error) {
      const e = error as { message: string; stdout?: string; stderr?: string };
      outcome = { error: `${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}` };
    }
    // Written whole, then renamed: a waiting reader never sees half of it.
    writeFileSync(`${result}.tmp`, JSON.stringify(outcome));
    renameSync(`${result}.tmp`, result);
  } else {
    await created(result);
  }
  const outcome = JSON.parse(readFileSync(result, 'utf8')) as { printed: string } | { error: string };
  if ('error' in outcome) throw new Error(`npm run synth failed: ${outcome.error}`);
  return { outdir: path.join(dir, 'cdk.out'), printed: outcome.printed };
};
