/**
 * us-east-1 list prices used by the cost model (on-demand, no free tier, first
 * pricing tier). Check them against the AWS pricing pages before quoting the figures.
 */
export const PRICES = {
  /** API Gateway HTTP API, per request (first 300 million a month). */
  httpApiRequest: 1.0 / 1e6,
  /** Lambda, per request. */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda on arm64, per GB-second, billed per millisecond. */
  lambdaArmGbSecond: 0.0000133334,
  /**
   * Lambda provisioned concurrency on arm64, per GB-second it is configured,
   * used or not (billed from enabling to disabling, rounded up to 5 minutes).
   * AWS Lambda pricing, "Provisioned Concurrency Pricing", US East (N. Virginia):
   * https://aws.amazon.com/lambda/pricing/
   */
  lambdaArmProvisionedGbSecond: 0.0000033334,
  /** Lambda duration on arm64 of the requests provisioned instances serve, per GB-second (the same page), instead of lambdaArmGbSecond. */
  lambdaArmProvisionedDurationGbSecond: 0.0000077778,
  /** DynamoDB on-demand, per read request unit (one strongly consistent read of up to 4 KB, or two eventually consistent). */
  dynamodbReadUnit: 0.125 / 1e6,
  /** DynamoDB on-demand, per write request unit (one standard write of up to 1 KB). */
  dynamodbWriteUnit: 0.625 / 1e6,
  /** Secrets Manager, per API call. */
  secretsManagerCall: 0.05 / 10_000,
  /**
   * EventBridge custom events put on a bus, per event (each 64 KB chunk of an
   * entry counts as one; ours are under 1 KB). Amazon EventBridge pricing, "Event
   * bus", custom events: $1.00 per million, https://aws.amazon.com/eventbridge/pricing/
   */
  eventBridgeEvent: 1.0 / 1e6,
  /** CloudWatch Logs ingestion (Standard class), per byte. */
  logsIngestedByte: 0.5 / 1e9,
  /**
   * The fixed monthly costs (Amazon CloudWatch pricing, https://aws.amazon.com/cloudwatch/pricing/; AWS Secrets
   * Manager pricing, https://aws.amazon.com/secrets-manager/pricing/), no free tier: a custom metric a month (first
   * 10,000); a standard-resolution alarm a month, per metric it reads (an alarm on metric math pays for each metric
   * of the expression); a dashboard a month; a secret a month.
   */
  customMetricMonth: 0.3,
  alarmMetricMonth: 0.1,
  dashboardMonth: 3.0,
  secretMonth: 0.4,
} as const;

/**
 * The in-region latency the model bills for each AWS call a request makes, in
 * place of the wait on the emulator measured here: moto over loopback, a Python
 * process on the same cores as the handler, whose latency follows this machine's
 * load rather than anything AWS would bill.
 */
export const AWS_CALL_LATENCY_MS = {
  /**
   * A DynamoDB GetItem (or a single-item write: PutItem, UpdateItem), request
   * sent to response read. AWS: "For most atomic
   * operations, such as GetItem and PutItem, an average latency is in single-digit
   * milliseconds" (AWS re:Post Knowledge Center, "How can I troubleshoot high
   * latency on an Amazon DynamoDB table?",
   * https://repost.aws/knowledge-center/dynamodb-high-latency; the DynamoDB
   * Developer Guide, "What is Amazon DynamoDB?", promises "single-digit millisecond
   * performance at any scale"). AWS publishes no finer figure: the model takes
   * 5 ms, the middle of that range, and the benchmark also reports the cost at
   * 9 ms, its top, and the latency at which the budget would be missed.
   */
  dynamodb: 5,
  /**
   * A Secrets Manager GetSecretValue. AWS publishes no latency figure for it; the
   * model assumes the DynamoDB figure. Warm resumes make no such call (the key
   * cache holds the keys), so it counts only where a variant reads the secret on
   * every request.
   */
  secretsManager: 5,
} as const;

/** Hours in a month, as AWS's pricing examples and calculator count them. */
export const HOURS_PER_MONTH = 730;

/** What one provisioned instance of a Lambda of `memoryMb` costs a month, before any request it serves. */
export const provisionedInstancePerMonth = (memoryMb: number): number => (memoryMb / 1024) * HOURS_PER_MONTH * 3600 * PRICES.lambdaArmProvisionedGbSecond;

/** The top of AWS's "single-digit milliseconds" for GetItem: the benchmark reports the cost at this latency too. */
export const DYNAMODB_LATENCY_TOP_MS = 9;

export type AwsService = keyof typeof AWS_CALL_LATENCY_MS;

/**
 * The Lambda duration the model bills: the handler's own measured time (its
 * waits on the emulator taken out) plus the stated latency of each AWS call it makes.
 */
export const modelledDurationMs = (
  ownMs: number,
  callsPerRequest: Partial<Record<AwsService, number>>,
  latencyMs: Readonly<Record<AwsService, number>> = AWS_CALL_LATENCY_MS,
): number => ownMs + Object.entries(callsPerRequest).reduce((ms, [service, calls]) => ms + (calls ?? 0) * latencyMs[service as AwsService], 0);

export interface CostInputs {
  readonly memoryMb: number;
  readonly durationMs: number;
  readonly readUnitsPerRequest: number;
  /** Browser saves write; resumes only read. */
  readonly writeUnitsPerRequest?: number;
  readonly secretsManagerCallsPerRequest: number;
  readonly logBytesPerRequest: number;
}

/** Dollars per million requests (resumes, or saves), by component. */
export const costPerMillion = (i: CostInputs) => {
  const parts = {
    httpApi: PRICES.httpApiRequest,
    lambdaRequests: PRICES.lambdaRequest,
    lambdaDuration: (i.memoryMb / 1024) * (Math.ceil(i.durationMs) / 1000) * PRICES.lambdaArmGbSecond,
    dynamodb: i.readUnitsPerRequest * PRICES.dynamodbReadUnit + (i.writeUnitsPerRequest ?? 0) * PRICES.dynamodbWriteUnit,
    secretsManager: i.secretsManagerCallsPerRequest * PRICES.secretsManagerCall,
    logs: i.logBytesPerRequest * PRICES.logsIngestedByte,
  };
  const perMillion = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v * 1e6])) as Record<keyof typeof parts, number>;
  return { ...perMillion, total: Object.values(perMillion).reduce((a, b) => a + b, 0) };
};

type AttributeValue =
  { S: string } | { N: string } | { BOOL: boolean } | { NULL: true } | { SS: string[] } | { L: AttributeValue[] } | { M: Record<string, AttributeValue> };

const utf8 = (s: string) => Buffer.byteLength(s, 'utf8');

/** A value's size under DynamoDB's item-size rules (numbers: about one byte per two significant digits, plus one). */
const valueBytes = (v: AttributeValue): number => {
  if ('S' in v) return utf8(v.S);
  if ('N' in v) return Math.ceil(v.N.replace(/^-|\.|^0+|e.*$/gi, '').length / 2) + 1;
  if ('BOOL' in v || 'NULL' in v) return 1;
  if ('SS' in v) return v.SS.reduce((n, s) => n + utf8(s), 0);
  if ('L' in v) return 3 + v.L.reduce((n, x) => n + 1 + valueBytes(x), 0);
  return 3 + Object.entries(v.M).reduce((n, [k, x]) => n + 1 + utf8(k) + valueBytes(x), 0);
};

/** An item's size as DynamoDB bills it: attribute names plus values. */
export const itemSizeBytes = (item: Record<string, unknown>): number =>
  Object.entries(item).reduce((n, [name, value]) => n + utf8(name) + valueBytes(value as AttributeValue), 0);

/** Read request units for one GetItem of an item of `bytes`: 1 per started 4 KB, halved when eventually consistent. */
export const readUnits = (bytes: number, consistent: boolean): number => Math.max(1, Math.ceil(bytes / 4096)) * (consistent ? 1 : 0.5);

/** Write request units for one write of an item of `bytes` (an update bills the larger of the item before and after): 1 per started 1 KB. */
export const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / 1024));

/**
 * The `$context` values of the access line the model bills (the emulator has no
 * API Gateway to measure), a typical resume's, with an IPv4 source address.
 */
export const ACCESS_LINE_SAMPLE = {
  requestId: 'JKJaXmPLvHcESHA=',
  'identity.sourceIp': '203.0.113.195',
  status: '200',
  responseLatency: '12',
  integrationErrorMessage: '-',
} as const;

/** The longest IPv6 address API Gateway can write, eight groups of four hex digits: what it adds over the sample's IPv4 one is the README's "up to". */
export const LONGEST_IPV6 = 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff';

/**
 * The size of one API Gateway access log line in `format`, with each
 * `$context` variable replaced by a typical value of a resume request.
 */
export const accessLogLineBytes = (format: string, values: Record<string, string>): number =>
  utf8(
    `${format.replace(/\$context\.[A-Za-z.]+/g, (v) => {
      const value = values[v.slice('$context.'.length)];
      if (value === undefined) throw new Error(`no sample value for ${v}`);
      return value;
    })}\n`,
  );
