import type { ExpiredLinkEvents } from '../domain/expired-links';
import { HOUR_MS } from '../domain/link-events';
import { dynamodb } from './clients';
import { DynamoDbOncePerWindow } from './dynamodb-link-limits';
import { EventBridgePublisher } from './eventbridge-publisher';
import { EXPIRED_LINK_KEY_PREFIX } from './naming';

/** Where the deployment's bus is: its name, and the endpoint (the emulator's; undefined in AWS: EventBridge's regional one). */
export interface BusLocation {
  readonly busName: string;
  readonly endpoint: string | undefined;
}

/** The deployment's bus, called with the DynamoDB client's region and credential chain. */
export const eventBus = ({ busName, endpoint }: BusLocation): EventBridgePublisher =>
  new EventBridgePublisher({ region: dynamodb.config.region, credentials: dynamodb.config.credentials, endpoint }, busName);

/**
 * `Resume Link Expired` events (`expiredLinkEvents`): on the deployment's bus,
 * once per entry per hour through a mark under `expired#<entry_id>`.
 */
export const expiredLinkEvents = (bus: BusLocation, tableName: string, onFailure: (error: unknown) => void): ExpiredLinkEvents => ({
  marks: new DynamoDbOncePerWindow(dynamodb, tableName, EXPIRED_LINK_KEY_PREFIX, HOUR_MS),
  events: eventBus(bus),
  onFailure,
});
