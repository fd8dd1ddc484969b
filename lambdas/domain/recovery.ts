import { isbot } from 'isbot';
import type { LinkRecord, StoredEntry } from './ports';
import { linkDigest } from './link-digest';

/**
 * The `campaign` dimension of the recovery metrics for links minted without a
 * campaign. The id grammar has no parentheses, so no campaign can be named so.
 */
export const NO_CAMPAIGN = '(none)';
/** The `campaign` dimension of links whose campaign came beyond the month's cap on counted campaigns. */
export const OTHER_CAMPAIGNS = '(other)';

/** The value a link is counted under in LinksMinted, Resumes, EarlyResumes and Completions. */
export const campaignDimension = (record: Pick<LinkRecord, 'campaign' | 'counted'> | undefined): string =>
  record?.campaign === undefined ? NO_CAMPAIGN : record.counted === false ? OTHER_CAMPAIGNS : record.campaign;

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
  /** The `campaign` dimension of its metrics. */
  readonly dimension: string;
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
  return { record, linkAgeSeconds, kind: classifyResume(linkAgeSeconds, userAgent, earlySeconds), dimension: campaignDimension(record) };
};

/** The calendar month (UTC) a campaign is counted in, e.g. `2026-12`. */
export const campaignMonth = (nowMs: number): string => new Date(nowMs).toISOString().slice(0, 7);

/** The deployment-wide list of campaigns counted each month. */
export interface CampaignRegistry {
  /**
   * Adds `campaign` to the month's list unless the list already holds `cap`
   * others, in one conditional write. True when the campaign is on the list.
   */
  admit(month: string, campaign: string, cap: number): Promise<boolean>;
}

/**
 * Whether a campaign is counted under its own name this month, asking the
 * registry only for a campaign this instance has not seen this month: a
 * campaign stays on the list once admitted, and a full list never shrinks.
 */
export const campaignCounter = (registry: CampaignRegistry, cap: number) => {
  let month = '';
  let known = new Map<string, boolean>();
  return async (campaign: string, nowMs: number): Promise<boolean> => {
    const current = campaignMonth(nowMs);
    if (current !== month) {
      month = current;
      known = new Map();
    }
    const seen = known.get(campaign);
    if (seen !== undefined) return seen;
    const counted = await registry.admit(current, campaign, cap);
    known.set(campaign, counted);
    return counted;
  };
};

/**
 * The request line's account of a successful resume: `human` or `early`, holding
 * the campaign dimension it is counted under (the Resumes and EarlyResumes
 * metric filters read it), `link_age_s`, and `campaign` only where the
 * dimension does not name it (`(other)`). A person's resume of a link minted
 * without a campaign, or of one the entry keeps no record of (signed by a
 * provider's template, or older than the 20 most recent), adds nothing: most
 * resumes are of such links, and their line stays as short as before, so the
 * resume cost budget holds for them. The User-Agent itself is never logged.
 */
export const resumeLogKeys = ({ record, linkAgeSeconds, kind, dimension }: ResumeAttribution): Record<string, string | number | undefined> =>
  record?.campaign === undefined && kind === 'human'
    ? {}
    : { [kind]: dimension, link_age_s: linkAgeSeconds, campaign: record?.campaign === dimension ? undefined : record?.campaign };

/** How long after a resume a completion is still attributed to its campaign. */
export const COMPLETION_WINDOW_SECONDS = 7 * 86_400;

/** An entry's last human resume through a link minted with a campaign. */
export interface LastResume {
  readonly projectId: string;
  readonly campaign: string;
  readonly counted: boolean;
  /** Epoch seconds. */
  readonly resumedAt: number;
}

/** Where resumes are noted for completions to be attributed: apart from the entry, which a resume never writes. */
export interface ResumeNotes {
  /** Replaces the entry's last resume. May throw; the resume is answered anyway. */
  noteResume(entryId: string, resume: LastResume): Promise<void>;
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
  readonly counted?: boolean;
  /** False when the entry had been completed before: nothing was written, and it is not counted again. */
  readonly first: boolean;
}

export interface CompletionStore {
  /**
   * Records that the entry's flow was finished, attributed to its last noted
   * resume (attributableResume), unless it was recorded before. Undefined when
   * the project has no such entry.
   */
  completeEntry(entryId: string, projectId: string, now: Date): Promise<Completion | undefined>;
}
