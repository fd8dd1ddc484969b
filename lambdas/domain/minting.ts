import { ApiError, invalidRequest, isApiError, UnavailableError } from './errors';
import { parseExpiresAt } from './grammar';
import { linkDigest } from './link-digest';
import { buildResumeUrl, checkResumeUrlOrigin, type MintPolicy, type MintRequest, type MintResult, mintLink, noActiveCredential, resolveExpiry } from './mint';
import { type MintProject, namesItsOrigins } from './project-keys';
import { LINK_UNAVAILABLE, type LinkOwner, type LinkRecord, type LinkRegistry, type LinkTarget, MAX_ALLOWED_LINKS, MAX_PAGE_LINKS } from './ports';
import { invalidSaveToken } from './save-token';
import { generateShortCode, type ShortLink, type ShortLinkStore } from './short-links';

/** Most links one batch mints: 500 rows make five reads of 100 entries, well inside a request's deadline (runtime/deadline.ts). */
export const MAX_BATCH_LINKS = 500;

/** What minting needs from outside the domain. */
export interface MintDependencies {
  /**
   * The project's newest active key in this deployment's environment, and its
   * own allowed origins: one read of the project's secret, never cached, so a
   * key revoked a moment ago never signs.
   */
  readonly project: (projectId: string) => Promise<MintProject | undefined>;
  readonly links: LinkRegistry;
  readonly shortLinks: ShortLinkStore;
  /** The public URL a short code is served at. */
  readonly shortUrl: (code: string) => string;
}

/** What both routes take beyond a link's own fields. */
interface LinkOptions {
  /** The campaign the link is sent in: recorded with the link (and its short link), for attribution. */
  readonly campaign?: string;
  /** Also store a short link (`short_url`) that redirects to `url`; needs `resume_url`. */
  readonly short?: boolean;
  /**
   * A link a page asked for (link-requests), with the save generation of the
   * page's token: recorded as a single-use page link, and minted only while
   * that generation is the entry's; `handoff` for a hand-off's (PageLinkRecord).
   */
  readonly page?: { readonly saveGen: string; readonly handoff?: boolean };
}

export type MintOneRequest = MintRequest & LinkOptions;

export interface MintOneResult extends MintResult {
  /** The entry's flow: the page the link opens posts it as flow_id. */
  readonly flow_id: string;
  /** Characters in `url`: above 160, the link alone fills more than one SMS segment. */
  readonly url_length?: number;
  readonly short_url?: string;
}

const entryNotFound = (req: Pick<MintRequest, 'project_id' | 'entry_id' | 'flow_id'>): ApiError => {
  const where = req.flow_id === undefined ? `project ${req.project_id}` : `project ${req.project_id}'s flow ${req.flow_id}`;
  return new ApiError('entry_not_found', `There is no entry ${req.entry_id} in ${where}: save it (PUT /v1/entries/{entry_id}) before minting a link to it.`);
};

/** The campaign the links a request mints are sent in, recorded with each. */
export interface Attribution {
  readonly campaign?: string;
}

/** What is recorded of a link minted at `now`. */
const linkRecord = (attribution: Attribution, now: number): LinkRecord => ({
  mintedAt: Math.floor(now / 1000),
  ...(attribution.campaign === undefined ? {} : { campaign: attribution.campaign }),
});

const tooManyLinks = (): ApiError =>
  new ApiError(
    'conflict',
    `This entry already has ${MAX_ALLOWED_LINKS} links minted since its links were revoked; revoke its links again to start a new list.`,
  );

const shortNeedsUrl = (short: boolean | undefined, resumeUrl: string | undefined): void => {
  if (short && resumeUrl === undefined) throw invalidRequest('short needs resume_url: a short link redirects to the full link');
};

/**
 * A project that lists its own origins has links open only there, as link
 * requests do: a `resume_url` elsewhere (and so a short link on the team's
 * domain redirecting elsewhere) is refused with 400. A project without a list
 * of its own, or one with a bare `*`, names no origins to hold it to.
 */
const checkResumeUrl = (resumeUrl: string | undefined, project: MintProject | undefined): void => {
  if (resumeUrl !== undefined && namesItsOrigins(project?.allowedOrigins)) checkResumeUrlOrigin(resumeUrl, project.allowedOrigins);
};

const shortLinkOf = (result: MintResult, owner: LinkOwner, campaign: string | undefined): ShortLink => ({
  code: generateShortCode(),
  url: result.url!,
  // mintLink checked the expiry's grammar, so it parses.
  expiresAt: Math.ceil(parseExpiresAt(result.expires_at)! / 1000),
  projectId: owner.projectId,
  entryId: result.entry_id,
  ...(campaign === undefined ? {} : { campaign }),
});

/**
 * Mints one link with the project's newest key. The entry must exist; the link
 * is recorded on it (its campaign and mint time and, after a revoke-links, its
 * place on the allow-list): one strongly consistent read, then one write.
 */
export const mintOne = async (req: MintOneRequest, deps: MintDependencies, policy: MintPolicy, attribution: Attribution = {}): Promise<MintOneResult> => {
  shortNeedsUrl(req.short, req.resume_url);
  const project = await deps.project(req.project_id);
  checkResumeUrl(req.resume_url, project);
  const result = mintLink(req, project?.key, policy);
  const owner = { projectId: req.project_id, flowId: req.flow_id };
  const page = req.page && {
    gen: req.page.saveGen,
    expiresAt: Math.ceil(parseExpiresAt(result.expires_at)! / 1000),
    handoff: req.page.handoff,
  };
  const target = await deps.links.allowLink(
    { entryId: req.entry_id, owner, digest: linkDigest(result.token), record: linkRecord(attribution, policy.now), ...(page ? { page } : {}) },
    new Date(policy.now),
  );
  if (!target) throw entryNotFound(req);
  if (target.pageRefusal?.reason === 'ended') throw invalidSaveToken();
  if (target.pageRefusal?.reason === 'full') {
    throw new ApiError(
      'too_many_link_requests',
      `This entry already has ${MAX_PAGE_LINKS} unused links that have not expired. Open one of them, or try again later.`,
      {
        retryAfterSeconds: Math.max(1, target.pageRefusal.freeAt - Math.floor(policy.now / 1000)),
      },
    );
  }
  if (!target.allowed) throw tooManyLinks();
  let shortUrl: string | undefined;
  if (req.short) {
    const link = shortLinkOf(result, owner, req.campaign);
    const [stored] = await deps.shortLinks.saveShortLinks([link]);
    if (!stored) throw new UnavailableError('ShortLinkNotStored');
    shortUrl = deps.shortUrl(link.code);
  }
  return {
    ...result,
    flow_id: target.flowId,
    ...(result.url === undefined ? {} : { url_length: result.url.length }),
    ...(shortUrl === undefined ? {} : { short_url: shortUrl }),
  };
};

/** A batch: settings for every link, and the links, each with its own entry (and optionally flow and expiry). */
export interface BatchMintRequest extends LinkOptions {
  readonly project_id: string;
  /** Every link's flow unless its row names one. */
  readonly flow_id?: string;
  readonly resume_url?: string;
  /** Every link's lifetime unless its row gives an `expires_at`. */
  readonly ttl_seconds?: number;
  /** Rows are checked one by one (`checkRow`): a bad row is answered with its error, and never fails the batch. */
  readonly links: readonly unknown[];
}

/** A row that passed `checkRow`. */
export interface BatchRow {
  readonly entry_id: string;
  readonly flow_id?: string;
  readonly expires_at?: string;
}

export interface BatchLink {
  readonly entry_id: string;
  readonly token: string;
  readonly expires_at: string;
  readonly url?: string;
  readonly short_url?: string;
}

export interface BatchError {
  /** The row's entry_id as sent; null when it sent none that is a string. */
  readonly entry_id: string | null;
  readonly error: { readonly code: string; readonly message: string };
}

export type BatchItem = BatchLink | BatchError;

type Pending = { readonly index: number; readonly row: BatchRow; readonly owner: LinkOwner; readonly result: MintResult };

const failure = (entryId: unknown, error: ApiError): BatchError => ({
  entry_id: typeof entryId === 'string' ? entryId : null,
  error: { code: error.code, message: error.message },
});

const unavailable = (entryId: string): BatchError =>
  failure(entryId, new ApiError('service_unavailable', 'The service is busy: this link was not minted. Retry it shortly.'));

/**
 * Mints every row of a batch with one read of the project's secret and one
 * batched read of the entries, then one write per link (its record), and answers each row in the order sent: a link,
 * or that row's error. Only what concerns every row (the batch's own fields,
 * a project with no key, the secret unreadable) fails the whole batch.
 *
 * @param checkRow returns why a row is malformed (a 400), or undefined
 */
export const mintBatch = async (
  req: BatchMintRequest,
  deps: MintDependencies,
  policy: MintPolicy,
  checkRow: (row: unknown) => ApiError | undefined,
  attribution: Attribution = {},
): Promise<BatchItem[]> => {
  shortNeedsUrl(req.short, req.resume_url);
  // The batch's own fields are checked before anything is signed, so a bad one is one 400, not a row error each.
  if (req.ttl_seconds !== undefined) resolveExpiry({ ttl_seconds: req.ttl_seconds }, policy);
  if (req.resume_url !== undefined) buildResumeUrl(req.resume_url, { token: '', entry_id: '', expires_at: '' });
  const project = await deps.project(req.project_id);
  checkResumeUrl(req.resume_url, project);
  const key = project?.key;
  // Every row would fail alike: the batch's error, not a row's.
  if (!key) throw noActiveCredential();

  const items: BatchItem[] = new Array<BatchItem>(req.links.length);
  const pending: Pending[] = [];
  req.links.forEach((raw, index) => {
    const problem = checkRow(raw);
    if (problem) {
      items[index] = failure((raw as { entry_id?: unknown } | null)?.entry_id, problem);
      return;
    }
    const row = raw as BatchRow;
    const flowId = row.flow_id ?? req.flow_id;
    try {
      const result = mintLink(
        {
          project_id: req.project_id,
          entry_id: row.entry_id,
          flow_id: flowId,
          // A row's own expiry wins over the batch's lifetime.
          ...(row.expires_at === undefined ? { ttl_seconds: req.ttl_seconds } : { expires_at: row.expires_at }),
          resume_url: req.resume_url,
        },
        key,
        policy,
      );
      pending.push({ index, row, owner: { projectId: req.project_id, flowId }, result });
    } catch (error) {
      if (!isApiError(error)) throw error;
      items[index] = failure(row.entry_id, error);
    }
  });

  const record = linkRecord(attribution, policy.now);
  const targets = await deps.links.allowLinks(
    pending.map((p) => ({ entryId: p.row.entry_id, owner: p.owner, digest: linkDigest(p.result.token), record })),
    new Date(policy.now),
  );
  const minted: Array<Pending & { readonly target: LinkTarget }> = [];
  pending.forEach((p, i) => {
    const target = targets[i];
    if (target === LINK_UNAVAILABLE) items[p.index] = unavailable(p.row.entry_id);
    else if (!target)
      items[p.index] = failure(p.row.entry_id, entryNotFound({ project_id: req.project_id, entry_id: p.row.entry_id, flow_id: p.owner.flowId }));
    else if (!target.allowed) items[p.index] = failure(p.row.entry_id, tooManyLinks());
    else minted.push({ ...p, target });
  });

  const shortLinks = req.short ? minted.map((m) => shortLinkOf(m.result, m.owner, req.campaign)) : [];
  const stored = shortLinks.length ? await deps.shortLinks.saveShortLinks(shortLinks) : [];
  minted.forEach((m, i) => {
    if (req.short && !stored[i]) {
      items[m.index] = unavailable(m.row.entry_id);
      return;
    }
    const { token, entry_id, expires_at, url } = m.result;
    items[m.index] = {
      entry_id,
      token,
      expires_at,
      ...(url === undefined ? {} : { url }),
      ...(req.short ? { short_url: deps.shortUrl(shortLinks[i].code) } : {}),
    };
  });
  return items;
};
