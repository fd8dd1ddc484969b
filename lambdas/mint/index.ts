import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbCampaignCounters } from '../adapters/dynamodb-campaign-counters';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { DynamoDbShortLinkStore } from '../adapters/dynamodb-short-link-store';
import { SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { setting } from '../runtime/environment';
import { ApiError, invalidRequest } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { routePath } from '../http/routes';
import { jsonResult } from '../http/types';
import { invokePipeline } from '../http/invoke-pipeline';
import { validationMessage } from '../http/validation-message';
import { logger } from '../runtime/logger';
import type { MintPolicy } from '../domain/mint';
import {
  type Attribution,
  type BatchItem,
  type BatchMintRequest,
  type MintDependencies,
  mintBatch,
  mintOne,
  type MintOneRequest,
  type MintOneResult,
} from '../domain/minting';
import { lineCampaign } from '../domain/recovery';
import { mintProjectOf } from '../domain/project-keys';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators, validatePayload, validateRow } from './validators.gen.js';

const config = {
  secretPrefix: setting('SECRET_PREFIX'),
  environment: setting('DEPLOYMENT_ENVIRONMENT'),
  defaultTtlSeconds: setting('MINT_DEFAULT_TTL_SECONDS'),
  maxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS'),
  shortLinkBase: setting('SHORT_LINK_BASE_URL').replace(/\/+$/, ''),
};
const store = new SecretsManagerProjectStore(secretsManager, config.secretPrefix);
const tableName = setting('TABLE_NAME');

const deps: MintDependencies = {
  // Read fresh on every call (no cache), so a link is never signed with a key revoked a moment ago.
  project: async (projectId) => mintProjectOf((await store.read(projectId))?.value, config.environment),
  links: new DynamoDbEntryStore(dynamodb, tableName),
  shortLinks: new DynamoDbShortLinkStore(dynamodb, tableName),
  shortUrl: (code) => `${config.shortLinkBase}${routePath('followShortLink').replace('{code}', code)}`,
};

const counters = new DynamoDbCampaignCounters(dynamodb, tableName);

/**
 * The links' campaign, also put on the request line, whose `metric_campaign`
 * and `minted_links` the LinksMinted metric counts (all campaigns together).
 */
const attribute = (campaign: string | undefined): Attribution => {
  logger.appendKeys({ campaign, metric_campaign: lineCampaign({ campaign }) });
  return campaign === undefined ? {} : { campaign };
};

/**
 * Adds the links a request minted to its campaign's counter: one write however
 * many links (a batch's), before the links are answered, so every link handed
 * out is counted. If it fails, the request fails (503) and hands out nothing.
 */
const count = async (projectId: string, { campaign }: Attribution, minted: number): Promise<void> => {
  if (campaign !== undefined && minted > 0) await counters.addLinksMinted(projectId, campaign, minted);
};

const policy = (): MintPolicy => ({
  now: Date.now(),
  defaultTtlSeconds: config.defaultTtlSeconds,
  maxLifetimeSeconds: config.maxLifetimeSeconds,
});

/** Why a batch row is malformed, in the words of every 400; undefined when it is well formed. */
const checkRow = (row: unknown): ApiError | undefined => {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return invalidRequest('each row must be an object such as {"entry_id": "…"}');
  return validateRow(row) ? undefined : new ApiError('invalid_request', validationMessage(validateRow.errors ?? [], fieldRules, {}, row));
};

const mint = async (req: MintOneRequest): Promise<MintOneResult> => {
  logger.appendKeys({ project_id: req.project_id });
  const attribution = attribute(req.campaign);
  const result = await mintOne(req, deps, policy(), attribution);
  await count(req.project_id, attribution, 1);
  logger.appendKeys({ credential_id: result.credential_id, minted_links: 1 });
  return result;
};

/** The request line of a batch counts its rows, its failed rows and the links minted; it names no entry. */
const batch = async (req: BatchMintRequest): Promise<{ links: BatchItem[] }> => {
  logger.appendKeys({ project_id: req.project_id });
  const attribution = attribute(req.campaign);
  const links = await mintBatch(req, deps, policy(), checkRow, attribution);
  const failed = links.filter((l) => 'error' in l).length;
  await count(req.project_id, attribution, links.length - failed);
  logger.appendKeys({ links: links.length, failed_links: failed, minted_links: links.length - failed });
  return { links };
};

const routes: RouteHandlers<'mint', typeof routeSchemas> = {
  mint: async ({ body }) => jsonResult(200, await mint(body)),
  mintBatch: async ({ body }) => jsonResult(200, await batch(body)),
};

const httpHandler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'mint'>(routeValidators),
  fieldRules,
  // A batch of 500 rows is about 125 KB; API Gateway itself refuses bodies over 10 MB.
  maxBodyBytes: 256 * 1024,
});

type InvokePayload = MintOneRequest | BatchMintRequest;

const invokeHandler = invokePipeline(
  (payload: InvokePayload): Promise<MintOneResult | { links: BatchItem[] }> => ('links' in payload ? batch(payload) : mint(payload)),
  { validatePayload, fieldRules },
);

const isHttpApiEvent = (event: unknown): event is APIGatewayProxyEventV2 =>
  typeof event === 'object' && event !== null && (event as { version?: unknown }).version === '2.0' && 'requestContext' in event;

/**
 * Backends call this with `lambda:InvokeFunction` (payload = a request of either
 * route: with `links`, a batch), or through the `mint` and `mintBatch` routes.
 */
export const handler = (event: unknown, context: Context) =>
  isHttpApiEvent(event)
    ? httpHandler(event, context)
    : invokeHandler(event as InvokePayload, context);
