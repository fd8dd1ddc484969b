/**
 * The mint Lambda's use cases: one link or a batch, attributed to the request's
 * campaign and counted in it before the links are answered.
 */
import { ApiError, invalidRequest } from './errors';
import type { MintPolicy } from './mint';
import {
  type Attribution,
  type BatchItem,
  type BatchMintRequest,
  type MintDependencies,
  mintBatch,
  mintOne,
  type MintOneRequest,
  type MintOneResult,
} from './minting';
import { type CampaignCounters, lineCampaign } from './recovery';

export interface MintRequestDeps {
  readonly mint: MintDependencies;
  readonly counters: Pick<CampaignCounters, 'addLinksMinted'>;
  /** Mint's limits at `now`. */
  readonly policy: (now: number) => MintPolicy;
  readonly now: () => number;
  /**
   * Why a batch row (an object) breaks the row schema, in the words of every
   * 400; undefined when it is well formed. The schema's compiled validator lives
   * with the Lambda.
   */
  readonly rowSchemaProblem: (row: object) => string | undefined;
}

/** The links' campaign as the request's attribution: none without one. */
export const attribution = (campaign: string | undefined): Attribution => (campaign === undefined ? {} : { campaign });

/**
 * The request line's campaign keys: `campaign`, and `metric_campaign`, which
 * the LinksMinted metric counts (all campaigns together).
 */
export const campaignLogKeys = (campaign: string | undefined): { campaign?: string; metric_campaign: string } => ({
  campaign,
  metric_campaign: lineCampaign({ campaign }),
});

/** Why a batch row is malformed, in the words of every 400; undefined when it is well formed. */
export const checkRow = (row: unknown, rowSchemaProblem: MintRequestDeps['rowSchemaProblem']): ApiError | undefined => {
  if (typeof row !== 'object' || row === null || Array.isArray(row)) return invalidRequest('each row must be an object such as {"entry_id": "…"}');
  const problem = rowSchemaProblem(row);
  return problem === undefined ? undefined : new ApiError('invalid_request', problem);
};

export const mintRequests = (deps: MintRequestDeps) => {
  /**
   * Adds the links a request minted to its campaign's counter: one write however
   * many links (a batch's), before the links are answered, so every link handed
   * out is counted. If it fails, the request fails (503) and hands out nothing.
   */
  const count = async (projectId: string, { campaign }: Attribution, minted: number): Promise<void> => {
    if (campaign !== undefined && minted > 0) await deps.counters.addLinksMinted(projectId, campaign, minted);
  };
  return {
    mint: async (req: MintOneRequest): Promise<MintOneResult> => {
      const attributed = attribution(req.campaign);
      const result = await mintOne(req, deps.mint, deps.policy(deps.now()), attributed);
      await count(req.project_id, attributed, 1);
      return result;
    },
    /** The batch's links, one item per row, and how many rows failed. */
    batch: async (req: BatchMintRequest): Promise<{ links: BatchItem[]; failed: number }> => {
      const attributed = attribution(req.campaign);
      const links = await mintBatch(req, deps.mint, deps.policy(deps.now()), (row) => checkRow(row, deps.rowSchemaProblem), attributed);
      const failed = links.filter((l) => 'error' in l).length;
      await count(req.project_id, attributed, links.length - failed);
      return { links, failed };
    },
  };
};
