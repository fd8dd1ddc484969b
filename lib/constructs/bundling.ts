/**
 * The esbuild options every Lambda is bundled with. CDK (ApiFunction) and the
 * benchmark (bench/run.ts) both use this, so the bytes measured are the bytes deployed.
 *
 * Every AWS SDK client a Lambda uses is in its bundle, tree-shaken to the commands
 * it sends: nothing is loaded from the Lambda runtime's own SDK, whose version
 * the deployment does not pin (test/infra/artifact.test.ts checks it).
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
