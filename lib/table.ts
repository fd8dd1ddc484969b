import { RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CAMPAIGN_INDEX, ENTRY_TABLE } from '../lambdas/adapters/naming';
import { DEFAULTS } from './defaults';
import type { SessionRecoveryProps } from './props';

/** What the Lambdas keep and share: the entries table, the save key, the event bus. */
export interface Stores {
  readonly table: dynamodb.TableV2;
  readonly saveKey: secretsmanager.Secret;
  readonly eventBus: events.EventBus;
}

/** The entries table, and beside it the save key and the event bus (in `scope`, so their logical ids are the construct's). */
export const stores = (scope: Construct, props: SessionRecoveryProps): Stores => {
  const tableRemovalPolicy = props.tableRemovalPolicy ?? DEFAULTS.tableRemovalPolicy;
  if (tableRemovalPolicy === RemovalPolicy.SNAPSHOT) throw new Error('tableRemovalPolicy: DynamoDB tables have no SNAPSHOT deletion policy');
  const table = new dynamodb.TableV2(scope, 'Entries', {
    partitionKey: { name: ENTRY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    timeToLiveAttribute: ENTRY_TABLE.ttlAttribute,
    // Lists a project's campaigns' counters, and nothing else: only those items carry its keys (README, Measuring recovery).
    globalSecondaryIndexes: [
      {
        indexName: CAMPAIGN_INDEX.name,
        partitionKey: { name: CAMPAIGN_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
        sortKey: { name: CAMPAIGN_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
        projectionType: dynamodb.ProjectionType.INCLUDE,
        nonKeyAttributes: ['campaign', 'links_minted', 'entries_resumed', 'completions'],
      },
    ],
    deletionProtection: tableRemovalPolicy === RemovalPolicy.RETAIN,
    removalPolicy: tableRemovalPolicy,
    warmThroughput: props.tableWarmThroughput,
  });

  // The deployment's save key for browser saves: made by CloudFormation, read by the Lambdas that sign or check save tokens.
  // It goes with the entries it signs for: kept, or deleted, as the table is.
  const saveKey = new secretsmanager.Secret(scope, 'SaveKey', {
    description: 'session-recovery save key: signs the save tokens pages save entries with (browser saves)',
    generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 64, excludePunctuation: true },
    removalPolicy: tableRemovalPolicy,
  });
  Validations.of(saveKey).acknowledge({
    id: 'AwsSolutions-SMG4',
    reason:
      'The save key is rotated by hand with an overlap (current and previous both verify, docs/security.md): an automatic single-value rotation would break every save token in browsers at once.',
  });

  const eventBus = new events.EventBus(scope, 'EventBus', { description: 'session-recovery: link requests and expired links, for your own delivery rules' });
  return { table, saveKey, eventBus };
};
