/** The V8 heap limits of a deployed function, which the local runtime's process for `npm run load` and `npm run soak` runs with. */

/**
 * The memory a deployed function has: the construct's default, DEFAULTS.memorySize in lib/defaults.ts (not imported,
 * which would load aws-cdk-lib into every load and soak run; test/unit/defaults.test.ts checks they agree).
 */
export const LAMBDA_MEMORY_MB = 256;

/**
 * The V8 heap limits AWS Lambda's Node.js runtime sets for a function of `memoryMb` (AWS_LAMBDA_FUNCTION_MEMORY_SIZE).
 * Its bootstrap script (/var/runtime/bootstrap, as read from the nodejs14.x and nodejs18.x images) takes a tenth of
 * the function's memory from the old space for the new space, and half of that for each semi-space:
 *
 *   new_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10)
 *   semi_space=$(expr $new_space / 2)
 *   old_space=$(expr $AWS_LAMBDA_FUNCTION_MEMORY_SIZE - $new_space)
 *   … --max-semi-space-size=$semi_space --max-old-space-size=$old_space
 *
 * From nodejs20.x on (the construct deploys nodejs24.x: lib/constructs/api-function.ts), the script still starts from
 * `new_space=$(($AWS_LAMBDA_FUNCTION_MEMORY_SIZE / 10))`, the old space the rest, and says "New space should be 5% of
 * AWS_LAMBDA_FUNCTION_MEMORY_SIZE, leaving 5% available for buffers" (nodejs20.x:
 * https://gist.github.com/davidjb/432ea4e1c89f399ec412270539fe126f; nodejs24.x:
 * https://dev.to/wonderfulsoap/deep-dive-into-aws-lambda-3-official-nodejs-runtime-analysis-43je): a young generation
 * no larger than the older script's, which is the one kept here, so that the local runtime's is not the smaller.
 * At 256 MB: `--max-semi-space-size=12 --max-old-space-size=231` (V8 rounds the semi-space up to 16 MiB: a new space of
 * 32 MiB, against 128 MiB with V8's own default on this 24 GB machine).
 */
export const lambdaHeapFlags = (memoryMb: number): string[] => {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
};
