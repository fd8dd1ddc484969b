import { type AwsClients, dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbProjectIndex } from '../adapters/dynamodb-project-index';
import { runTimeSecretOptions } from '../adapters/secret-read-policy';
import { SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { invalidRequest } from '../domain/errors';
import { projectAdmin, type ProjectAdminDeps } from '../domain/project-admin';
import { metadataOf } from '../domain/project-keys';
import type { ResumePolicy } from '../domain/resume-policy';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { bodyLimits } from '../http/routes';
import { jsonResult } from '../http/types';
import { type Environment, processEnvironment, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

/** The credentials routes as the construct deploys them: settings read from `env` once, adapters over `clients`. */
export const fromEnvironment = (
  env: Environment = processEnvironment(),
  clients: Omit<AwsClients, 'eventBridge'> = { dynamodb, secretsManager },
): ProjectAdminDeps => ({
  store: new SecretsManagerProjectStore(
    clients.secretsManager,
    setting('SECRET_PREFIX', env),
    runTimeSecretOptions(setting('SECRET_READER_ARNS', env), setting('SECRET_TAGS', env)),
  ),
  index: new DynamoDbProjectIndex(clients.dynamodb, setting('TABLE_NAME', env)),
  environment: setting('DEPLOYMENT_ENVIRONMENT', env),
  now: () => new Date(),
});

const inProject = (projectId: string): string => {
  logger.appendKeys({ project_id: projectId });
  return projectId;
};

/** The credentials routes' handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: ProjectAdminDeps) => {
  const admin = projectAdmin(deps);
  const setPolicy = async (projectId: string, flowId: string, policy: ResumePolicy) => {
    logger.appendKeys({ flow_id: flowId });
    return jsonResult(200, { flow_id: flowId, ...(await admin.setResumePolicy(projectId, flowId, policy)) });
  };

  /** Token Signing Secrets of a project: create (value shown once), list (metadata only), revoke; its allowed origins and browser saves. */
  const routes: RouteHandlers<'credentials', typeof routeSchemas> = {
    createCredential: async ({ pathParameters, body }) => {
      const { label, environment, replace, algorithm, provider } = body;
      const { credential, revoked } = await admin.createCredential(inProject(pathParameters.project_id), { label, environment, replace, algorithm, provider });
      logger.appendKeys({ credential_id: credential.credential_id });
      // The only response that ever carries the value. `revoked_credential_ids`: what `replace` revoked, often none.
      return jsonResult(201, { credential: metadataOf(credential), secret: credential.secret, revoked_credential_ids: revoked });
    },
    listCredentials: async ({ pathParameters }) => jsonResult(200, { credentials: await admin.listCredentials(inProject(pathParameters.project_id)) }),
    revokeCredential: async ({ pathParameters }) => {
      const projectId = inProject(pathParameters.project_id);
      logger.appendKeys({ credential_id: pathParameters.credential_id });
      await admin.revokeCredential(projectId, pathParameters.credential_id);
      return { statusCode: 204 };
    },
    getAllowedOrigins: async ({ pathParameters }) => jsonResult(200, { allowed_origins: await admin.allowedOrigins(inProject(pathParameters.project_id)) }),
    setAllowedOrigins: async ({ pathParameters, body }) => {
      const origins = body.allowed_origins ?? body.origins;
      if (origins === undefined || (body.allowed_origins !== undefined && body.origins !== undefined)) {
        throw invalidRequest(`allowed_origins is required (or origins, its older name, but not both) and ${fieldRules.allowed_origins}`);
      }
      return jsonResult(200, { allowed_origins: await admin.setAllowedOrigins(inProject(pathParameters.project_id), origins) });
    },
    clearAllowedOrigins: async ({ pathParameters }) =>
      jsonResult(200, { allowed_origins: await admin.setAllowedOrigins(inProject(pathParameters.project_id), undefined) }),
    getBrowserSaves: async ({ pathParameters }) => jsonResult(200, await admin.browserSaves(inProject(pathParameters.project_id))),
    setBrowserSaves: async ({ pathParameters, body }) =>
      jsonResult(200, await admin.setBrowserSaves(inProject(pathParameters.project_id), body.enabled, body.sms_countries)),
    getResumePolicy: async ({ pathParameters }) =>
      jsonResult(200, { flow_id: pathParameters.flow_id, ...(await admin.resumePolicy(inProject(pathParameters.project_id), pathParameters.flow_id)) }),
    setResumePolicy: async ({ pathParameters, body }) =>
      setPolicy(inProject(pathParameters.project_id), pathParameters.flow_id, { withheld_fields: body.withheld_fields, verify_field: body.verify_field }),
    clearResumePolicy: async ({ pathParameters }) => setPolicy(inProject(pathParameters.project_id), pathParameters.flow_id, { withheld_fields: [] }),
  };

  return httpPipeline(dispatch(routes), {
    validateEvent: routeValidator<'credentials'>(routeValidators),
    fieldRules,
    maxBodyBytes: bodyLimits('credentials'),
  });
};
