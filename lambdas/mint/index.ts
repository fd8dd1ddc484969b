import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { setting } from '../runtime/environment';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers } from '../http/route-schema';
import { jsonResult } from '../http/types';
import { invokePipeline } from '../http/invoke-pipeline';
import { linkDigest } from '../domain/link-digest';
import { logger } from '../runtime/logger';
import { type MintRequest, type MintResult, mintLink } from '../domain/mint';
import { MAX_ALLOWED_LINKS } from '../domain/ports';
import { newestSigningKey } from '../domain/project-keys';
import { fieldRules, routeSchemas } from './schema';
import { validateEvent, validatePayload } from './validators.gen.js';

const config = {
  secretPrefix: setting('SECRET_PREFIX'),
  environment: setting('DEPLOYMENT_ENVIRONMENT'),
  defaultTtlSeconds: setting('MINT_DEFAULT_TTL_SECONDS'),
  maxLifetimeSeconds: setting('MINT_MAX_LIFETIME_SECONDS'),
};
const store = new SecretsManagerProjectStore(secretsManager, config.secretPrefix);
const links = new DynamoDbEntryStore(dynamodb, setting('TABLE_NAME'));

/**
 * Signs with the project's newest active credential. The secret is read fresh on
 * every call (no cache), so a link is never signed with a key revoked a moment ago.
 */
const mint = async (req: MintRequest): Promise<MintResult & { flow_id: string }> => {
  logger.appendKeys({ project_id: req.project_id });
  const doc = await store.read(req.project_id);
  const result = mintLink(req, doc && newestSigningKey(doc.value, config.environment), {
    now: Date.now(),
    defaultTtlSeconds: config.defaultTtlSeconds,
    maxLifetimeSeconds: config.maxLifetimeSeconds,
  });
  logger.appendKeys({ credential_id: result.credential_id });
  // The entry must exist, as load-entry-data will look for it. After a revoke-links on the entry, only
  // links minted since then work: record exactly this one.
  const target = await links.allowLink(req.entry_id, { projectId: req.project_id, flowId: req.flow_id }, linkDigest(result.token), new Date());
  if (!target) {
    const where = req.flow_id === undefined ? `project ${req.project_id}` : `project ${req.project_id}'s flow ${req.flow_id}`;
    throw new ApiError('entry_not_found', `There is no entry ${req.entry_id} in ${where}: save it (PUT /v1/entries/{entry_id}) before minting a link to it.`);
  }
  if (!target.allowed) {
    throw new ApiError(
      'conflict',
      `This entry already has ${MAX_ALLOWED_LINKS} links minted since its links were revoked; revoke its links again to start a new list.`,
    );
  }
  return { ...result, flow_id: target.flowId };
};

const routes: RouteHandlers<'mint', typeof routeSchemas> = {
  mint: async ({ body }) => jsonResult(200, await mint(body)),
};

const httpHandler = httpPipeline(dispatch(routes), {
  validateEvent,
  fieldRules,
  maxBodyBytes: 8192,
});

const invokeHandler = invokePipeline(mint, { validatePayload, fieldRules });

const isHttpApiEvent = (event: unknown): event is APIGatewayProxyEventV2 =>
  typeof event === 'object' && event !== null && (event as { version?: unknown }).version === '2.0' && 'requestContext' in event;

/** Backends call this with `lambda:InvokeFunction` (payload = the request), or through the `mint` route. */
export const handler = (event: unknown, context: Context) =>
  isHttpApiEvent(event)
    ? httpHandler(event, context)
    : invokeHandler(event as MintRequest, context);
