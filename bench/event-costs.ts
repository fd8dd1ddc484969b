import { AWS_CALL_LATENCY_MS, PRICES } from './prices';

/** AWS calls per request by command, as bench/run.ts counts them. */
type Calls = { readonly calls: Readonly<Record<string, number>> };

const MEMORY_MB = 256;
/** Every item these requests read or write is under 1 KB (the count, the mark, a short link) or read by its projection (mint's entry read). */
const READ_UNITS_PER_GET = 1;
const WRITE_UNITS_PER_WRITE = 1;

/**
 * Dollars per million requests, by component, from the calls one request
 * makes. Lambda duration is only the stated in-region latency of those calls
 * (bench/prices.ts): the route has no timed run, so its own time is left out,
 * a fraction of a millisecond on the resume's evidence.
 */
const costOf = ({ calls }: Calls, options: { readonly request: boolean }) => {
  const n = (name: string) => calls[name] ?? 0;
  const ddbCalls = n('GetItem') + n('PutItem') + n('UpdateItem') + n('DeleteItem') + n('BatchWriteItem');
  const latencyMs =
    ddbCalls * AWS_CALL_LATENCY_MS.dynamodb + n('GetSecretValue') * AWS_CALL_LATENCY_MS.secretsManager + n('PutEvents') * AWS_CALL_LATENCY_MS.dynamodb;
  const parts = {
    httpApi: options.request ? PRICES.httpApiRequest : 0,
    lambdaRequests: options.request ? PRICES.lambdaRequest : 0,
    lambdaDuration: (MEMORY_MB / 1024) * (latencyMs / 1000) * PRICES.lambdaArmGbSecond,
    dynamodb:
      n('GetItem') * READ_UNITS_PER_GET * PRICES.dynamodbReadUnit +
      (n('PutItem') + n('UpdateItem') + n('DeleteItem') + n('BatchWriteItem')) * WRITE_UNITS_PER_WRITE * PRICES.dynamodbWriteUnit,
    secretsManager: n('GetSecretValue') * PRICES.secretsManagerCall,
    eventBridge: n('PutEvents') * PRICES.eventBridgeEvent,
  };
  const perMillion = Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, v * 1e6])) as Record<keyof typeof parts, number>;
  return { ...perMillion, latencyMs, total: Object.values(perMillion).reduce((a, b) => a + b, 0) };
};

/**
 * What the events cost: a link request (the whole request, its event
 * included), and what `expiredLinkEvents` adds to an expired link's 401, whose
 * request, Lambda invocation and key check it already paid for.
 */
export const eventCosts = (
  linkRequests: { readonly email: Calls; readonly sms: Calls },
  expired: { readonly 'expired, first in the hour': Calls; readonly 'expired again within the hour': Calls },
) => ({
  linkRequest: { email: costOf(linkRequests.email, { request: true }), sms: costOf(linkRequests.sms, { request: true }) },
  expired: {
    firstInHour: costOf(expired['expired, first in the hour'], { request: false }),
    again: costOf(expired['expired again within the hour'], { request: false }),
  },
});

const row = (name: string, email: number, sms: number, from: string) => `| ${name} | ${email.toFixed(3)} | ${sms.toFixed(3)} | ${from} |`;

/** The section of results.md on the events' cost. */
export const eventCostSection = (c: ReturnType<typeof eventCosts>): string => {
  const { email, sms } = c.linkRequest;
  return `
## Cost of the events (us-east-1, modelled)

A link request (\`POST /v1/entries/{entry_id}/link-requests\`) puts one custom event on the bus, at $${(PRICES.eventBridgeEvent * 1e6).toFixed(2)} per million; the team's own rule then pays its delivery (SES, SNS, a provider). Per million link requests, from the calls counted above:

| component | $ per million, email | $ per million, SMS | from |
|---|---|---|---|
${row('HTTP API requests', email.httpApi, sms.httpApi, `$${(PRICES.httpApiRequest * 1e6).toFixed(2)} per million`)}
${row('Lambda requests', email.lambdaRequests, sms.lambdaRequests, `$${(PRICES.lambdaRequest * 1e6).toFixed(2)} per million`)}
${row('Lambda duration (AWS calls only)', email.lambdaDuration, sms.lambdaDuration, `${MEMORY_MB} MB, ${email.latencyMs} / ${sms.latencyMs} ms: ${AWS_CALL_LATENCY_MS.dynamodb} ms per call; the handler's own time is not timed here`)}
${row('DynamoDB', email.dynamodb, sms.dynamodb, "strongly consistent reads of the count and the entry, the count's write, the page link's record on the entry (and the short link), 1 unit each")}
${row('Secrets Manager', email.secretsManager, sms.secretsManager, "mint's read of the project's newest key, fresh on every link so a revoked key never signs")}
${row('**EventBridge**', email.eventBridge, sms.eventBridge, 'one custom event')}
${row('**total**', email.total, sms.total, 'reported, not budgeted')}

At 100,000 link requests a month, that is $${(email.total / 10).toFixed(2)} (email) or $${(sms.total / 10).toFixed(2)} (SMS) a month, of which $${(email.eventBridge / 10).toFixed(2)} for the events.

With \`expiredLinkEvents\`, an expired link opened costs, on top of its 401: $${c.expired.firstInHour.total.toFixed(3)} per million when it earns a \`Resume Link Expired\` event (a strongly consistent entry read, the hour's mark, the event $${c.expired.firstInHour.eventBridge.toFixed(2)}), $${c.expired.again.total.toFixed(3)} per million when its entry's event was already put within the hour (the read and the refused mark). Without it, nothing.
`;
};
