import type { KeySet, SigningKeySource } from '../ports';
import type { SecretsManagerLegacyKeyReader } from './secrets-manager-legacy-key-store';

/** The legacy contract's keys: one imported key per flow, or none. Never a project Token Signing Secret. */
export class LegacyKeySource implements SigningKeySource {
  constructor(private readonly store: SecretsManagerLegacyKeyReader) {}

  async loadKeys(flowId: string): Promise<KeySet> {
    const doc = await this.store.read(flowId);
    return { keys: doc ? [{ id: `legacy:${flowId}`, secret: doc.secret, algorithm: 'sha256' }] : [] };
  }
}
