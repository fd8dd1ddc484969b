// Plain JavaScript, run by stock Node with no loader, standing in for the Lambda
// runtime: from the task folder (the working directory) it loads the module a
// template's `Handler` names, as the nodejs runtimes do (index.handler → index.js,
// index.mjs or index.cjs), calls the named export once per event in
// HANDLER_EVENTS, one after another like a warm instance, and reports the results
// and their durations on fd 3, so nothing the handler logs can be taken for them,
// with every CommonJS module the process loaded from NODE_PATH (the runtime's SDK).
import { existsSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const handlerName = process.argv[2];
const dot = handlerName.lastIndexOf('.');
const [moduleName, exportName] = [handlerName.slice(0, dot), handlerName.slice(dot + 1)];
const file = ['.js', '.mjs', '.cjs'].map((ext) => path.resolve(moduleName + ext)).find((f) => existsSync(f));
if (!file) throw new Error(`no module ${moduleName} in ${process.cwd()}`);
const handler = (await import(pathToFileURL(file).href))[exportName];

const results = [];
for (const [i, event] of JSON.parse(process.env.HANDLER_EVENTS).entries()) {
  const deadline = Date.now() + 10_000;
  const context = {
    awsRequestId: `artifact-${i}`,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: '$LATEST',
    memoryLimitInMB: '256',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logGroupName: `/aws/lambda/${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
    logStreamName: 'artifact',
    callbackWaitsForEmptyEventLoop: false,
    getRemainingTimeInMillis: () => deadline - Date.now(),
  };
  const started = performance.now();
  const result = await handler(event, context);
  results.push({ result, ms: performance.now() - started });
}
// One module cache for every `require` in the process, the bundle's included.
const nodePath = process.env.NODE_PATH;
const fromNodePath = nodePath ? Object.keys(createRequire(import.meta.url).cache).filter((file) => file.startsWith(nodePath)) : [];
writeSync(3, JSON.stringify({ results, fromNodePath }));
// Like a frozen Lambda instance: whatever the handler left open (keep-alive sockets) does not hold the process.
process.exit(0);
