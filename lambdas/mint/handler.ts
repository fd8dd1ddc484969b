import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type AwsClients, dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbCampaignCounters } from '../adapters/dynamodb-campaign-counters';
import { campaignLogKeys, type MintRequestDeps, mintRequests } from '../domain/mint-requests';
import type { BatchItem, BatchMintRequest, MintOneRequest, MintOneResult } from '../domain/minting';
import { invokePipeline } from '../http/invoke-pipeline';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { jsonResult } from '../http/types';
import { validationMessage } from '../http/validation-message';
import { type Environment, processEnvironment, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { mintDependencies, mintPolicy, type MintSettings } from '../wiring/minting';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators, validatePayload, validateRow } from './validators.gen.js';

/** A batch row's problem with the row schema, explained as every 400 explains a field. */
const rowSchemaProblem = (row: object): string | undefined => (validateRow(row) ? undefined : validationMessage(validateRow.errors ?? [], fieldRules, {}, row));

/** The mint routes and direct invocation as the construct deploys them: settings read from `env` once, adapters over `clients`. */
export const fromEnvironment = (
  env: Environment = processEnvironment(),
  clients: Omit<AwsClients, 'eventBridge'> = { dynamodb, secretsManager },
): MintRequestDeps => {
  const tableName = setting('TABLE_NAME', env);
  const settings: MintSettings = {
    defaultTtlSeconds: setting('MINT_DEFAULT_TTL_SECONDS', env),
    maxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS', env),
    shortLinkBaseUrl: setting('SHORT_LINK_BASE_URL', env),
  };
  return {
    mint: mintDependencies(clients, { secretPrefix: setting('SECRET_PREFIX', env), environment: setting('DEPLOYMENT_ENVIRONMENT', env), tableName }, settings),
    counters: new DynamoDbCampaignCounters(clients.dynamodb, tableName),
    policy: (now) => mintPolicy(settings, now),
    now: () => Date.now(),
    rowSchemaProblem,
  };
};

type InvokePayload = MintOneRequest | BatchMintRequest;

const isHttpApiEvent = (event: unknown): event is APIGatewayProxyEventV2 =>
  typeof event === 'object' && event !== null && (event as { version?: unknown }).version === '2.0' && 'requestContext' in event;

/** Mint's handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: MintRequestDeps) => {
  const requests = mintRequests(deps);

  const mint = async (req: MintOneRequest): Promise<MintOneResult> => {
    logger.appendKeys({ project_id: req.project_id, ...campaignLogKeys(req.campaign) });
    const result = await requests.mint(req);
    logger.appendKeys({ credential_id: result.credential_id, minted_links: 1 });
    return result;
  };

  /** The request line of a batch counts its rows, its failed rows and the links minted; it names no entry. */
  const batch = async (req: BatchMintRequest): Promise<{ links: BatchItem[] }> => {
    logger.appendKeys({ project_id: req.project_id, ...campaignLogKeys(req.campaign) });
    const { links, failed } = await requests.batch(req);
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
    maxBodyBytes: bodyLimits('mint'),
  });

  const invokeHandler = invokePipeline(
    (payload: InvokePayload): Promise<MintOneResult | { links: BatchItem[] }> => ('links' in payload ? batch(payload) : mint(payload)),
    { validatePayload, fieldRules },
  );

  /**
   * Backends call this with `lambda:InvokeFunction` (payload = a request of either
   * route: with `links`, a batch), or through the `mint` and `mintBatch` routes.
   */
  return (event: unknown, context: Context) => (isHttpApiEvent(event) ? httpHandler(event, context) : invokeHandler(event as InvokePayload, context));
};
