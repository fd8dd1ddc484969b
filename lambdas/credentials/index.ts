import { secretsManager } from '../adapters/clients';
import { SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { requireEnv } from '../runtime/config';
import { ApiError } from '../domain/errors';
import { httpPipeline } from '../http/pipeline';
import { type HttpResult, type JsonEvent, jsonResult } from '../http/types';
import { logger } from '../runtime/logger';
import { updateOptimistically } from '../domain/optimistic-update';
import { addCredential, metadataOf, revokeCredential, setAllowedOrigins } from '../domain/project-keys';
import type { TokenAlgorithm } from '../domain/token';
import { fieldRules } from './schema';
import { validateEvent } from './validators.gen.js';

const config = {
  secretPrefix: requireEnv('SECRET_PREFIX'),
  environment: requireEnv('DEPLOYMENT_ENVIRONMENT'),
};
const store = new SecretsManagerProjectStore(secretsManager, config.secretPrefix);

interface CreateBody {
  label: string;
  environment?: string;
  replace?: boolean;
  algorithm?: TokenAlgorithm;
}

type CredentialsEvent = JsonEvent<(CreateBody & { origins?: string[] }) | undefined> & {
  pathParameters: { project_id: string; credential_id?: string };
};

const create = async (projectId: string, body: CreateBody) => {
  const environment = body.environment ?? config.environment;
  if (environment !== config.environment) {
    throw new ApiError(
      'invalid_request',
      `This deployment serves the "${config.environment}" environment; create "${environment}" credentials in that environment's deployment.`,
    );
  }
  const credential = await updateOptimistically(store, projectId, (doc) => {
    const next = addCredential(projectId, doc, {
      label: body.label,
      environment,
      replace: body.replace ?? true,
      algorithm: body.algorithm,
      now: new Date(),
    });
    return { value: next.doc, result: next.credential };
  });
  logger.appendKeys({ credential_id: credential.credential_id });
  // The only response that ever carries the value.
  return jsonResult(201, { credential: metadataOf(credential), secret: credential.secret });
};

/** Sets or clears the project's own allowed origins, in the same secret as its keys (one read serves both). */
const setOrigins = async (projectId: string, origins: string[] | undefined) => {
  const saved = await updateOptimistically(store, projectId, (doc) => {
    const value = setAllowedOrigins(projectId, doc, origins);
    return { value, result: value.allowed_origins ?? null };
  });
  return jsonResult(200, { allowed_origins: saved });
};

/** Token Signing Secrets of a project: create (value shown once), list (metadata only), revoke; and its allowed origins. */
const credentials = async (event: CredentialsEvent): Promise<HttpResult> => {
  const { project_id: projectId, credential_id: credentialId } = event.pathParameters;
  logger.appendKeys({ project_id: projectId });
  switch (event.routeKey) {
    case 'POST /v1/projects/{project_id}/credentials':
      return create(projectId, event.body!);
    case 'GET /v1/projects/{project_id}/credentials': {
      const doc = await store.read(projectId);
      return jsonResult(200, { credentials: (doc?.value.credentials ?? []).map(metadataOf) });
    }
    case 'GET /v1/projects/{project_id}/allowed-origins': {
      const doc = await store.read(projectId);
      // null: the project has no list of its own, and the deployment's allowedOrigins apply.
      return jsonResult(200, { allowed_origins: doc?.value.allowed_origins ?? null });
    }
    case 'PUT /v1/projects/{project_id}/allowed-origins':
      return setOrigins(projectId, event.body!.origins);
    case 'DELETE /v1/projects/{project_id}/allowed-origins':
      return setOrigins(projectId, undefined);
    default: {
      logger.appendKeys({ credential_id: credentialId });
      await updateOptimistically(store, projectId, (doc) => ({
        value: revokeCredential(doc, credentialId!, new Date()),
        result: undefined,
      }));
      return { statusCode: 204 };
    }
  }
};

export const handler = httpPipeline(credentials, {
  validateEvent,
  fieldRules,
  maxBodyBytes: 4096,
});
