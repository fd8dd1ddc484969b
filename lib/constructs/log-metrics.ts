import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { VERIFICATION_OUTCOMES } from '../../lambdas/domain/verification-outcome';
import { METRICS_NAMESPACE, STALE_KEYS_SERVED } from '../../lambdas/runtime/log-schema';

const { all, any, exists, stringValue } = logs.FilterPattern;

/**
 * The request lines (lambdas/runtime/log-schema.ts) that record a token
 * verification: they name a flow, and their outcome is a verification outcome.
 */
export const VERIFICATION_LINES = all(exists('$.flow_id'), any(...VERIFICATION_OUTCOMES.map((o) => stringValue('$.outcome', '=', o))));
/** Successful verifications that name the credential which signed the link. */
export const MATCHED_CREDENTIAL_LINES = all(stringValue('$.outcome', '=', 'ok'), exists('$.credential_id'));
/** Legacy calls that reached verification, by flow (`unknown` for flows without a legacy key). */
export const LEGACY_CALL_LINES = all(exists('$.outcome'), exists('$.flow_id'));
/** Link requests that passed validation (their line names the channel), whatever their outcome. */
export const LINK_REQUEST_LINES = all(exists('$.channel'), exists('$.outcome'));
/** Link requests accepted: a link minted and put on the bus. */
export const LINK_REQUESTED_LINES = all(exists('$.channel'), stringValue('$.outcome', '=', 'ok'));
/** Entries a page created (browser saves): the create route's lines that succeeded. */
export const ENTRY_CREATED_LINES = all(stringValue('$.action', '=', 'create'), stringValue('$.outcome', '=', 'ok'));
/**
 * Successful resumes of recorded links counted as a person's (`Resumes`) and
 * as a scanner's or bot's (`EarlyResumes`): their line has a `human` or `early`
 * field (domain/recovery.ts, resumeLogKeys), holding the link's campaign.
 */
export const HUMAN_RESUME_LINES = all(stringValue('$.outcome', '=', 'ok'), exists('$.human'));
export const EARLY_RESUME_LINES = all(stringValue('$.outcome', '=', 'ok'), exists('$.early'));
/** Mint's successful requests: `minted_links` links (one, or a batch's), all of one campaign. */
export const MINT_LINES = all(stringValue('$.outcome', '=', 'ok'), exists('$.metric_campaign'));
/** An entry's first completion; a repeat's line says `repeat` and is not counted. */
export const COMPLETION_LINES = all(stringValue('$.outcome', '=', 'ok'), stringValue('$.completion', '=', 'new'));
/** CloudWatch disables a metric filter that publishes this many distinct dimension values within an hour. */
export const FILTER_DIMENSION_VALUES_LIMIT = 1000;

/** The warning a cached key was served because Secrets Manager did not answer. */
export const STALE_KEYS_LINES = stringValue('$.message', '=', STALE_KEYS_SERVED);

export interface RequestLogMetricsProps {
  /** The public Lambda's log group. */
  readonly logGroup: logs.ILogGroup;
  /**
   * What the Lambda serves: the current contract's resumes, the legacy
   * contract's (which also counts `LegacyCalls` by flow), browser saves
   * (which count `EntriesCreated`, by project and in all), link requests
   * (`LinkRequests`: accepted, in all and by channel; every one by outcome), mint
   * (`LinksMinted`) or the entries (`Completions`).
   * @default 'resume'
   */
  readonly kind?: 'resume' | 'legacy' | 'saves' | 'links' | 'mint' | 'entries';
  /** The deployment's metric namespace (environmentNames). @default METRICS_NAMESPACE */
  readonly namespace?: string;
}

/**
 * The metrics of a public Lambda, derived by CloudWatch metric filters from the
 * one line it writes per request, instead of a second (Embedded Metric Format)
 * line per request: the same metrics, exact, for less than half the log bytes,
 * and no metrics library in the bundle (bench/HISTORY.md, step 7).
 *
 * - `Verifications` by `outcome` (ok, invalid_token, expired, not_found, revoked,
 *   origin_refused, throttled, error);
 * - `Verifications` by `credential_id`: which credential signed the links that
 *   verified (its id, never its value);
 * - `LegacyCalls` by `flow_id`, on the legacy Lambda;
 * - `StaleKeysServed`: requests a cached key answered while Secrets Manager was
 *   unavailable (bounded by `keyMaxStaleness`);
 * - `EntriesCreated`, in all and by `project_id`, on the browser-saves Lambda;
 * - `LinkRequests` on the link-requests Lambda: those accepted, in all and by
 *   `channel` (email, sms), and every validated one by `outcome` (ok or its
 *   error code: a fixed set);
 * - the recovery metrics, all campaigns together (README, Measuring recovery):
 *   `LinksMinted` on mint, `Resumes` (a person's) and `EarlyResumes` (a
 *   scanner's or bot's) on both resume Lambdas, `Completions` on the entries
 *   Lambda. No metric has a `campaign` dimension: a campaign's own figures are
 *   counters in the table, so the number of metrics never grows with campaigns.
 *
 * CloudWatch disables a dimension that takes 1,000 values within an hour. None
 * of these can be chosen by a caller: outcomes are a fixed set, credential ids
 * are only logged once a token has verified, legacy flows without a key are
 * all logged as `unknown`, and only projects that turned browser saves on can
 * create an entry.
 */
export class RequestLogMetrics extends Construct {
  constructor(scope: Construct, id: string, props: RequestLogMetricsProps) {
    super(scope, id);
    const count = (name: string, metricName: string, filterPattern: logs.IFilterPattern, dimensions?: Record<string, string>, metricValue = '1') =>
      new logs.MetricFilter(this, name, {
        logGroup: props.logGroup,
        filterPattern,
        metricNamespace: props.namespace ?? METRICS_NAMESPACE,
        metricName,
        metricValue,
        unit: cloudwatch.Unit.COUNT,
        dimensions,
      });
    const kind = props.kind ?? 'resume';
    if (kind === 'mint') {
      count('LinksMinted', 'LinksMinted', MINT_LINES, undefined, '$.minted_links');
      return;
    }
    if (kind === 'entries') {
      count('Completions', 'Completions', COMPLETION_LINES);
      return;
    }
    count('StaleKeysServed', 'StaleKeysServed', STALE_KEYS_LINES);
    if (kind === 'links') {
      count('LinkRequests', 'LinkRequests', LINK_REQUESTED_LINES);
      count('LinkRequestsByChannel', 'LinkRequests', LINK_REQUESTED_LINES, { channel: '$.channel' });
      count('LinkRequestsByOutcome', 'LinkRequests', LINK_REQUEST_LINES, { outcome: '$.outcome' });
      return;
    }
    if (kind === 'saves') {
      count('EntriesCreated', 'EntriesCreated', ENTRY_CREATED_LINES);
      count('EntriesCreatedByProject', 'EntriesCreated', ENTRY_CREATED_LINES, { project_id: '$.project_id' });
      return;
    }
    count('VerificationsByOutcome', 'Verifications', VERIFICATION_LINES, { outcome: '$.outcome' });
    count('VerificationsByCredential', 'Verifications', MATCHED_CREDENTIAL_LINES, { credential_id: '$.credential_id' });
    count('Resumes', 'Resumes', HUMAN_RESUME_LINES);
    count('EarlyResumes', 'EarlyResumes', EARLY_RESUME_LINES);
    if (kind === 'legacy') count('LegacyCallsByFlow', 'LegacyCalls', LEGACY_CALL_LINES, { flow_id: '$.flow_id' });
  }
}
