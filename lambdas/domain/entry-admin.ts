/**
 * The admin use cases on entries (the entries Lambda): save progress from a
 * backend, read it back, erase it, revoke its links, record its completion, and
 * read a project's campaigns. Retention and tenancy are decided here: each save
 * keeps the entry `retentionDays` from now, an erased entry's tombstone outlives
 * every link minted through the product, and a project sees only its own entries.
 */
import { validateUserData } from './entries';
import { ApiError } from './errors';
import type { EntryStore, StoredEntry } from './ports';
import type { CampaignCounters, CampaignFigures, CampaignPage, Completion, CompletionStore } from './recovery';

export interface EntryAdminDeps {
  readonly entries: EntryStore & CompletionStore;
  readonly campaigns: CampaignCounters;
  /** Days an entry is kept after its last save (ENTRY_RETENTION_DAYS). */
  readonly retentionDays: number;
  /** The longest a link minted through the product lives (MINT_MAX_LIFETIME_SECONDS): an erased entry's tombstone outlives every one. */
  readonly linkMaxLifetimeSeconds: number;
  readonly now: () => Date;
}

/** What a backend saves: an entry's progress, without its retention, which the save sets. */
export type EntrySave = Pick<StoredEntry, 'entryId' | 'projectId' | 'flowId' | 'currentPageKey' | 'userData'>;

const notFound = () => new ApiError('entry_not_found', 'No entry with this id in this project.');

const epochSeconds = (date: Date): number => Math.floor(date.getTime() / 1000);

/** When an entry saved at `now` is deleted (epoch seconds): `retentionDays` later. */
export const retainUntil = (now: Date, retentionDays: number): number => epochSeconds(now) + Math.round(retentionDays * 86_400);

export const entryAdmin = (deps: EntryAdminDeps) => ({
  /** Creates (`created`) or updates the entry; an id another project or flow uses is a 409, as entries are never moved. */
  saveEntry: async (entry: EntrySave): Promise<{ created: boolean; entry: StoredEntry }> => {
    validateUserData(entry.userData);
    const now = deps.now();
    const saved = await deps.entries.saveEntry({ ...entry, retainUntil: retainUntil(now, deps.retentionDays) }, now);
    if (saved === 'conflict') throw new ApiError('conflict', 'This entry id is already used by another project or flow; entries are never moved.');
    return saved;
  },
  /** The project's entry; another project's is not found, as a missing one. */
  getEntry: async (entryId: string, projectId: string): Promise<StoredEntry> => {
    const entry = await deps.entries.getEntry(entryId);
    if (!entry || entry.projectId !== projectId) throw notFound();
    return entry;
  },
  eraseEntry: async (entryId: string, projectId: string): Promise<void> => {
    const now = deps.now();
    if (!(await deps.entries.deleteEntry(entryId, projectId, now, epochSeconds(now) + deps.linkMaxLifetimeSeconds))) throw notFound();
  },
  /** Every link issued so far stops working: the instant after which links are valid again. */
  revokeLinks: async (entryId: string, projectId: string): Promise<Date> => {
    const now = deps.now();
    if (!(await deps.entries.revokeLinks(entryId, projectId, now))) throw notFound();
    return now;
  },
  completeEntry: async (entryId: string, projectId: string): Promise<Completion> => {
    const completion = await deps.entries.completeEntry(entryId, projectId, deps.now());
    if (!completion) throw notFound();
    return completion;
  },
  listCampaigns: (projectId: string, limit: number, after?: string): Promise<CampaignPage> => deps.campaigns.list(projectId, limit, after),
  getCampaign: async (projectId: string, campaign: string): Promise<CampaignFigures> => {
    const figures = await deps.campaigns.read(projectId, campaign);
    if (!figures) throw new ApiError('not_found', `No link was ever minted in campaign ${campaign} of this project.`);
    return figures;
  },
});
