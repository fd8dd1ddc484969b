import { secretsManager } from '../adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../adapters/secrets-manager-legacy-key-store';
import { requireEnv } from '../runtime/config';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import type { HttpResult, JsonEvent } from '../http/types';
import { logger } from '../runtime/logger';
import { fieldRules } from './schema';
import { validateEvent } from './validators.gen.js';

const store = new SecretsManagerLegacyKeyStore(secretsManager, requireEnv('SECRET_PREFIX'));

type LegacyKeyEvent = JsonEvent<{ secret: string; project_id: string } | undefined> & { pathParameters: { flow_id: string } };

/**
 * Imports an existing per-flow legacy key for one project (PUT) or retires it
 * (DELETE). Legacy keys are no longer issued, so there is deliberately no route
 * that generates one.
 */
const legacyKeys = async (event: LegacyKeyEvent): Promise<HttpResult> => {
  const flowId = event.pathParameters.flow_id;
  logger.appendKeys({ flow_id: flowId });
  if (event.routeKey === 'PUT /v1/legacy/flows/{flow_id}/key') {
    const { secret, project_id: projectId } = event.body!;
    logger.appendKeys({ project_id: projectId });
    await store.put(flowId, projectId, secret, new Date());
    return { statusCode: 204 };
  }
  if (!(await store.retire(flowId))) throw new ApiError('not_found', `Flow ${flowId} has no legacy key.`);
  return { statusCode: 204 };
};

export const handler = httpPipeline(legacyKeys, {
  validateEvent,
  fieldRules,
  maxBodyBytes: 8192,
});
