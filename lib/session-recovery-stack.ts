import { CfnOutput, Stack, type StackProps, Token, Validations } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Construct } from 'constructs';
import { projectSecretName } from '../lambdas/adapters/naming';
import { SessionRecovery, type SessionRecoveryProps } from './session-recovery';

/** Where every alarm notifies: an email address, or an existing SNS topic (at most one). */
export interface AlarmNotifications {
  /**
   * Every alarm notifies this address, when it fires and when it is back to OK,
   * through an SNS topic the stack creates (output `AlarmTopicArn`). AWS first
   * mails a link to confirm the subscription.
   */
  readonly email?: string;
  /** ... or this existing SNS topic's ARN (one of the two). */
  readonly topicArn?: string;
}

export interface SessionRecoveryStackProps extends StackProps {
  readonly sessionRecovery?: SessionRecoveryProps;
  /**
   * Where every alarm notifies, on alarm and back to OK: an email address
   * (the stack creates an SNS topic with the address subscribed; AWS mails a
   * confirmation link first), or an existing topic's ARN. At most one; either
   * wins over `sessionRecovery.alarmTopic`.
   * @default - alarms without actions (visible in the console)
   */
  readonly alarms?: AlarmNotifications;
}

/** A thin stack around the {@link SessionRecovery} construct, with the outputs a team needs. */
export class SessionRecoveryStack extends Stack {
  readonly service: SessionRecovery;

  constructor(scope: Construct, id: string, props: SessionRecoveryStackProps = {}) {
    super(scope, id, props);
    const { email, topicArn } = props.alarms ?? {};
    if (email !== undefined && topicArn !== undefined) throw new Error('alarmEmail and alarmTopicArn: give one, not both');
    if (email !== undefined && !Token.isUnresolved(email) && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) {
      throw new Error(`alarmEmail must be an email address, got "${email}"`);
    }
    if (topicArn !== undefined && !Token.isUnresolved(topicArn) && !/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}$/.test(topicArn)) {
      throw new Error(`alarmTopicArn must be an SNS topic ARN, got "${topicArn}"`);
    }
    let alarmTopic: sns.ITopic | undefined;
    if (email !== undefined) {
      const topic = new sns.Topic(this, 'AlarmTopic', { displayName: 'session-recovery alarms', enforceSSL: true });
      topic.addSubscription(new subscriptions.EmailSubscription(email));
      Validations.of(topic).acknowledge({
        id: 'AwsSolutions-SNS2',
        reason:
          'Alarm notifications carry alarm names, states and thresholds, never user data, tokens or keys; a KMS key would need a key policy for CloudWatch and cost $1 a month.',
      });
      alarmTopic = topic;
    } else if (topicArn !== undefined) {
      alarmTopic = sns.Topic.fromTopicArn(this, 'AlarmTopic', topicArn);
    }
    this.service = new SessionRecovery(this, 'SessionRecovery', { ...props.sessionRecovery, ...(alarmTopic ? { alarmTopic } : {}) });
    if (alarmTopic)
      new CfnOutput(this, 'AlarmTopicArn', { value: alarmTopic.topicArn, description: 'The SNS topic every alarm notifies (on alarm and back to OK)' });

    new CfnOutput(this, 'ApiUrl', { value: this.service.apiUrl, description: 'Base URL of the HTTP API' });
    new CfnOutput(this, 'LoadEntryDataUrl', {
      value: `${this.service.apiUrl}/v1/load-entry-data`,
      description: 'What browsers POST {flow_id, project_id, entry_id, token, expires_at} to',
    });
    if (this.service.loadEntryDataFunctionUrl) {
      new CfnOutput(this, 'LoadEntryDataFunctionUrl', {
        value: this.service.loadEntryDataFunctionUrl.url,
        description: 'The current contract on a Lambda Function URL (no API Gateway fee); POST the same body',
      });
    }
    if (this.service.legacyUrl) {
      new CfnOutput(this, 'LegacyLoadEntryDataUrl', {
        value: this.service.legacyUrl.url,
        description: 'The deprecated legacy load_entry_data contract (POST {flow_id, entry_id, token, expires})',
      });
    }
    new CfnOutput(this, 'EntriesTableName', { value: this.service.table.tableName });
    new CfnOutput(this, 'MintFunctionName', {
      value: this.service.functions.mint.functionName,
      description:
        'What backends invoke (lambda:InvokeFunction) with {project_id, entry_id, ttl_seconds?, resume_url?, short?}, or a batch {project_id, links: [...]}',
    });
    new CfnOutput(this, 'MintInvokePolicyArn', {
      value: this.service.mintInvokePolicy.managedPolicyArn,
      description: 'Attach to a backend role: invoke the mint Lambda and nothing else',
    });
    new CfnOutput(this, 'AdminApiPolicyArn', {
      value: this.service.adminApiPolicy.managedPolicyArn,
      description: 'Attach to an operator role: call the IAM-authorized admin routes (the CLI uses them)',
    });
    for (const [id, policy, what] of [
      ['EntriesApiPolicyArn', this.service.apiPolicies.entries, 'the entries routes (save, read, delete, revoke links, complete)'],
      ['MintApiPolicyArn', this.service.apiPolicies.mint, 'the mint routes (POST /v1/tokens, /v1/tokens/batch)'],
      ['CredentialsApiPolicyArn', this.service.apiPolicies.credentials, "the routes of projects' credentials, allowed origins and browser saves"],
      ['LegacyKeysApiPolicyArn', this.service.apiPolicies.legacyKeys, 'the legacy key routes (import, retire)'],
    ] as const) {
      new CfnOutput(this, id, { value: policy.managedPolicyArn, description: `Attach to a role: call ${what}, and no other admin route` });
    }
    new CfnOutput(this, 'ShortLinkBaseUrl', {
      value: this.service.shortLinkBaseUrl,
      description: 'Where short links (mint with short: true) start: <this>/r/<code>',
    });
    if (this.service.shortLinkDomain) {
      new CfnOutput(this, 'ShortLinkDomainTarget', {
        value: this.service.shortLinkDomain.regionalDomainName,
        description: 'Point the short-link domain here: a CNAME, or a Route 53 alias record',
      });
    }
    new CfnOutput(this, 'EventBusName', {
      value: this.service.eventBus.eventBusName,
      description: 'EventBridge bus of Resume Link Requested and Resume Link Expired events (source session-recovery): add your delivery rules to it',
    });
    new CfnOutput(this, 'EventBusArn', { value: this.service.eventBus.eventBusArn });
    new CfnOutput(this, 'EnvironmentName', { value: this.service.environmentName });
    new CfnOutput(this, 'ProjectSecretName', {
      value: projectSecretName(this.service.secretPrefix, '<project_id>'),
      description: "Secrets Manager name of a project's Token Signing Secrets",
    });
  }
}
