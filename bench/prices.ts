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
  /** DynamoDB on-demand, per read request unit (one strongly consistent read of up to 4 KB). */
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
