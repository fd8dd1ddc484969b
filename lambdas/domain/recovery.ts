import { isbot } from 'isbot';
import type { LinkRecord, StoredEntry } from './ports';
import { linkDigest } from './link-digest';

/**
 * What the request lines say a link's campaign is when it was minted without
 * one. The id grammar has no parentheses, so no campaign can be named so.
 */
export const NO_CAMPAIGN = '(none)';

/** The campaign a link's lines name: its own, or NO_CAMPAIGN. */
export const lineCampaign = (record: Pick<LinkRecord, 'campaign'> | undefined): string => record?.campaign ?? NO_CAMPAIGN;

/**
 * A resume this soon after the mint is a mail scanner's, not a person's: people do not read an email that fast.
 * The default of the EARLY_RESUME_SECONDS setting, which the local runtime lowers.
 */
export const EARLY_RESUME_SECONDS = 30;

/**
 * Whether a User-Agent announces an automated client: crawlers and bots,
 * headless browsers (Google's scanner runs HeadlessChrome), link previews, the
 * mail security scanners that open links before the recipient does (Microsoft
 * Safe Links, Mimecast, Proofpoint, Barracuda) and HTTP libraries. Judged by
 * the maintained `isbot` list, not a pattern of our own (a phone named
 * "CUBOT X30" is a person). A scanner that poses as a desktop browser is not
 * caught here: the clients' Continue button (sr_confirm) is what keeps it from
 * using up a single-use link.
 */
export const isAutomatedAgent = (userAgent: string | undefined): boolean => userAgent !== undefined && isbot(userAgent);

/**
 * The campaign hand-off links are minted in (domain/handoff.ts). A person
 * opens such a link seconds after the page showed its QR code, so its age
 * never makes a resume `early`: only an automated User-Agent does.
 */
export const HANDOFF_CAMPAIGN = 'handoff';

/** How a successful resume is counted: `early` ones (scanners, bots) apart from the people's. */
export type ResumeKind = 'human' | 'early';

/** For metrics only: a resume within `earlySeconds` of the mint, or by an automated client, is `early`. It exempts nothing from a link's single use. */
export const classifyResume = (linkAgeSeconds: number | undefined, userAgent: string | undefined, earlySeconds = EARLY_RESUME_SECONDS): ResumeKind =>
  (linkAgeSeconds !== undefined && linkAgeSeconds < earlySeconds) || isAutomatedAgent(userAgent) ? 'early' : 'human';

/** What a resume learnt of its link from the entry it read: nothing at all when the entry keeps no record of it. */
export interface ResumeAttribution {
  readonly record?: LinkRecord;
  /** Whole seconds since the mint (never negative). */
  readonly linkAgeSeconds?: number;
  readonly kind: ResumeKind;
  /** The campaign its request line names (lineCampaign). */
  readonly campaign: string;
}

/**
 * Attributes a verified resume: the link's record is found by the digest of
 * the token that verified, in the entry already read, so the campaign comes
 * from what mint stored, never from the request.
 */
export const attributeResume = (
  entry: StoredEntry,
  token: string,
  nowMs: number,
  userAgent: string | undefined,
  earlySeconds = EARLY_RESUME_SECONDS,
): ResumeAttribution => {
  const record = entry.links?.[linkDigest(token)];
  const linkAgeSeconds = record === undefined ? undefined : Math.max(0, Math.floor(nowMs / 1000) - record.mintedAt);
  const kind = classifyResume(record?.campaign === HANDOFF_CAMPAIGN ? undefined : linkAgeSeconds, userAgent, earlySeconds);
  return { record, linkAgeSeconds, kind, campaign: lineCampaign(record) };
};

/**
 * The request line's account of a successful resume: `human` or `early`, holding
 * its link's campaign (or `(none)`; the Resumes and EarlyResumes metric filters
 * count the lines that have the field), and `link_age_s`. A person's resume of a link minted
 * without a campaign, or of one the entry keeps no record of (signed by a
 * provider's template, or older than the 20 most recent), adds nothing: most
 * resumes are of such links, and their line stays as short as before, so the
 * resume cost budget holds for them. The User-Agent itself is never logged.
 */
export const resumeLogKeys = ({ record, linkAgeSeconds, kind, campaign }: ResumeAttribution): Record<string, string | number | undefined> =>
  record?.campaign === undefined && kind === 'human' ? {} : { [kind]: campaign, link_age_s: linkAgeSeconds };

/** How long after a resume a completion is still attributed to its campaign. */
export const COMPLETION_WINDOW_SECONDS = 7 * 86_400;

/** An entry's last human resume through a link minted with a campaign. */
export interface LastResume {
  readonly projectId: string;
  readonly campaign: string;
  /** Epoch seconds. */
  readonly resumedAt: number;
}

/** Where resumes are noted for completions to be attributed: apart from the entry, which a resume never writes. */
export interface ResumeNotes {
  /**
   * Replaces the entry's last resume and, the first time the entry is resumed
   * by a person through a link of this campaign, adds one to the campaign's
   * `entriesResumed`, in one atomic step: an entry is counted once per
   * campaign, and a completion can only be attributed to a campaign that
   * counted its entry. The note is kept until `keepUntil` (epoch seconds; the
   * entry's retention), or for good when undefined. May throw; the resume is
   * answered anyway, and then nothing was written.
   */
  noteResume(entryId: string, resume: LastResume, keepUntil: number | undefined): Promise<void>;
}

/** A campaign's recovery figures, exact, over its whole life: counters in the table, never metrics. */
export interface CampaignFigures {
  readonly campaign: string;
  /** Links mint handed out with this campaign (a batch's minted rows; a link mint did not answer is not counted). */
  readonly linksMinted: number;
  /** Entries resumed by a person through a link of this campaign, each counted once. */
  readonly entriesResumed: number;
  /** Entries whose first completion was attributed to this campaign. */
  readonly completions: number;
}

/**
 * The recovery rate: of the entries people came back to through the campaign's
 * links, the share that were then completed. Never above 1: a completion is
 * attributed to a campaign only through a note that the same atomic write
 * counted in `entriesResumed`, and an entry completes once. Null before any
 * entry was resumed.
 */
export const recoveryRate = (f: Pick<CampaignFigures, 'entriesResumed' | 'completions'>): number | null =>
  f.entriesResumed === 0 ? null : f.completions / f.entriesResumed;

/** A project's campaigns in name order, a page at a time. */
export interface CampaignPage {
  readonly campaigns: readonly CampaignFigures[];
  /** The last campaign of this page, to ask for the next with; absent on the last page. */
  readonly next?: string;
}

/** The campaigns' counters, in the table. */
export interface CampaignCounters {
  /** Adds `count` links to the campaign's `linksMinted`: one write, whatever the count (a batch's). */
  addLinksMinted(projectId: string, campaign: string, count: number): Promise<void>;
  /** The campaign's figures, read strongly consistently; undefined when nothing was ever counted for it. */
  read(projectId: string, campaign: string): Promise<CampaignFigures | undefined>;
  /** Up to `limit` of the project's campaigns whose names sort after `after`. */
  list(projectId: string, limit: number, after?: string): Promise<CampaignPage>;
}

/** The resume a completion is attributed to, if it was noted, is still within the window, and not from another project. */
export const attributableResume = (resume: LastResume | undefined, projectId: string, nowMs: number): LastResume | undefined =>
  resume !== undefined && resume.projectId === projectId && nowMs / 1000 < resume.resumedAt + COMPLETION_WINDOW_SECONDS ? resume : undefined;

/** An entry's completion: the first one recorded, attributed once and for all. */
export interface Completion {
  /** ISO 8601. */
  readonly completedAt: string;
  /** The campaign of the resume it was attributed to. */
  readonly campaign?: string;
  /** False when the entry had been completed before: nothing was written, and it is not counted again. */
  readonly first: boolean;
}

export interface CompletionStore {
  /**
   * Records that the entry's flow was finished, attributed to its last noted
   * resume (attributableResume), unless it was recorded before; an attributed
   * first completion adds one to its campaign's `completions` in the same
   * atomic write. Undefined when
   * the project has no such entry.
   */
  completeEntry(entryId: string, projectId: string, now: Date): Promise<Completion | undefined>;
}
