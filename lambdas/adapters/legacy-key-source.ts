import type { KeySet, SigningKeySource } from '../domain/ports';
import type { SecretsManagerLegacyKeyReader } from './secrets-manager-legacy-key-store';
import type { SecretsManagerProjectReader } from './secrets-manager-project-store';

/**
 * The legacy contract's keys: one imported key per flow, or none. Never a project
 * Token Signing Secret. The key was imported for one project, whose allowed
 * origins and resume policies apply: the project's secret is read for those alone.
 */
export class LegacyKeySource implements SigningKeySource {
  readonly scope = 'flow_id';

  constructor(
    private readonly legacyKeys: SecretsManagerLegacyKeyReader,
    private readonly projects: SecretsManagerProjectReader,
  ) {}

  async loadKeys(flowId: string): Promise<KeySet> {
    const doc = await this.legacyKeys.read(flowId);
    if (!doc) return { keys: [] };
    const project = (await this.projects.read(doc.project_id))?.value;
    return {
      keys: [{ id: `legacy:${flowId}`, secret: doc.secret, algorithm: 'sha256' }],
      projectId: doc.project_id,
      allowedOrigins: project?.allowed_origins,
      // The project's resume policies apply on this contract too: its withheld fields are never answered here either.
      resumePolicies: project?.resume_policies,
    };
  }
}
