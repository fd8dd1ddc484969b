import { Sha256 } from '@aws-crypto/sha256-js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { UnavailableError } from '../domain/errors';

/** Where and as whom to call: the DynamoDB client's own region and credential chain, so nothing is configured twice. */
export interface AwsJsonConfig {
  readonly region: () => Promise<string>;
  readonly credentials: DynamoDBClient['config']['credentials'];
  /** The emulator locally (AWS_ENDPOINT_URL); unset in AWS, where the service's regional endpoint is used. */
  readonly endpoint?: string;
  /** Abandons a call with no complete answer after this long (the SDK clients' 2 s request timeout). @default 2000 */
  readonly timeoutMs?: number;
}

/** An AWS service's own refusal (4xx): its `__type`, never its message, which can echo the request. */
export class AwsJsonError extends Error {
  constructor(
    readonly type: string,
    readonly status: number,
  ) {
    super(`AWS refused the call: ${type} (${status})`);
    this.name = type;
  }
}

/**
 * One call of an AWS JSON-protocol API (EventBridge, SQS), SigV4-signed, over
 * fetch, with the SDK's own signer. The Lambdas send one such call (PutEvents),
 * from load-entry-data and the legacy Lambda too, whose cold resume is budgeted:
 * `@aws-sdk/client-eventbridge` with PutEventsCommand alone, tree-shaken, adds
 * 16.3 KB to a bundle that already has the DynamoDB client (measured with
 * esbuild at 3.1162.0), in every instance whether the events are on or not.
 * Moving to the SDK client is an open choice (see the repository's notes). No retries: a caller that cannot put its event answers 503 and the
 * user retries. A timeout, a network error, a throttle or a 5xx throws
 * UnavailableError; any other refusal throws AwsJsonError.
 */
export const awsJsonCall = async <T>(
  config: AwsJsonConfig,
  call: { readonly service: string; readonly target: string; readonly protocol: '1.0' | '1.1'; readonly body: unknown },
): Promise<T> => {
  const region = await config.region();
  const url = new URL(config.endpoint ?? `https://${call.service}.${region}.amazonaws.com`);
  const body = JSON.stringify(call.body);
  const request = new HttpRequest({
    method: 'POST',
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    headers: { host: url.host, 'content-type': `application/x-amz-json-${call.protocol}`, 'x-amz-target': call.target },
    body,
  });
  const signer = new SignatureV4({ service: call.service, region, credentials: config.credentials, sha256: Sha256 });
  const signed = await signer.sign(request);
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, { method: 'POST', headers: signed.headers, body, signal: AbortSignal.timeout(config.timeoutMs ?? 2000) });
    text = await response.text();
  } catch (error) {
    // A timeout is a DOMException, which is not an Error in every realm (a test's vm): log lines name it either way.
    const name = typeof (error as { name?: unknown } | null)?.name === 'string' ? (error as { name: string }).name : 'unknown';
    throw new UnavailableError(name, { cause: error instanceof Error ? error : Object.assign(new Error(name), { name }) });
  }
  // Some actions (SQS DeleteQueue) answer with no body at all.
  if (response.ok) return (text === '' ? {} : JSON.parse(text)) as T;
  let type = `HTTP${response.status}`;
  try {
    const raw = (JSON.parse(text) as { __type?: unknown }).__type;
    if (typeof raw === 'string') type = raw.split('#').pop() ?? raw;
  } catch {
    // Not JSON (a proxy's or the emulator's error page): the status says enough.
  }
  if (response.status >= 500 || response.status === 429 || /Throttl|LimitExceeded/.test(type)) throw new UnavailableError(type);
  throw new AwsJsonError(type, response.status);
};
