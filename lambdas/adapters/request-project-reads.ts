import type { Versioned } from '../domain/ports';
import type { ProjectSecretDocument } from '../domain/project-keys';
import type { SecretsManagerProjectReader } from './secrets-manager-project-store';

type ProjectRead = Promise<Versioned<ProjectSecretDocument> | undefined>;

/**
 * Reads of project secrets, of which the latest made since the current request
 * began can be taken again within that request. A link request (or hand-off)
 * on a new instance reads its project's secret for the key cache (admission:
 * browser saves, origins) and then, for mint, the newest key "fresh"; when the
 * key cache read it moments ago for this very request, mint takes that read
 * instead of a second GetSecretValue of the same secret. A read made before
 * the request began is never taken: `begin` forgets it, so a later request's
 * mint reads again, and a key replaced in between never signs.
 *
 * With requests in flight together (the local runtime, or a timed-out one that
 * runs on), the read kept is one made after the latest `begin`, so after every
 * request in flight began: taking it is never older than the request's own read.
 */
export class RequestProjectReads {
  private latest?: { readonly projectId: string; readonly read: ProjectRead };

  constructor(private readonly reader: Pick<SecretsManagerProjectReader, 'read'>) {}

  /** A request begins: no read made before now is taken again. */
  begin(): void {
    this.latest = undefined;
  }

  /** A new read of the project's secret, which `sinceBegin` may take later in the same request. */
  read(projectId: string): ProjectRead {
    const read = this.reader.read(projectId);
    this.latest = { projectId, read };
    return read;
  }

  /** The project's secret as read since the request began: that read if there was one and it succeeded, a new one otherwise. */
  async sinceBegin(projectId: string): ProjectRead {
    const latest = this.latest;
    if (latest?.projectId === projectId) {
      try {
        return await latest.read;
      } catch {
        // Its caller saw the failure (and may have served cached keys): this read tries again.
      }
    }
    return this.read(projectId);
  }
}
