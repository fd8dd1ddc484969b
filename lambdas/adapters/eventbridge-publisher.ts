import { type EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { UnavailableError } from '../domain/errors';
import { EVENT_SOURCE, type EventPublisher } from '../domain/link-events';
import { awsCall } from './errors';

/**
 * Puts events on the deployment's bus with PutEvents. PutEvents answers 200
 * even when it refused the entry (FailedEntryCount): that is a failure too,
 * thrown as UnavailableError with EventBridge's error code (never its message).
 */
export class EventBridgePublisher implements EventPublisher {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly busName: string,
  ) {}

  async publish(detailType: string, detail: object): Promise<void> {
    const out = await awsCall(
      this.client.send(
        new PutEventsCommand({ Entries: [{ Source: EVENT_SOURCE, DetailType: detailType, Detail: JSON.stringify(detail), EventBusName: this.busName }] }),
      ),
    );
    if ((out.FailedEntryCount ?? 0) > 0) throw new UnavailableError(out.Entries?.[0]?.ErrorCode ?? 'FailedEntry');
  }
}
