/**
 * The per-request log line, as a contract between the Lambdas that write it
 * (http/access-log.ts) and the CloudWatch metric filters that turn it into
 * metrics (lib/constructs/log-metrics.ts). No imports: the CDK app reads it too.
 *
 * A request line always has `request_id` and `outcome`; no other line
 * has `outcome`. A request that reached token verification also has `flow_id`,
 * and its `outcome` is one of VERIFICATION_OUTCOMES (domain/verification-outcome.ts).
 * A successful one has the matching `credential_id` (on the current endpoint;
 * legacy keys have no id).
 */
export const METRICS_NAMESPACE = 'SessionRecovery';

/** The `flow_id` the legacy endpoint logs for a flow without a legacy key, so attackers cannot mint dimension values. */
export const UNKNOWN_FLOW = 'unknown';

/** The message of the warning a public Lambda logs when a cached key answers because Secrets Manager did not. */
export const STALE_KEYS_SERVED = 'serving cached keys: Secrets Manager unavailable';
