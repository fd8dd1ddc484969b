import { secretsManager } from '../adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../adapters/secrets-manager-legacy-key-store';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { runTimeSecretOptions } from '../adapters/secret-read-policy';
import { setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

const store = new SecretsManagerLegacyKeyStore(secretsManager, setting('SECRET_PREFIX'), runTimeSecretOptions(setting('SECRET_READER_ARNS'), setting('SECRET_TAGS')));

/**
 * Imports an existing per-flow legacy key for one project, or retires it.
 * Legacy keys are no longer issued, so there is deliberately no route that
 * generates one.
 */
const routes: RouteHandlers<'legacy-keys', typeof routeSchemas> = {
  importLegacyKey: async ({ pathParameters, body }) => {
    logger.appendKeys({ flow_id: pathParameters.flow_id, project_id: body.project_id });
    await store.put(pathParameters.flow_id, body.project_id, body.secret, new Date());
    return { statusCode: 204 };
  },
  retireLegacyKey: async ({ pathParameters }) => {
    logger.appendKeys({ flow_id: pathParameters.flow_id });
    if (!(await store.retire(pathParameters.flow_id))) throw new ApiError('not_found', `Flow ${pathParameters.flow_id} has no legacy key.`);
    return { statusCode: 204 };
  },
};

export const handler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'legacy-keys'>(routeValidators),
  fieldRules,
  maxBodyBytes: 8192,
});
