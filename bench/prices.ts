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
  /** DynamoDB on-demand, per read request unit (one strongly consistent read of up to 4 KB, or two eventually consistent). */
  dynamodbReadUnit: 0.125 / 1e6,
  /** Secrets Manager, per API call. */
  secretsManagerCall: 0.05 / 10_000,
  /** CloudWatch Logs ingestion (Standard class), per byte. */
  logsIngestedByte: 0.5 / 1e9,
} as const;

export interface CostInputs {
  readonly memoryMb: number;
  readonly durationMs: number;
  readonly readUnitsPerRequest: number;
  readonly secretsManagerCallsPerRequest: number;
  readonly logBytesPerRequest: number;
}

/** Dollars per million resumes, by component. */
export const costPerMillion = (i: CostInputs) => {
  const parts = {
    httpApi: PRICES.httpApiRequest,
    lambdaRequests: PRICES.lambdaRequest,
    lambdaDuration: (i.memoryMb / 1024) * (Math.ceil(i.durationMs) / 1000) * PRICES.lambdaArmGbSecond,
    dynamodb: i.readUnitsPerRequest * PRICES.dynamodbReadUnit,
    secretsManager: i.secretsManagerCallsPerRequest * PRICES.secretsManagerCall,
    logs: i.logBytesPerRequest * PRICES.logsIngestedByte,
  };
  const perMillion = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v * 1e6])) as Record<keyof typeof parts, number>;
  return { ...perMillion, total: Object.values(perMillion).reduce((a, b) => a + b, 0) };
};

type AttributeValue =
  | { S: string }
  | { N: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { SS: string[] }
  | { L: AttributeValue[] }
  | { M: Record<string, AttributeValue> };

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
