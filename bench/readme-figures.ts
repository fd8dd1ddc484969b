/**
 * The "Cost and performance" figures of docs/performance.md (once the README's),
 * rendered from a recorded run (bench/results.json), so they are never copied by
 * hand: `npm run bench -- --record` rewrites them, and test/unit/readme-figures.test.ts
 * fails when the page's copy differs from what bench/results.json renders.
 */
import { provisionedInstancePerMonth } from './prices';

/** The page, from the repository's root, whose figures block a recorded run rewrites. */
export const FIGURES_PAGE = 'docs/performance.md';

const START = '<!-- figures: written by `npm run bench -- --record` from bench/results.json (bench/readme-figures.ts); do not edit -->';
const END = '<!-- /figures -->';

interface ColdStats {
  readonly median: number;
  readonly p90: number;
  readonly moduleLoad: number;
}
interface WarmRun {
  readonly ours: { readonly median: number };
  readonly floor: { readonly median: number };
}

/** The parts of bench/results.json the README shows. */
export interface RecordedResults {
  readonly date: string;
  readonly machine: string;
  readonly floorBytes: number;
  readonly sizes: Readonly<Record<string, { readonly bytes: number; readonly ratio: number }>>;
  readonly cold: Readonly<Record<'floor' | 'load-entry-data' | 'legacy-load-entry-data' | 'browser-saves', ColdStats>>;
  readonly warm: Readonly<Record<'load-entry-data' | 'legacy-load-entry-data' | 'browser-saves', WarmRun>>;
  readonly cost: { readonly total: number };
  readonly costWithConsistentReads: { readonly total: number };
  readonly costViaFunctionUrl: number;
  readonly costPerMillionSaves: { readonly total: number };
  /** A person's resume of a browser-saves project's entry, with the rotation of its save generation (runs recorded since issue 26). */
  readonly costWithSaveRotation?: { readonly total: number };
  readonly costInputs: { readonly memoryMb: number };
}

const ms = (x: number) => `${Math.round(x)} ms`;
const times = (a: number, b: number) => `${(a / b).toFixed(2)}×`;
const bytes = (n: number) => `${Math.round(n / 1000)} KB`;
const dollars = (x: number) => `$${x.toFixed(3)}`;

/** The figures block, markers included. */
export const renderFigures = (r: RecordedResults): string => {
  const floor = r.cold.floor;
  const lambdas = ['load-entry-data', 'legacy-load-entry-data', 'browser-saves'] as const;
  const cold = (fn: (typeof lambdas)[number]) => `${ms(r.cold[fn].median)} (p90 ${ms(r.cold[fn].p90)}): ${times(r.cold[fn].median, floor.median)}`;
  // A save is a write: its time beside a GetItem's is no ratio, only context.
  const warm = (fn: (typeof lambdas)[number]) =>
    fn === 'browser-saves'
      ? `${r.warm[fn].ours.median.toFixed(2)} ms (the floor's GetItem: ${r.warm[fn].floor.median.toFixed(2)} ms)`
      : `${r.warm[fn].ours.median.toFixed(2)} ms: ${times(r.warm[fn].ours.median, r.warm[fn].floor.median)}`;
  const row = (label: string, floorCell: string, cell: (fn: (typeof lambdas)[number]) => string) =>
    `| ${label} | ${floorCell} | ${lambdas.map(cell).join(' | ')} |`;
  const monthly = provisionedInstancePerMonth(r.costInputs.memoryMb);
  return `${START}
Recorded on ${r.date.slice(0, 10)} (${r.machine}); ratios are to the floor, measured alternately with it in the same run.

| | floor (one \`GetItem\`) | load-entry-data | legacy-load-entry-data | browser-saves (a save) |
|---|---|---|---|---|
${row('**cold resume**: a new instance, from its process start to the complete answer, median', `${ms(floor.median)} (p90 ${ms(floor.p90)})`, cold)}
${row('of which module load (median)', ms(floor.moduleLoad), (fn) => `${ms(r.cold[fn].moduleLoad)}: ${times(r.cold[fn].moduleLoad, floor.moduleLoad)}`)}
${row('warm median over TLS', '', warm)}
${row('bundle', bytes(r.floorBytes), (fn) => `${bytes(r.sizes[fn].bytes)}: ${r.sizes[fn].ratio.toFixed(2)}×`)}
${row('cost per million requests, modelled (us-east-1)', '', (fn) => (fn === 'browser-saves' ? dollars(r.costPerMillionSaves.total) : fn === 'load-entry-data' ? dollars(r.cost.total) : 'not modelled'))}

| option | what it changes | what it costs |
|---|---|---|
| the defaults | a resume that lands on a new instance waits for the cold resume above | ${dollars(r.cost.total)} per million resumes, ${dollars(r.costPerMillionSaves.total)} per million saves |
${
  r.costWithSaveRotation === undefined
    ? ''
    : `| browser saves on for a project | a person's resume of one of its entries also hands over the save capability: one conditional \`UpdateItem\` of the entry | ${dollars(r.costWithSaveRotation.total)} per million such resumes |\n`
}| \`provisionedConcurrency: n\` | n load-entry-data instances kept initialised: a resume that finds one free waits only for the warm figure | $${monthly.toFixed(2)} a month per instance at ${r.costInputs.memoryMb} MB (arm64, us-east-1), billed while configured, used or not; the resumes it serves are billed at its lower duration rate |
| \`consistentReads: true\` | resumes read entries strongly consistently | ${dollars(r.costWithConsistentReads.total)} per million resumes |
| \`currentContractFunctionUrl: true\` | the current contract on a Function URL too: no API Gateway fee, no access log line | ${dollars(r.costViaFunctionUrl)} per million resumes called on the URL |
| \`activeTracing: false\` | no X-Ray traces | at least $0.25 per million less (X-Ray is not in the model) |
${END}`;
};

/** `readme` with its figures block replaced by the one `results` render. */
export const withFigures = (readme: string, results: RecordedResults): string => {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error(`${FIGURES_PAGE} has no figures block (${START} … ${END})`);
  return `${readme.slice(0, start)}${renderFigures(results)}${readme.slice(end + END.length)}`;
};
