import type { FunctionName } from '../../lambdas/http/routes';

/** Every Lambda the construct deploys: a folder of lambdas/ with an index.ts, and a prebuilt assets/<name>/index.mjs. */
export const FUNCTION_NAMES: readonly FunctionName[] = [
  'load-entry-data',
  'browser-saves',
  'link-requests',
  'credentials',
  'entries',
  'mint',
  'legacy-keys',
  'legacy-load-entry-data',
  'short-links',
  'not-found',
];
