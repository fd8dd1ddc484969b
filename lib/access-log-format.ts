/**
 * API Gateway's access log line, one per request to the HTTP API, including
 * the ones API Gateway answers itself (throttled, refused by IAM, no route):
 *
 *     <request id> <source ip> "<route>" <status> <latency ms> "<integration error>"
 *
 * Space-separated rather than JSON: about 70 bytes instead of 130, and access
 * logs are a large part of the log bill (bench/HISTORY.md, step 7). The request
 * id is also on the Lambda's line for the same request (`request_id`), which
 * carries the outcome and the ids. Request metadata only: API Gateway never
 * logs bodies, so no token or user data. To query it in CloudWatch Logs
 * Insights:
 *
 *     parse @message '* * "*" * * "*"' as requestId, ip, route, status, latencyMs, integrationError
 */
export const API_ACCESS_LOG_FORMAT = [
  '$context.requestId',
  '$context.identity.sourceIp',
  '"$context.routeKey"',
  '$context.status',
  '$context.responseLatency',
  '"$context.integrationErrorMessage"',
].join(' ');
