import {
  ACCESS_LINE_SAMPLE,
  AWS_CALL_LATENCY_MS,
  costPerMillion,
  LONGEST_IPV6,
  DYNAMODB_LATENCY_TOP_MS,
  HOURS_PER_MONTH,
  modelledDurationMs,
  PRICES,
  provisionedInstancePerMonth,
  writeUnits,
} from '../../bench/prices';
import { eventCosts } from '../../bench/event-costs';
import { docText } from '../support/docs';

const readme = docText('docs/performance.md');
const base = { memoryMb: 256, durationMs: 6, readUnitsPerRequest: 0.5, secretsManagerCallsPerRequest: 0, logBytesPerRequest: 226 };

it('bills Lambda duration as the own time plus the stated latency of each AWS call', () => {
  expect(modelledDurationMs(0.8, { dynamodb: 1, secretsManager: 0 })).toBeCloseTo(0.8 + AWS_CALL_LATENCY_MS.dynamodb, 10);
  expect(modelledDurationMs(0.8, { dynamodb: 1, secretsManager: 1 })).toBeCloseTo(0.8 + AWS_CALL_LATENCY_MS.dynamodb + AWS_CALL_LATENCY_MS.secretsManager, 10);
  expect(modelledDurationMs(0.8, { dynamodb: 1 }, { dynamodb: DYNAMODB_LATENCY_TOP_MS, secretsManager: 0 })).toBeCloseTo(0.8 + DYNAMODB_LATENCY_TOP_MS, 10);
});

it('bills every started millisecond, as Lambda does', () => {
  expect(costPerMillion({ ...base, durationMs: 5.01 }).lambdaDuration).toBe(costPerMillion({ ...base, durationMs: 6 }).lambdaDuration);
  expect(costPerMillion({ ...base, durationMs: 6.01 }).lambdaDuration).toBeGreaterThan(costPerMillion({ ...base, durationMs: 6 }).lambdaDuration);
});

it('README: each millisecond billed adds $0.0033 per million at 256 MB', () => {
  expect(readme).toContain('Each millisecond billed adds $0.0033 per million at 256 MB.');
  expect(costPerMillion({ ...base, durationMs: 7 }).total - costPerMillion(base).total).toBeCloseTo(0.0033, 4);
});

it('README: each extra 10 bytes of request line adds $0.005 per million', () => {
  expect(readme).toContain('each extra 10 bytes per resume adds $0.005 per million at $0.50 per GB ingested');
  expect(costPerMillion({ ...base, logBytesPerRequest: base.logBytesPerRequest + 10 }).total - costPerMillion(base).total).toBeCloseTo(0.005, 6);
});

it("README: an IPv6 source address adds up to 26 B to the modelled access line's 13-character IPv4 one, $0.013 per million", () => {
  const ipv4 = ACCESS_LINE_SAMPLE['identity.sourceIp'];
  const added = LONGEST_IPV6.length - ipv4.length;
  expect([ipv4.length, added]).toEqual([13, 26]);
  expect(readme).toContain(`The modelled access line has a ${ipv4.length}-character IPv4 address; an IPv6 one adds up to ${added} B ($0.013 per million).`);
  expect(costPerMillion({ ...base, logBytesPerRequest: base.logBytesPerRequest + added }).total - costPerMillion(base).total).toBeCloseTo(0.013, 6);
});

it('README states the GetItem latency the model bills and the top of the range it reports', () => {
  expect(readme).toContain(`${AWS_CALL_LATENCY_MS.dynamodb} ms per DynamoDB \`GetItem\``);
  expect(readme).toContain(`the cost at ${DYNAMODB_LATENCY_TOP_MS} ms, the top of the range`);
});

it('bills a save one write unit per started KB of the entry, at $0.625 per million units', () => {
  expect([writeUnits(268), writeUnits(1024), writeUnits(1025), writeUnits(5000)]).toEqual([1, 1, 2, 5]);
  const save = { ...base, readUnitsPerRequest: 0, writeUnitsPerRequest: writeUnits(268) };
  expect(costPerMillion(save).dynamodb).toBeCloseTo(0.625, 10);
  expect(costPerMillion({ ...save, writeUnitsPerRequest: 2 }).dynamodb).toBeCloseTo(1.25, 10);
});

it("README: a campaign link's record on a 3 KB entry costs 3 write units, $1.875 per million links", () => {
  expect(readme).toContain('(a 3 KB entry costs 3 write units a link: $1.875 per million links, at $0.625 per million write units on demand)');
  const record = { ...base, readUnitsPerRequest: 0, writeUnitsPerRequest: writeUnits(3 * 1024) };
  expect(record.writeUnitsPerRequest).toBe(3);
  expect(costPerMillion(record).dynamodb).toBeCloseTo(1.875, 10);
});

it('README states the provisioned concurrency price and hours a month the options table is computed from: $2.19 an instance at 256 MB', () => {
  expect(readme).toContain(`at $${PRICES.lambdaArmProvisionedGbSecond} per GB-second on arm64 in us-east-1`);
  expect(readme).toContain(`for ${HOURS_PER_MONTH} hours`);
  expect(provisionedInstancePerMonth(256).toFixed(2)).toBe('2.19');
});

describe('the cost of the events (bench/event-costs.ts)', () => {
  const costs = eventCosts(
    {
      email: { calls: { GetItem: 2, PutItem: 1, GetSecretValue: 1, PutEvents: 1 } },
      sms: { calls: { GetItem: 2, PutItem: 1, GetSecretValue: 1, BatchWriteItem: 1, PutEvents: 1 } },
    },
    {
      'expired, first in the hour': { calls: { GetItem: 1, PutItem: 1, PutEvents: 1 } },
      'expired again within the hour': { calls: { GetItem: 1, PutItem: 1 } },
    },
  );

  it('bills each PutEvents as one custom event, $1.00 per million, and each call at its list price', () => {
    expect(costs.linkRequest.email.eventBridge).toBeCloseTo(1.0, 10);
    expect(costs.linkRequest.email.secretsManager).toBeCloseTo(5.0, 10);
    // Two strongly consistent reads of 1 unit ($0.125 per million each) and one write unit ($0.625 per million).
    expect(costs.linkRequest.email.dynamodb).toBeCloseTo(0.875, 10);
    expect(costs.linkRequest.sms.dynamodb).toBeCloseTo(1.5, 10);
    expect(costs.linkRequest.email.httpApi + costs.linkRequest.email.lambdaRequests).toBeCloseTo(1.2, 10);
  });

  it("adds to an expired link's 401 no request fee, and the event only when one is put", () => {
    expect([costs.expired.firstInHour.httpApi, costs.expired.firstInHour.lambdaRequests]).toEqual([0, 0]);
    expect(costs.expired.firstInHour.eventBridge).toBeCloseTo(1.0, 10);
    expect(costs.expired.again.eventBridge).toBe(0);
    expect(costs.expired.firstInHour.total - costs.expired.again.total).toBeCloseTo(1.0 + (5 / 1000) * 0.25 * PRICES.lambdaArmGbSecond * 1e6, 10);
  });
});
