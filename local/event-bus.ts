import { randomBytes } from 'node:crypto';
import {
  CreateEventBusCommand,
  DeleteRuleCommand,
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  RemoveTargetsCommand,
  ResourceAlreadyExistsException,
} from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { EVENT_SOURCE } from '../lambdas/domain/link-events';

/** An event as EventBridge delivers it to a target. */
export interface BusEvent {
  readonly id: string;
  readonly source: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/** The emulator's endpoint, as the local runtime's AWS identity (moto checks no signatures). */
export interface EmulatorConfig {
  readonly endpoint: string;
}

export const emulatorConfig = (endpoint: string): EmulatorConfig => ({ endpoint });

/** What the emulator's clients sign with: the shell's AWS credentials when it has some, else placeholders (moto checks no signatures). */
export const emulatorCredentials = () => ({
  accessKeyId: process.env.AWS_ACCESS_KEY_ID || 'local',
  secretAccessKey: process.env.AWS_SECRET_ACCESS_KEY || 'local',
});

const clientOptions = ({ endpoint }: EmulatorConfig) => ({ endpoint, region: process.env.AWS_REGION ?? 'us-east-1', credentials: emulatorCredentials() });

/** An EventBridge client on the emulator, as a test or the local runtime calls it. */
export const emulatorEventBridge = (config: EmulatorConfig): EventBridgeClient => new EventBridgeClient(clientOptions(config));

/** Creates the deployment's bus in the emulator, as CloudFormation would; one that exists already is kept. */
export const ensureEventBus = async (config: EmulatorConfig, name: string): Promise<void> => {
  const events = emulatorEventBridge(config);
  try {
    await events.send(new CreateEventBusCommand({ Name: name }));
  } catch (error) {
    if (!(error instanceof ResourceAlreadyExistsException)) throw error;
  } finally {
    events.destroy();
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
export const subscribe = async (config: EmulatorConfig, busName: string): Promise<BusSubscription> => {
  const name = `session-recovery-local-${randomBytes(6).toString('hex')}`;
  const events = emulatorEventBridge(config);
  const sqs = new SQSClient(clientOptions(config));
  const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  await events.send(new PutRuleCommand({ Name: name, EventBusName: busName, EventPattern: JSON.stringify({ source: [EVENT_SOURCE] }) }));
  await events.send(new PutTargetsCommand({ Rule: name, EventBusName: busName, Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }] }));

  const receive = async (waitSeconds: number): Promise<BusEvent[]> => {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: waitSeconds }));
    if (Messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })) }),
      );
    }
    return Messages.map((m) => JSON.parse(m.Body!) as BusEvent);
  };
  return {
    drain: async () => {
      const all: BusEvent[] = [];
      for (let batch = await receive(0); batch.length > 0; batch = await receive(0)) all.push(...batch);
      return all;
    },
    poll: () => receive(1),
    close: async () => {
      try {
        await events.send(new RemoveTargetsCommand({ Rule: name, EventBusName: busName, Ids: ['queue'] }));
        await events.send(new DeleteRuleCommand({ Name: name, EventBusName: busName }));
        await sqs.send(new DeleteQueueCommand({ QueueUrl: queueUrl }));
      } finally {
        events.destroy();
        sqs.destroy();
      }
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

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Prints what the bus delivers, through a rule and queue of the runtime's own, until the function it returns is
 * called. An emulator that stops answering is reported once it has failed two polls in a row (a second apart),
 * then asked again each second, so the runtime never dies of it. Ctrl-C reaches moto as well as this process (they
 * share the terminal's process group): the poll that fails as moto goes is not reported, since the runtime is
 * stopping by the time it would be.
 */
export const watchBus = (bus: BusSubscription, onEvent: (line: string) => void, wait: (ms: number) => Promise<void> = sleep) => {
  let stopped = false;
  let failures = 0;
  const loop = (async () => {
    while (!stopped) {
      try {
        const events = await bus.poll();
        failures = 0;
        for (const event of events) onEvent(describeEvent(event));
      } catch {
        failures++;
        if (failures === 2 && !stopped) onEvent('[event] the emulator did not answer polls of the event bus for a second; trying again every second');
        await wait(1000);
      }
    }
  })();
  return async (): Promise<void> => {
    stopped = true;
    await loop;
    await bus.close().catch(() => undefined);
  };
};
