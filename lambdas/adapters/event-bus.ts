import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { ExpiredLinkEvents } from '../domain/expired-links';
import { HOUR_MS } from '../domain/link-events';
import { dynamodb, sdkOptions } from './clients';
import { DynamoDbOncePerWindow } from './dynamodb-link-limits';
import { EventBridgePublisher } from './eventbridge-publisher';
import { EXPIRED_LINK_KEY_PREFIX } from './naming';

/** Where the deployment's bus is: its name (the endpoint is the SDK's: EventBridge's regional one, or AWS_ENDPOINT_URL_EVENTBRIDGE / AWS_ENDPOINT_URL). */
export interface BusLocation {
  readonly busName: string;
}

let shared: EventBridgeClient | undefined;

/**
 * The instance's EventBridge client, created on first use, so the Lambdas that
 * never put an event never create it. One attempt within the shared 2 s request
 * timeout: a link request that cannot put its event answers 503 and gives its
 * slot back, and an expired link's 401 never waits on retries.
 */
export const eventBridge = (): EventBridgeClient => (shared ??= new EventBridgeClient({ ...sdkOptions, maxAttempts: 1 }));

/** The deployment's bus, through `client` (the instance's own by default). */
export const eventBus = ({ busName }: BusLocation, client: () => EventBridgeClient = eventBridge): EventBridgePublisher =>
  new EventBridgePublisher(client(), busName);

/**
 * `Resume Link Expired` events (`expiredLinkEvents`): on the deployment's bus,
 * once per entry per hour through a mark under `expired#<entry_id>`.
 */
export const expiredLinkEvents = (
  bus: BusLocation,
  tableName: string,
  onFailure: (error: unknown) => void,
  clients: { readonly dynamodb?: DynamoDBClient; readonly eventBridge?: () => EventBridgeClient } = {},
): ExpiredLinkEvents => ({
  marks: new DynamoDbOncePerWindow(clients.dynamodb ?? dynamodb, tableName, EXPIRED_LINK_KEY_PREFIX, HOUR_MS),
  events: eventBus(bus, clients.eventBridge),
  onFailure,
});
