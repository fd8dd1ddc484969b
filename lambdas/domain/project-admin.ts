/**
 * The admin use cases on a project's secret (the credentials Lambda): its Token
 * Signing Secrets, its own allowed origins and its browser-saves setting. Every
 * write goes through `writeProject`: the project's id into the project index
 * first, so no project ever has keys without being listed there (a listed id
 * without a secret costs only a read that finds none).
 */
import { invalidRequest } from './errors';
import { updateOptimistically } from './optimistic-update';
import { publicSuffixWildcardProblem, publicSuffixWildcards } from './origin-wildcards';
import type { ProjectIndexWriter, VersionedStore } from './ports';
import {
  addCredential,
  type ActiveCredential,
  type CredentialMetadata,
  metadataOf,
  type NewCredential,
  type ProjectSecretDocument,
  resumePolicyOf,
  revokeCredential,
  setAllowedOrigins,
  setBrowserSaves,
  setResumePolicy,
} from './project-keys';
import { isCountry } from './number-plan';
import type { ResumePolicy } from './resume-policy';

export interface ProjectAdminDeps {
  readonly store: VersionedStore<ProjectSecretDocument>;
  readonly index: ProjectIndexWriter;
  /** The deployment's environment: it creates, lists and revokes only its own credentials. */
  readonly environment: string;
  readonly now: () => Date;
}

/** A project's browser-saves setting as the API shows it. */
export interface BrowserSavesSetting {
  readonly enabled: boolean;
  readonly sms_countries: readonly string[];
}

const browserSavesOf = (doc: ProjectSecretDocument | undefined): BrowserSavesSetting => ({
  enabled: doc?.browser_saves ?? false,
  sms_countries: doc?.sms_countries ?? [],
});

/**
 * The environment a new credential is for: the deployment's own, which it is
 * when the request names none. Another environment's credentials are created in
 * that environment's deployment (400 here).
 */
export const credentialEnvironment = (requested: string | undefined, deployment: string): string => {
  const environment = requested ?? deployment;
  if (environment !== deployment) {
    throw invalidRequest(`this deployment serves the "${deployment}" environment; create "${environment}" credentials in that environment's deployment`);
  }
  return environment;
};

export type NewCredentialRequest = Omit<NewCredential, 'environment' | 'now' | 'replace'> & { readonly environment?: string; readonly replace?: boolean };

export const projectAdmin = (deps: ProjectAdminDeps) => {
  const writeProject = async <R>(
    projectId: string,
    change: (current: ProjectSecretDocument | undefined) => { value: ProjectSecretDocument; result: R },
  ): Promise<R> => {
    await deps.index.add(projectId);
    return updateOptimistically(deps.store, projectId, change);
  };
  const read = async (projectId: string) => (await deps.store.read(projectId))?.value;

  return {
    /** Creates a credential (`replace`, by default, revokes the project's others of its kind); the value is in this result only. */
    createCredential: async (projectId: string, request: NewCredentialRequest): Promise<{ credential: ActiveCredential; revoked: string[] }> => {
      const environment = credentialEnvironment(request.environment, deps.environment);
      return writeProject(projectId, (doc) => {
        const next = addCredential(projectId, doc, { ...request, environment, replace: request.replace ?? true, now: deps.now() });
        return { value: next.doc, result: { credential: next.credential, revoked: next.revoked } };
      });
    },
    /** This environment's credentials: another environment sharing the secret prefix keeps its own in the same secret. */
    listCredentials: async (projectId: string): Promise<CredentialMetadata[]> =>
      ((await read(projectId))?.credentials ?? []).filter((c) => c.environment === deps.environment).map(metadataOf),
    revokeCredential: async (projectId: string, credentialId: string): Promise<void> =>
      writeProject(projectId, (doc) => ({ value: revokeCredential(doc, credentialId, deps.now(), deps.environment), result: undefined })),
    /** null: the project has no list of its own, and the deployment's allowedOrigins apply. */
    allowedOrigins: async (projectId: string): Promise<readonly string[] | null> => (await read(projectId))?.allowed_origins ?? null,
    /** Sets (or, with undefined, clears) the project's own allowed origins, in the same secret as its keys (one read serves both). */
    setAllowedOrigins: async (projectId: string, origins: readonly string[] | undefined): Promise<readonly string[] | null> => {
      const covering = publicSuffixWildcards(origins ?? []);
      if (covering.length > 0) throw invalidRequest(`origins: ${publicSuffixWildcardProblem(covering)}`);
      return writeProject(projectId, (doc) => {
        const value = setAllowedOrigins(projectId, doc, origins, deps.environment);
        return { value, result: value.allowed_origins ?? null };
      });
    },
    browserSaves: async (projectId: string): Promise<BrowserSavesSetting> => browserSavesOf(await read(projectId)),
    /** Stored in the project's secret, so the one read that fetches its keys also fetches this flag and the SMS countries. */
    setBrowserSaves: async (projectId: string, enabled: boolean, smsCountries: readonly string[] = []): Promise<BrowserSavesSetting> => {
      const unknown = smsCountries.filter((c) => !isCountry(c));
      if (unknown.length > 0) throw invalidRequest(`sms_countries must name countries by their ISO 3166 alpha-2 codes, and ${unknown.join(', ')} names none`);
      return writeProject(projectId, (doc) => {
        const value = setBrowserSaves(projectId, doc, enabled, smsCountries, deps.environment);
        return { value, result: browserSavesOf(value) };
      });
    },
    resumePolicy: async (projectId: string, flowId: string) => resumePolicyOf(await read(projectId), flowId),
    /**
     * Sets (or, empty, clears) a flow's resume policy. Kept in the project's secret, so the one read that fetches the
     * project's keys on the resume path also fetches it: a change takes effect within the key cache's TTL.
     */
    setResumePolicy: async (projectId: string, flowId: string, policy: ResumePolicy) =>
      writeProject(projectId, (doc) => {
        const value = setResumePolicy(projectId, doc, flowId, policy, deps.environment);
        return { value, result: resumePolicyOf(value, flowId) };
      }),
  };
};
