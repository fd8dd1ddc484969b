/**
 * The esbuild options every Lambda is bundled with. CDK (ApiFunction) and the
 * benchmark (bench/run.ts) both use this, so the bytes measured are the bytes deployed.
 *
 * The Secrets Manager SDK is not in the bundle: lambdas/adapters/clients.ts
 * requires it from the Lambda runtime's own AWS SDK v3 on first use, so warm
 * resumes served from the key cache never load it and a cold start does not read it.
 */
export const BUNDLING = {
  format: 'esm',
  target: 'node24',
  platform: 'node',
  minify: true,
  /**
   * None shipped: no log line carries a stack trace (errors are logged by name and
   * code only, see lambdas/http/error-response.ts), so a map would have
   * nothing to translate, and it would weigh 1.8 MB beside a 0.4 MB bundle.
   */
  sourcemap: false,
  mainFields: ['module', 'main'],
  // Some SDK dependencies still call require(); give the ESM bundle one.
  banner: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
} as const;
