import { dynamodb, secretsManager } from '../adapters/clients';
import { DynamoDbProjectIndex } from '../adapters/dynamodb-project-index';
import { SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import { runTimeSecretOptions } from '../adapters/secret-read-policy';
import { setting } from '../runtime/environment';
import { invalidRequest } from '../domain/errors';
import { updateOptimistically } from '../domain/optimistic-update';
import { publicSuffixWildcardProblem, publicSuffixWildcards } from '../domain/origin-wildcards';
import {
  addCredential,
  metadataOf,
  type ProjectSecretDocument,
  resumePolicyOf,
  revokeCredential,
  setAllowedOrigins,
  setBrowserSaves,
  setResumePolicy,
} from '../domain/project-keys';
import type { ResumePolicy } from '../domain/resume-policy';
import { isCountry } from '../domain/recipients';
import { httpPipeline } from '../http/pipeline';
import { dispatch, type RouteHandlers, routeValidator } from '../http/route-schema';
import { jsonResult } from '../http/types';
import { logger } from '../runtime/logger';
import { fieldRules, routeSchemas } from './schema';
import { routeValidators } from './validators.gen.js';

const config = {
  secretPrefix: setting('SECRET_PREFIX'),
  environment: setting('DEPLOYMENT_ENVIRONMENT'),
  tableName: setting('TABLE_NAME'),
};

const store = new SecretsManagerProjectStore(secretsManager, config.secretPrefix, runTimeSecretOptions(setting('SECRET_READER_ARNS'), setting('SECRET_TAGS')));
const projectIndex = new DynamoDbProjectIndex(dynamodb, config.tableName);

/**
 * Every write to a project's secret. The project's id goes into the project
 * index first, so no project ever has keys without being listed there (a
 * listed id without a secret costs only a read that finds none).
 */
const writeProject = async <R>(
  projectId: string,
  change: (current: ProjectSecretDocument | undefined) => { value: ProjectSecretDocument; result: R },
): Promise<R> => {
  await projectIndex.add(projectId);
  return updateOptimistically(store, projectId, change);
};

/** Sets or clears the project's own allowed origins, in the same secret as its keys (one read serves both). */
const setOrigins = async (projectId: string, origins: readonly string[] | undefined) => {
  const covering = publicSuffixWildcards(origins ?? []);
  if (covering.length > 0) throw invalidRequest(`origins: ${publicSuffixWildcardProblem(covering)}`);
  const saved = await writeProject(projectId, (doc) => {
    const value = setAllowedOrigins(projectId, doc, origins, config.environment);
    return { value, result: value.allowed_origins ?? null };
  });
  return jsonResult(200, { allowed_origins: saved });
};

/**
 * Sets (or, empty, clears) a flow's resume policy. Kept in the project's secret, so the one read that fetches the
 * project's keys on the resume path also fetches it: a change takes effect within the key cache's TTL.
 */
const setPolicy = async (projectId: string, flowId: string, policy: ResumePolicy) => {
  logger.appendKeys({ flow_id: flowId });
  const saved = await writeProject(projectId, (doc) => {
    const value = setResumePolicy(projectId, doc, flowId, policy, config.environment);
    return { value, result: resumePolicyOf(value, flowId) };
  });
  return jsonResult(200, { flow_id: flowId, ...saved });
};

/** A project's browser-saves setting as the API shows it. */
const browserSavesOf = (doc: ProjectSecretDocument | undefined) => ({ enabled: doc?.browser_saves ?? false, sms_countries: doc?.sms_countries ?? [] });

const inProject = (projectId: string): string => {
  logger.appendKeys({ project_id: projectId });
  return projectId;
};

/** Token Signing Secrets of a project: create (value shown once), list (metadata only), revoke; and its allowed origins. */
const routes: RouteHandlers<'credentials', typeof routeSchemas> = {
  createCredential: async ({ pathParameters, body }) => {
    const projectId = inProject(pathParameters.project_id);
    const environment = body.environment ?? config.environment;
    if (environment !== config.environment) {
      throw invalidRequest(
        `this deployment serves the "${config.environment}" environment; create "${environment}" credentials in that environment's deployment`,
      );
    }
    const { credential, revoked } = await writeProject(projectId, (doc) => {
      const next = addCredential(projectId, doc, {
        label: body.label,
        environment,
        replace: body.replace ?? true,
        algorithm: body.algorithm,
        provider: body.provider,
        now: new Date(),
      });
      return { value: next.doc, result: next };
    });
    logger.appendKeys({ credential_id: credential.credential_id });
    // The only response that ever carries the value. `revoked_credential_ids`: what `replace` revoked, often none.
    return jsonResult(201, { credential: metadataOf(credential), secret: credential.secret, revoked_credential_ids: revoked });
  },
  listCredentials: async ({ pathParameters }) => {
    const doc = await store.read(inProject(pathParameters.project_id));
    // This environment's credentials: another environment sharing the secret prefix keeps its own in the same secret.
    const own = (doc?.value.credentials ?? []).filter((c) => c.environment === config.environment);
    return jsonResult(200, { credentials: own.map(metadataOf) });
  },
  revokeCredential: async ({ pathParameters }) => {
    const projectId = inProject(pathParameters.project_id);
    logger.appendKeys({ credential_id: pathParameters.credential_id });
    await writeProject(projectId, (doc) => ({
      value: revokeCredential(doc, pathParameters.credential_id, new Date(), config.environment),
      result: undefined,
    }));
    return { statusCode: 204 };
  },
  getAllowedOrigins: async ({ pathParameters }) => {
    const doc = await store.read(inProject(pathParameters.project_id));
    // null: the project has no list of its own, and the deployment's allowedOrigins apply.
    return jsonResult(200, { allowed_origins: doc?.value.allowed_origins ?? null });
  },
  setAllowedOrigins: async ({ pathParameters, body }) => {
    const origins = body.allowed_origins ?? body.origins;
    if (origins === undefined || (body.allowed_origins !== undefined && body.origins !== undefined)) {
      throw invalidRequest(`allowed_origins is required (or origins, its older name, but not both) and ${fieldRules.allowed_origins}`);
    }
    return setOrigins(inProject(pathParameters.project_id), origins);
  },
  clearAllowedOrigins: async ({ pathParameters }) => setOrigins(inProject(pathParameters.project_id), undefined),
  getBrowserSaves: async ({ pathParameters }) => {
    const doc = await store.read(inProject(pathParameters.project_id));
    return jsonResult(200, browserSavesOf(doc?.value));
  },
  // Stored in the project's secret, so the one read that fetches its keys also fetches this flag and the SMS countries.
  setBrowserSaves: async ({ pathParameters, body }) => {
    const projectId = inProject(pathParameters.project_id);
    const unknown = (body.sms_countries ?? []).filter((c) => !isCountry(c));
    if (unknown.length > 0) throw invalidRequest(`sms_countries must name countries by their ISO 3166 alpha-2 codes, and ${unknown.join(', ')} names none`);
    const saved = await writeProject(projectId, (doc) => {
      const value = setBrowserSaves(projectId, doc, body.enabled, body.sms_countries ?? [], config.environment);
      return { value, result: browserSavesOf(value) };
    });
    return jsonResult(200, saved);
  },
  getResumePolicy: async ({ pathParameters }) => {
    const doc = await store.read(inProject(pathParameters.project_id));
    return jsonResult(200, { flow_id: pathParameters.flow_id, ...resumePolicyOf(doc?.value, pathParameters.flow_id) });
  },
  setResumePolicy: async ({ pathParameters, body }) =>
    setPolicy(inProject(pathParameters.project_id), pathParameters.flow_id, { withheld_fields: body.withheld_fields, verify_field: body.verify_field }),
  clearResumePolicy: async ({ pathParameters }) => setPolicy(inProject(pathParameters.project_id), pathParameters.flow_id, { withheld_fields: [] }),
};

export const handler = httpPipeline(dispatch(routes), {
  validateEvent: routeValidator<'credentials'>(routeValidators),
  fieldRules,
  maxBodyBytes: 4096,
});
