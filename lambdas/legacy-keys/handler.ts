import { type AwsClients, secretsManager } from '../adapters/clients';
import { runTimeSecretOptions } from '../adapters/secret-read-policy';
import { SecretsManagerLegacyKeyStore } from '../adapters/secrets-manager-legacy-key-store';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { type Environment, processEnvironment, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

export interface LegacyKeysDeps {
  readonly store: SecretsManagerLegacyKeyStore;
  readonly now: () => Date;
}

/** The legacy-key routes as the construct deploys them: settings read from `env` once, the client passed in. */
export const fromEnvironment = (env: Environment = processEnvironment(), clients: Pick<AwsClients, 'secretsManager'> = { secretsManager }): LegacyKeysDeps => ({
  store: new SecretsManagerLegacyKeyStore(
    clients.secretsManager,
    setting('SECRET_PREFIX', env),
    runTimeSecretOptions(setting('SECRET_READER_ARNS', env), setting('SECRET_TAGS', env)),
  ),
  now: () => new Date(),
});

/** The legacy-key routes' handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: LegacyKeysDeps) => {
  /**
   * Imports an existing per-flow legacy key for one project, or retires it.
   * Legacy keys are no longer issued, so there is deliberately no route that
   * generates one.
   */
  const routes: RouteHandlers<'legacy-keys', typeof routeSchemas> = {
    importLegacyKey: async ({ pathParameters, body }) => {
      logger.appendKeys({ flow_id: pathParameters.flow_id, project_id: body.project_id });
      await deps.store.put(pathParameters.flow_id, body.project_id, body.secret, deps.now());
      return { statusCode: 204 };
    },
    retireLegacyKey: async ({ pathParameters }) => {
      logger.appendKeys({ flow_id: pathParameters.flow_id });
      if (!(await deps.store.retire(pathParameters.flow_id))) throw new ApiError('not_found', `Flow ${pathParameters.flow_id} has no legacy key.`);
      return { statusCode: 204 };
    },
  };

  return httpPipeline(dispatch(routes), {
    validateEvent: routeValidator<'legacy-keys'>(routeValidators),
    fieldRules,
    maxBodyBytes: bodyLimits('legacy-keys'),
  });
};
