import type { ExpiredLinkEvents } from '../domain/expired-links';
import { HOUR_MS } from '../domain/link-events';
import { dynamodb } from './clients';
import { DynamoDbOncePerWindow } from './dynamodb-link-limits';
import { EventBridgePublisher } from './eventbridge-publisher';
import { EXPIRED_LINK_KEY_PREFIX } from './naming';

/**
 * The deployment's bus, called with the DynamoDB client's region and
 * credential chain, and at the endpoint the SDK clients would use: the
 * standard AWS_ENDPOINT_URL_EVENTBRIDGE or AWS_ENDPOINT_URL (the emulator,
 * locally and in tests), else EventBridge's regional endpoint.
 */
export const eventBus = (busName: string): EventBridgePublisher =>
  new EventBridgePublisher(
    {
      region: dynamodb.config.region,
      credentials: dynamodb.config.credentials,
      endpoint: process.env.AWS_ENDPOINT_URL_EVENTBRIDGE || process.env.AWS_ENDPOINT_URL || undefined,
    },
    busName,
  );

/**
 * `Resume Link Expired` events (`expiredLinkEvents`): on the deployment's bus,
 * once per entry per hour through a mark under `expired#<entry_id>`.
 */
export const expiredLinkEvents = (busName: string | undefined, tableName: string, onFailure: (error: unknown) => void): ExpiredLinkEvents => {
  // The construct sets both together: one without the other is a broken deployment, failed at cold start.
  if (busName === undefined) throw new Error('EXPIRED_LINK_EVENTS needs EVENT_BUS_NAME');
  return { marks: new DynamoDbOncePerWindow(dynamodb, tableName, EXPIRED_LINK_KEY_PREFIX, HOUR_MS), events: eventBus(busName), onFailure };
};
