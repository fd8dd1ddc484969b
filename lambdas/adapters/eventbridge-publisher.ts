import { UnavailableError } from '../domain/errors';
import { EVENT_SOURCE, type EventPublisher } from '../domain/link-events';
import { type AwsJsonConfig, awsJsonCall } from './aws-json';

interface PutEventsOutput {
  readonly FailedEntryCount?: number;
  readonly Entries?: ReadonlyArray<{ readonly ErrorCode?: string }>;
}

/**
 * Puts events on the deployment's bus with PutEvents. PutEvents answers 200
 * even when it refused the entry (FailedEntryCount): that is a failure too,
 * thrown as UnavailableError with EventBridge's error code (never its message).
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly config: AwsJsonConfig,
    private readonly busName: string,
  ) {}

  async publish(detailType: string, detail: object): Promise<void> {
    const out = await awsJsonCall<PutEventsOutput>(this.config, {
      service: 'events',
      target: 'AWSEvents.PutEvents',
      protocol: '1.1',
      body: { Entries: [{ Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: this.busName }] },
    });
    if ((out.FailedEntryCount ?? 0) > 0) throw new UnavailableError(out.Entries?.[0]?.ErrorCode ?? 'FailedEntry');
  }
}
