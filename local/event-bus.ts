import { randomBytes } from 'node:crypto';
import { type AwsJsonConfig, AwsJsonError, awsJsonCall } from '../lambdas/adapters/aws-json';
import { EVENT_SOURCE } from '../lambdas/domain/link-events';

/** An event as EventBridge delivers it to a target. */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/** Calls the emulator as the local runtime's AWS identity (moto checks no signatures). */
export const emulatorConfig = (endpoint: string): AwsJsonConfig => ({
  region: async () => process.env.AWS_REGION ?? 'us-east-1',
  credentials: async () => ({ accessKeyId: process.env.AWS_ACCESS_KEY_ID ?? 'local', secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY ?? 'local' }),
  endpoint,
  timeoutMs: 5_000,
});

const events = <T>(config: AwsJsonConfig, action: string, body: unknown) =>
  awsJsonCall<T>(config, { service: 'events', target: `AWSEvents.${action}`, protocol: '1.1', body });
const sqs = <T>(config: AwsJsonConfig, action: string, body: unknown) =>
  awsJsonCall<T>(config, { service: 'sqs', target: `AmazonSQS.${action}`, protocol: '1.0', body });

/** Creates the deployment's bus in the emulator, as CloudFormation would; one that exists already is kept. */
export const ensureEventBus = async (config: AwsJsonConfig, name: string): Promise<void> => {
  try {
    await events(config, 'CreateEventBus', { Name: name });
  } catch (error) {
    if (!(error instanceof AwsJsonError && error.type === 'ResourceAlreadyExistsException')) throw error;
  }
};

/** What a rule on the bus delivered: read from its SQS queue. */
export interface BusSubscription {
  /** Every event delivered since the last call, in order (none: an empty list, at once). */
  drain(): Promise<BusEvent[]>;
  /** Waits up to a second for events, as a poller does. */
  poll(): Promise<BusEvent[]>;
  /** Removes the rule and its queue. */
  close(): Promise<void>;
}

/**
 * A rule for every event of the product on `busName`, with an SQS queue as its
 * target, as a team's delivery rule would have: what it receives is exactly
 * what the bus delivered. Each subscription has its own rule and queue, so
 * several runtimes and tests on one emulator each see every event.
 */
export const subscribe = async (config: AwsJsonConfig, busName: string): Promise<BusSubscription> => {
  const name = `session-recovery-local-${randomBytes(6).toString('hex')}`;
  const { QueueUrl: queueUrl } = await sqs<{ QueueUrl: string }>(config, 'CreateQueue', { QueueName: name });
  const { Attributes } = await sqs<{ Attributes: { QueueArn: string } }>(config, 'GetQueueAttributes', { QueueUrl: queueUrl, AttributeNames: ['QueueArn'] });
  await events(config, 'PutRule', { Name: name, EventBusName: busName, EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }) });
  await events(config, 'PutTargets', { Rule: name, EventBusName: busName, Targets: [{ Id: 'queue', Arn: Attributes.QueueArn }] });

  const receive = async (waitSeconds: number): Promise<BusEvent[]> => {
    const { Messages = [] } = await sqs<{ Messages?: Array<{ Body: string; ReceiptHandle: string }> }>(config, 'ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      WaitTimeSeconds: waitSeconds,
    });
    if (Messages.length > 0) {
      await sqs(config, 'DeleteMessageBatch', { QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) });
    }
    return Messages.map((m) => JSON.parse(m.Body) as BusEvent);
  };
  return {
    drain: async () => {
      const all: BusEvent[] = [];
      for (let batch = await receive(0); batch.length > 0; batch = await receive(0)) all.push(...batch);
      return all;
    },
    poll: () => receive(1),
    close: async () => {
      await events(config, 'RemoveTargets', { Rule: name, EventBusName: busName, Ids: ['queue'] });
      await events(config, 'DeleteRule', { Name: name, EventBusName: busName });
      await sqs(config, 'DeleteQueue', { QueueUrl: queueUrl });
    },
  };
};

/** `a•••@example.com`, `+44•••••••23`: enough for a developer to tell their test addresses apart, not a user's address in a terminal's scrollback. */
export const maskAddress = (to: string): string => {
  const at = to.indexOf('@');
  if (at > 0) return `${to[0]}•••${to.slice(at)}`;
  return to.length > 5 ? `${to.slice(0, 3)}${'•'.repeat(to.length - 5)}${to.slice(-2)}` : '•••';
};

/** One console line per delivered event: for a link request, the link a developer would have been sent. */
export const describeEvent = (event: BusEvent): string => {
  const d = event.detail as Record<string, string | undefined>;
  const ids = `entry ${d.entry_id} (project ${d.project_id}, flow ${d.flow_id})`;
  if (event['detail-type'] === 'Resume Link Requested') {
    const to = d.to === undefined ? '' : ` to ${maskAddress(d.to)}`;
    return `[event] Resume Link Requested by ${d.channel}${to} for ${ids}: ${d.short_url ?? d.url}`;
  }
  if (event['detail-type'] === 'Resume Link Expired') return `[event] Resume Link Expired for ${ids}: the link expired at ${d.expired_at}`;
  return `[event] ${event['detail-type']} for ${ids}`;
};
