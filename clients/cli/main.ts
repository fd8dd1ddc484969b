/**
 * session-recovery: the command line for Token Signing Secrets, entries, minting,
 * resuming and legacy keys. Run `session-recovery --help`.
 *
 * Exit codes: 0 success, 1 the API refused the request, 2 usage error,
 * 3 the API could not be reached or the request could not be signed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import { ROUTES, type RouteName, routePath } from '../../lambdas/http/routes';
import { readResumeLink } from '../src/shared.js';
import { ApiClient, type ApiReply, TransportError } from './api-client';
import { BatchRefusedError, BatchUsageError, mintBatch, type MintBatchSummary, noProgress, terminalProgress } from './mint-batch';

const EXIT_API_ERROR = 1;
const EXIT_USAGE = 2;
const EXIT_TRANSPORT = 3;

class UsageError extends Error {}

interface GlobalOptions {
  endpoint?: string;
  region?: string;
  sign: 'auto' | 'always' | 'never';
  json?: boolean;
}

const program = new Command('session-recovery')
  .description('Manage session-recovery: Token Signing Secrets, entries, resume links and legacy keys.')
  .addOption(new Option('--endpoint <url>', "API base URL (the local runtime or the stack's ApiUrl output)").env('SESSION_RECOVERY_ENDPOINT'))
  .option('--region <region>', 'AWS region to sign for (default: from the endpoint host or AWS_REGION)')
  .addOption(new Option('--sign <mode>', 'SigV4-sign requests: auto signs all but loopback').choices(['auto', 'always', 'never']).default('auto'))
  .option('--json', 'print the API response as JSON, for scripts')
  .showHelpAfterError()
  .exitOverride()
  .hook('preAction', (_program, command) => {
    commandIds = command.opts<Ids>();
  });

const globals = (): GlobalOptions => program.opts<GlobalOptions>();

const client = (): ApiClient => {
  const { endpoint, region, sign } = globals();
  if (!endpoint) throw new UsageError('Give --endpoint (or set SESSION_RECOVERY_ENDPOINT).');
  return new ApiClient({ endpoint, region, sign });
};

/** A route's path from the routes table, each `{param}` filled in, percent-encoded: `pathTo('getEntry', { entry_id: 'e 1' })` is `/v1/entries/e%201`. */
const pathTo = (name: RouteName, params: Record<string, string>): string =>
  routePath(name).replace(/\{([^}]+)\}/g, (_, param: string) => {
    const value = params[param];
    if (value === undefined) throw new Error(`route ${name} needs ${param}`);
    return encodeURIComponent(value);
  });

const SHORT_NEEDS_RESUME_URL = '--short needs --resume-url: a short link redirects to the full link.';

/** Characters in one SMS segment (GSM-7). */
const SMS_SEGMENT = 160;

const wholeNumber =
  (option: string) =>
  (v: string): number => {
    if (!/^\d+$/.test(v)) throw new UsageError(`${option} must be a whole number`);
    return Number(v);
  };

/** One shell word, single-quoted, for commands printed to be pasted. */
const shellWord = (value: string): string => `'${value.replaceAll("'", `'\\''`)}'`;

/** How this command was run, for the commands it prints: through `npm run cli` or installed. */
const self = process.env.npm_lifecycle_event === 'cli' ? 'npm run cli --' : 'session-recovery';

// The help text of the options most commands share.
const PROJECT = 'the project id, e.g. proj_aaabbbccc';
const ENTRY = 'the entry id, e.g. entry_aaabbbcccdddeeefff';
const FLOW = 'the flow id (the Embeddable), e.g. flow_onboarding';

/** The ids a command was given, for the commands its messages suggest. */
interface Ids {
  readonly project?: string;
  readonly entry?: string;
  readonly flow?: string;
}

/**
 * The API's messages name its HTTP routes, for the backends that call them; this command names its own commands
 * instead, with the ids it was given.
 */
const inCliWords = (message: string, ids: Ids): string =>
  message
    .replace('(PUT /allowed-origins)', `(${self} projects origins set --project ${ids.project ?? '<project_id>'} --origin https://www.example.com)`)
    .replace(
      `(${ROUTES.putEntry.key})`,
      `(${self} entries put --entry ${ids.entry ?? '<entry_id>'} --project ${ids.project ?? '<project_id>'} --flow <flow_id> --page <page> --data '{…}')`,
    );

/** Said when --endpoint is the legacy contract's URL, which answers every path but its own with not_found. */
const LEGACY_URL_HINT =
  "That is the legacy contract's URL (the local runtime's LEGACY_PORT, or the stack's LegacyLoadEntryDataUrl). " +
  "This command's routes are on the API's: the local runtime's PORT (http://127.0.0.1:3000 unless PORT says otherwise), or the stack's ApiUrl output.";

/** The options of the command being run (set before its action), for the ids its messages name. */
let commandIds: Ids = {};

/** Prints the reply: JSON with --json, else `human(json)`. Non-2xx replies become exit code 1. */
const report = (reply: ApiReply, human: (json: any) => string, ids: Ids = commandIds): void => {
  const ok = reply.status >= 200 && reply.status < 300;
  if (globals().json) {
    process.stdout.write(`${JSON.stringify(reply.json ?? { status: reply.status }, null, 2)}\n`);
  } else if (ok) {
    process.stdout.write(`${human(reply.json)}\n`);
  }
  if (!ok) {
    const error = (reply.json as { error?: { code?: string; message?: string } } | undefined)?.error;
    process.stderr.write(`Error ${reply.status} ${error?.code ?? ''}: ${inCliWords(error?.message ?? 'request refused', ids)}\n`);
    // Only the legacy contract's answers carry Deprecation.
    if (reply.status === 404 && reply.headers.has('deprecation')) process.stderr.write(`${LEGACY_URL_HINT}\n`);
    process.exitCode = EXIT_API_ERROR;
  }
};

const readJsonOption = (inline: string | undefined, file: string | undefined, what: string): unknown => {
  if ((inline === undefined) === (file === undefined)) throw new UsageError(`Give exactly one of --${what} or --${what}-file.`);
  const text = inline ?? readFileSync(file!, 'utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw new UsageError(`--${what} is not valid JSON.`);
  }
};

const credentials = program.command('credentials').description('Token Signing Secrets of a project');

credentials
  .command('create')
  .description('create a Token Signing Secret; its value is shown once')
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--label <label>', 'a name for it, e.g. "Token Signing Secret"')
  .option('--environment <name>', "defaults to the deployment's environment")
  .option('--no-replace', "keep the project's other credentials valid (rotation without downtime)")
  .addOption(new Option('--algorithm <name>', "sha256: the seed's tokens; hmac-sha256: v2 tokens").choices(['sha256', 'hmac-sha256']).default('sha256'))
  .option(
    '--provider <name>',
    'for a sending provider that signs links in its templates (e.g. braze): mint never signs with it, and it is replaced and revoked apart from your own',
  )
  .action(async (o: { project: string; label: string; environment?: string; replace: boolean; algorithm: string; provider?: string }) => {
    const reply = await client().request('POST', pathTo('createCredential', { project_id: o.project }), {
      body: { label: o.label, environment: o.environment, replace: o.replace, algorithm: o.algorithm, provider: o.provider },
    });
    if (reply.status === 201) {
      process.stderr.write("Warning: the secret below is shown once and cannot be retrieved again. Store it in your backend's secret store now.\n");
    }
    report(reply, (j) => {
      const revoked: string[] = j.revoked_credential_ids;
      const kind = o.provider === undefined ? '' : ` of provider ${o.provider}`;
      const others = !o.replace
        ? 'Other credentials stay valid.'
        : revoked.length === 0
          ? `It is the only active credential${kind} of ${o.project} in this environment.`
          : `Revoked the other active credentials${kind} of this environment: ${revoked.join(', ')}. Links they signed stop verifying within the key cache TTL (60 s by default).`;
      return [`Created credential ${j.credential.credential_id} "${j.credential.label}" (${j.credential.environment}).`, others, `Secret: ${j.secret}`].join(
        '\n',
      );
    });
  });

credentials
  .command('list')
  .description("list a project's credentials (metadata only)")
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { project: string }) => {
    const reply = await client().request('GET', pathTo('listCredentials', { project_id: o.project }));
    report(reply, (j: { credentials: Array<Record<string, string>> }) =>
      j.credentials.length === 0
        ? 'No credentials.'
        : j.credentials
            .map(
              (c) =>
                `${c.credential_id}  ${c.status.padEnd(7)}  ${c.algorithm.padEnd(11)}  ${c.environment}  ${c.created_at}  ${c.label}${c.provider ? `  (provider ${c.provider})` : ''}`,
            )
            .join('\n'),
    );
  });

credentials
  .command('revoke')
  .description('revoke a credential; links it signed stop verifying within the key cache TTL (60 s by default)')
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--credential <credential_id>', 'the credential id, as `credentials list` shows it')
  .action(async (o: { project: string; credential: string }) => {
    const reply = await client().request('DELETE', pathTo('revokeCredential', { project_id: o.project, credential_id: o.credential }));
    report(
      reply,
      () =>
        `Revoked ${o.credential}. Links it signed stop verifying within the key cache TTL (60 s by default) on each Lambda instance; at once on the local runtime.`,
    );
  });

const entries = program.command('entries').description('saved entries');

entries
  .command('put')
  .description('save an entry (creates or updates)')
  .requiredOption('--entry <entry_id>', ENTRY)
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--flow <flow_id>', FLOW)
  .requiredOption('--page <current_page_key>', 'the page the user reached, where a resume lands them, e.g. page_3')
  .option('--data <json>', 'user data as a JSON object')
  .option('--data-file <path>', 'user data from a JSON file')
  .action(async (o: { entry: string; project: string; flow: string; page: string; data?: string; dataFile?: string }) => {
    const userData = readJsonOption(o.data, o.dataFile, 'data');
    const reply = await client().request('PUT', pathTo('putEntry', { entry_id: o.entry }), {
      body: { project_id: o.project, flow_id: o.flow, current_page_key: o.page, user_data: userData },
    });
    report(reply, (j) => `${reply.status === 201 ? 'Created' : 'Updated'} entry ${j.entry.entry_id} on page ${j.entry.current_page_key}.`);
  });

entries
  .command('get')
  .description('show a saved entry')
  .requiredOption('--entry <entry_id>', ENTRY)
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { entry: string; project: string }) => {
    const reply = await client().request('GET', pathTo('getEntry', { entry_id: o.entry }), { query: { project_id: o.project } });
    report(reply, (j) => JSON.stringify(j.entry, null, 2));
  });

entries
  .command('delete')
  .description('erase an entry (erasure requests)')
  .requiredOption('--entry <entry_id>', ENTRY)
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { entry: string; project: string }) => {
    const reply = await client().request('DELETE', pathTo('deleteEntry', { entry_id: o.entry }), { query: { project_id: o.project } });
    report(reply, () => `Erased entry ${o.entry}.`);
  });

entries
  .command('revoke-links')
  .description('make every link issued so far for this entry stop working (links minted afterwards work)')
  .requiredOption('--entry <entry_id>', ENTRY)
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { entry: string; project: string }) => {
    const reply = await client().request('POST', pathTo('revokeLinks', { entry_id: o.entry }), { body: { project_id: o.project } });
    report(reply, (j) => `Links of ${o.entry} issued before ${j.links_valid_after} no longer work.`);
  });

entries
  .command('complete')
  .description('record that the user finished the flow (counted once, for the campaign of the last resume)')
  .requiredOption('--entry <entry_id>', ENTRY)
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { entry: string; project: string }) => {
    const reply = await client().request('POST', pathTo('completeEntry', { entry_id: o.entry }), { body: { project_id: o.project } });
    report(reply, (j) => `Entry ${o.entry} completed at ${j.completed_at}${j.campaign === undefined ? '' : ` (campaign ${j.campaign})`}.`);
  });

/** A campaign's figures as the campaign routes answer them. */
interface CampaignRow {
  campaign: string;
  links_minted: number;
  entries_resumed: number;
  completions: number;
  recovery_rate: number | null;
}

/** The rate as a percentage with one decimal, or `-` before any entry was resumed. */
const percent = (rate: number | null): string => (rate === null ? '-' : `${(100 * rate).toFixed(1)}%`);

/** The campaigns as a table with aligned columns: names left, figures right. */
const campaignTable = (rows: readonly CampaignRow[]): string => {
  const head = ['campaign', 'links minted', 'entries resumed', 'completions', 'recovery rate'];
  const cells = rows.map((r) => [r.campaign, String(r.links_minted), String(r.entries_resumed), String(r.completions), percent(r.recovery_rate)]);
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(head), ...cells.map(line)].join('\n');
};

const campaigns = program.command('campaigns').description('recovery figures of the campaigns links were minted in');

campaigns
  .command('report')
  .description('links minted, entries resumed by people, completions and the recovery rate (completions / entries resumed) of every campaign, or of one')
  .requiredOption('--project <project_id>', PROJECT)
  .option('--campaign <campaign>', 'only this campaign')
  .action(async (o: { project: string; campaign?: string }) => {
    const api = client();
    const rows: CampaignRow[] = [];
    if (o.campaign !== undefined) {
      const reply = await api.request('GET', pathTo('getCampaign', { project_id: o.project, campaign: o.campaign }));
      if (reply.status !== 200) return report(reply, () => '');
      rows.push((reply.json as { campaign: CampaignRow }).campaign);
    } else {
      // Every page, in name order: a page names the campaign the next starts after.
      let after: string | undefined;
      do {
        const reply = await api.request('GET', pathTo('listCampaigns', { project_id: o.project }), { query: after === undefined ? {} : { after } });
        if (reply.status !== 200) return report(reply, () => '');
        const page = reply.json as { campaigns: CampaignRow[]; next?: string };
        rows.push(...page.campaigns);
        after = page.next;
      } while (after !== undefined);
    }
    if (globals().json) process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
    else process.stdout.write(rows.length === 0 ? `No link of project ${o.project} was minted in a campaign.\n` : `${campaignTable(rows)}\n`);
  });

const projects = program.command('projects').description('project settings');
const origins = projects.command('origins').description("the web origins allowed to call load-entry-data for a project's entries");

origins
  .command('get')
  .description("show the project's allowed origins")
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { project: string }) => {
    const reply = await client().request('GET', pathTo('getAllowedOrigins', { project_id: o.project }));
    report(reply, (j) => (j.allowed_origins ? j.allowed_origins.join('\n') : "No list of its own: the deployment's allowedOrigins apply."));
  });

origins
  .command('set')
  .description("set the project's allowed origins (other origins get 403)")
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--origin <origin...>', 'e.g. https://www.example.com https://*.example.com')
  .action(async (o: { project: string; origin: string[] }) => {
    const reply = await client().request('PUT', pathTo('setAllowedOrigins', { project_id: o.project }), { body: { allowed_origins: o.origin } });
    report(reply, (j) => `Allowed origins of ${o.project}:\n${j.allowed_origins.join('\n')}`);
  });

origins
  .command('clear')
  .description("drop the project's own list: the deployment's allowedOrigins apply again")
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { project: string }) => {
    const reply = await client().request('DELETE', pathTo('clearAllowedOrigins', { project_id: o.project }));
    report(reply, () => `${o.project} now follows the deployment's allowedOrigins.`);
  });

const browserSaves = projects
  .command('browser-saves')
  .description("whether the project's pages may create and save entries themselves, with no backend (needs the project's own origins)");

const showSaves = (projectId: string) => (j: { enabled: boolean; sms_countries?: string[] }) =>
  (j.enabled
    ? `Browser saves are on for ${projectId}: pages on its allowed origins may create entries and save progress.`
    : `Browser saves are off for ${projectId}.`) + (j.sms_countries?.length ? ` Link requests may text numbers of ${j.sms_countries.join(', ')}.` : '');

browserSaves
  .command('status')
  .description('show whether browser saves are on')
  .requiredOption('--project <project_id>', PROJECT)
  .action(async (o: { project: string }) => {
    report(await client().request('GET', pathTo('getBrowserSaves', { project_id: o.project })), showSaves(o.project));
  });

for (const [name, enabled, description] of [
  ['enable', true, "turn browser saves on (refused with origins_required until the project has its own origins, without '*')"],
  ['disable', false, 'turn browser saves off: pages get 403 browser_saves_disabled within the key cache TTL'],
] as const) {
  browserSaves
    .command(name)
    .description(description)
    .requiredOption('--project <project_id>', PROJECT)
    .option(
      '--sms-country <code...>',
      "countries (ISO 3166 alpha-2, e.g. GB US) whose numbers link requests may text; none: no SMS (sms_not_allowed). Replaces the project's list",
    )
    .action(async (o: { project: string; smsCountry?: string[] }) => {
      const body = { enabled, ...(o.smsCountry ? { sms_countries: o.smsCountry.map((c) => c.toUpperCase()) } : {}) };
      report(await client().request('PUT', pathTo('setBrowserSaves', { project_id: o.project }), { body }), showSaves(o.project));
    });
}

const resumePolicy = program
  .command('resume-policy')
  .description("a flow's resume policy: fields never returned to a resume, and a field the person must confirm (docs/withheld-fields.md)");
// The three resume-policy routes share one path.
const policyPath = (o: { project: string; flow: string }) => pathTo('getResumePolicy', { project_id: o.project, flow_id: o.flow });
const showPolicy = (j: { flow_id: string; withheld_fields: string[]; verify_field: string | null }) =>
  `Flow ${j.flow_id}: ${j.withheld_fields.length ? `withholds ${j.withheld_fields.join(', ')}` : 'withholds nothing'}; ${
    j.verify_field === null ? 'no second factor' : `asks the person to confirm ${j.verify_field}`
  }. Changes take effect within the key cache TTL.`;

resumePolicy
  .command('get')
  .description("show a flow's resume policy")
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--flow <flow_id>', 'the flow')
  .action(async (o: { project: string; flow: string }) => report(await client().request('GET', policyPath(o)), showPolicy));

resumePolicy
  .command('set')
  .description("set a flow's resume policy (replaces it whole)")
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--flow <flow_id>', 'the flow')
  .option('--withhold <field...>', 'user_data fields never returned to a resume: top-level names or JSON Pointers such as /address/postcode')
  .option('--verify-field <field>', 'a field the person must confirm before a resume answers anything, e.g. email')
  .action(async (o: { project: string; flow: string; withhold?: string[]; verifyField?: string }) => {
    const body = { withheld_fields: o.withhold ?? [], ...(o.verifyField === undefined ? {} : { verify_field: o.verifyField }) };
    report(await client().request('PUT', policyPath(o), { body }), showPolicy);
  });

resumePolicy
  .command('clear')
  .description("clear a flow's resume policy")
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--flow <flow_id>', 'the flow')
  .action(async (o: { project: string; flow: string }) => report(await client().request('DELETE', policyPath(o)), showPolicy));

program
  .command('mint')
  .description('sign a resume link for an entry, and print a curl and a resume command that open it')
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--entry <entry_id>', ENTRY)
  .option('--flow <flow_id>', 'bind a v2 token to this flow')
  .option('--expires-at <rfc3339>', 'exact expiry (default: now + 7 days)')
  .option('--ttl-seconds <n>', 'lifetime in seconds', wholeNumber('--ttl-seconds'))
  .option('--resume-url <url>', 'your flow page; the link parameters are added to it')
  .option('--short', 'also make a short link that redirects to it (needs --resume-url), for SMS')
  .option('--campaign <id>', 'the campaign the link is sent in (kept with a short link)')
  .action(
    async (o: {
      project: string;
      entry: string;
      flow?: string;
      expiresAt?: string;
      ttlSeconds?: number;
      resumeUrl?: string;
      short?: boolean;
      campaign?: string;
    }) => {
      if (o.short && !o.resumeUrl) throw new UsageError(SHORT_NEEDS_RESUME_URL);
      const reply = await client().request('POST', pathTo('mint', {}), {
        body: {
          project_id: o.project,
          entry_id: o.entry,
          flow_id: o.flow,
          expires_at: o.expiresAt,
          ttl_seconds: o.ttlSeconds,
          resume_url: o.resumeUrl,
          short: o.short,
          campaign: o.campaign,
        },
      });
      report(reply, (j) => {
        const body = { flow_id: j.flow_id, project_id: o.project, entry_id: j.entry_id, token: j.token, expires_at: j.expires_at };
        const endpoint = client().urlOf(routePath('loadEntryData')).href;
        return [
          ...(j.url ? [j.url] : []),
          ...(j.short_url ? [`${j.short_url}  (short link: redirects to the link above)`] : []),
          ...(j.url && !j.short_url && j.url_length > SMS_SEGMENT
            ? [`(${j.url_length} characters: more than one ${SMS_SEGMENT}-character SMS segment; --short makes a short link)`]
            : []),
          `token       ${j.token}`,
          `entry_id    ${j.entry_id}`,
          `flow_id     ${j.flow_id}`,
          `expires_at  ${j.expires_at}`,
          '',
          'Open it as the page does, with curl:',
          `  curl -sS -X POST ${shellWord(endpoint)} -H 'Content-Type: application/json' -d ${shellWord(JSON.stringify(body))}`,
          ...(j.url
            ? [
                'or with this CLI:',
                `  ${self} --endpoint ${shellWord(globals().endpoint!)} resume --project ${o.project} --flow ${j.flow_id} ${shellWord(j.url)}`,
              ]
            : []),
        ].join('\n');
      });
    },
  );

program
  .command('mint-batch')
  .description('mint a link for every row of a CSV file (a campaign), 500 rows a request, into an output CSV; run it again to resume')
  .requiredOption('--project <project_id>', PROJECT)
  .requiredOption('--input <file.csv>', 'rows to mint: a header line with entry_id, and optionally flow_id and expires_at; other columns pass through')
  .requiredOption(
    '--output <file.csv>',
    'where to write entry_id, url, short_url, token, expires_at, error_code, error_message, input_digest and the pass-through columns (formula-like cells written as text); rows already there are skipped',
  )
  .option('--flow <flow_id>', "every row's flow, unless its flow_id cell names one (binds v2 tokens; checks the entry's flow)")
  .option('--resume-url <url>', 'your flow page; the link parameters are added to it')
  .option('--campaign <id>', 'the campaign the links are sent in (kept with short links)')
  .option('--ttl-seconds <n>', "every link's lifetime, unless its expires_at cell gives one (default: 7 days)", wholeNumber('--ttl-seconds'))
  .option('--short', 'also make a short link per row (needs --resume-url), for SMS')
  .action(
    async (o: {
      project: string;
      input: string;
      output: string;
      flow?: string;
      resumeUrl?: string;
      campaign?: string;
      ttlSeconds?: number;
      short?: boolean;
    }) => {
      if (o.short && !o.resumeUrl) throw new UsageError(SHORT_NEEDS_RESUME_URL);
      if (!existsSync(o.input)) throw new UsageError(`--input ${o.input}: no such file.`);
      const json = globals().json;
      let summary: MintBatchSummary;
      try {
        summary = await mintBatch(client(), o, process.stderr.isTTY && !json ? terminalProgress(process.stderr) : noProgress);
      } catch (error) {
        if (error instanceof BatchUsageError) throw new UsageError(error.message);
        if (error instanceof BatchRefusedError) {
          process.stderr.write(`${error.message}\nRows before that batch are in ${o.output}; fix the cause and run the same command to carry on.\n`);
          process.exitCode = EXIT_API_ERROR;
          return;
        }
        if (error instanceof TransportError)
          throw new TransportError(`${error.message}\nRows written so far are in ${o.output}; run the same command again to carry on.`);
        throw error;
      }
      if (json) {
        process.stdout.write(`${JSON.stringify({ ...summary, output: o.output }, null, 2)}\n`);
      } else {
        const skipped = summary.skipped ? ` (${summary.skipped.toLocaleString('en')} already there from an earlier run)` : '';
        process.stderr.write(
          `Wrote ${summary.written.toLocaleString('en')} rows to ${o.output} in ${summary.seconds.toFixed(1)} s${skipped}: ${summary.minted.toLocaleString('en')} links minted` +
            `${summary.failed ? `; ${summary.failed.toLocaleString('en')} rows failed in the file (their error_code and error_message say why)` : ''}.\n`,
        );
      }
      if (summary.failed > 0) process.exitCode = EXIT_API_ERROR;
    },
  );

program
  .command('resume')
  .description('open a resume link as the page does: post its parameters to load-entry-data and print the entry')
  .argument('<link>', 'the resume link, quoted (it contains "&"); damaged links are repaired as the browser clients repair them')
  .requiredOption('--project <project_id>', "the project the link's page belongs to (the page posts it as project_id)")
  .requiredOption('--flow <flow_id>', "the flow the link's page runs (the page posts it as flow_id)")
  .action(async (link: string, o: { project: string; flow: string }) => {
    let params: { token: string; entryId: string; expiresAt: string };
    try {
      // The same repairs as the browser clients: a "+" turned into a space, "&amp;", values encoded twice.
      params = readResumeLink(link);
    } catch {
      throw new UsageError('The link is not a URL: give the whole link, https:// included, in quotes.');
    }
    if (!params.token || !params.entryId || !params.expiresAt) {
      throw new UsageError('The link lacks token, entry_id or expires_at: was it cut off when it was copied?');
    }
    const reply = await client().request('POST', pathTo('loadEntryData', {}), {
      body: { flow_id: o.flow, project_id: o.project, entry_id: params.entryId, token: params.token, expires_at: params.expiresAt },
      // A public route, called by browsers with no credentials: nothing to sign.
      unsigned: true,
    });
    report(reply, (j) => `Resumed entry ${j.entry.entry_id} on page ${j.entry.current_page_key}:\n${JSON.stringify(j.entry, null, 2)}`);
    const code = (reply.json as { error?: { code?: string } } | undefined)?.error?.code;
    const cause = code === undefined ? undefined : await likelyCause(code, o, params);
    if (cause) process.stderr.write(`Likely cause: ${cause}\n`);
  });

/**
 * Why a link was refused, as far as the admin API can tell (this is the operator's tool: the public route answers one
 * invalid_token for every wrong link, on purpose). Undefined when it cannot tell, or may not ask (IAM).
 */
const likelyCause = async (code: string, o: { project: string; flow: string }, link: { entryId: string; expiresAt: string }): Promise<string | undefined> => {
  const api = client();
  if (code === 'invalid_token') {
    const listed = await api.request('GET', pathTo('listCredentials', { project_id: o.project }));
    if (listed.status !== 200) return undefined;
    const credentials = (listed.json as { credentials: Array<{ credential_id: string; status: string; environment: string }> }).credentials;
    const expired = Date.parse(link.expiresAt) <= Date.now() ? ` (The link has also expired, at ${link.expiresAt}.)` : '';
    if (credentials.length === 0) {
      return `project ${o.project} has no Token Signing Secret in this deployment: is --project right? (${self} credentials list --project ${o.project} lists a project's credentials.)${expired}`;
    }
    const active = credentials.filter((c) => c.status === 'active');
    if (active.length === 0) {
      return `every credential of project ${o.project} is revoked, so none of its links verify: create one (${self} credentials create --project ${o.project} --label …) and mint a new link.${expired}`;
    }
    return (
      `the link was not signed by an active credential of project ${o.project} in this deployment's environment ` +
      `(its active credentials: ${active.map((c) => `${c.credential_id} (${c.environment})`).join(', ')}): it was made for another project, ` +
      `signed with a credential since revoked or replaced, or changed when it was copied.${expired}`
    );
  }
  if (code === 'entry_not_found') {
    const found = await api.request('GET', pathTo('getEntry', { entry_id: link.entryId }), { query: { project_id: o.project } });
    if (found.status === 404)
      return `there is no entry ${link.entryId} in project ${o.project}: it was erased, it is past its retention, or it belongs to another project.`;
    const flow = found.status === 200 ? (found.json as { entry: { flow_id: string } }).entry.flow_id : undefined;
    if (flow !== undefined && flow !== o.flow) return `entry ${link.entryId} is in flow ${flow}, not ${o.flow}: give --flow ${flow}.`;
  }
  return undefined;
};

const legacy = program.command('legacy').description('legacy per-flow keys (legacy contract only)');

legacy
  .command('import')
  .description("import a flow's existing legacy key for one project (from --secret, --secret-file, or standard input)")
  .requiredOption('--flow <flow_id>', 'the flow the key was issued for')
  .requiredOption('--project <project_id>', "the project the flow belongs to: the key opens only this project's entries of the flow")
  .option('--secret <value>', 'the key (prefer --secret-file or stdin: arguments end up in shell history)')
  .option('--secret-file <path>', 'read the key from this file')
  .action(async (o: { flow: string; project: string; secret?: string; secretFile?: string }) => {
    const secret = (o.secret ?? (o.secretFile ? readFileSync(o.secretFile, 'utf8') : readFileSync(0, 'utf8'))).trim();
    if (!secret) throw new UsageError('No legacy key given.');
    const reply = await client().request('PUT', pathTo('importLegacyKey', { flow_id: o.flow }), { body: { secret, project_id: o.project } });
    report(reply, () => `Imported the legacy key of flow ${o.flow} for project ${o.project}.`);
  });

legacy
  .command('retire')
  .description("retire a flow's legacy key; legacy links of that flow stop working")
  .requiredOption('--flow <flow_id>', 'the flow whose legacy key to retire')
  .action(async (o: { flow: string }) => {
    const reply = await client().request('DELETE', pathTo('retireLegacyKey', { flow_id: o.flow }));
    report(reply, () => `Retired the legacy key of flow ${o.flow}.`);
  });

/** Edit distance (insertions, deletions, substitutions), for suggesting the option a misspelt one meant. */
const distance = (a: string, b: string): number => {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j] + 1, next[j - 1] + 1, row[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length];
};

/**
 * Refuses an option that neither the command it follows nor the program defines, before anything else: commander
 * checks required options first, so `--projet` was reported as `--project` missing.
 */
const refuseUnknownOptions = (args: readonly string[]): void => {
  let command: Command = program;
  const chain = () => {
    const commands: Command[] = [];
    for (let c: Command | null = command; c; c = c.parent) commands.push(c);
    return commands;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '--') return;
    if (!arg.startsWith('-') || arg === '-') {
      command = command.commands.find((c) => c.name() === arg || c.aliases().includes(arg)) ?? command;
      continue;
    }
    const flag = arg.split('=')[0];
    if (flag === '--help' || flag === '-h') return;
    const options = chain().flatMap((c) => c.options);
    const option = options.find((o) => o.long === flag || o.short === flag);
    if (!option) {
      const longs = options.map((o) => o.long).filter((long): long is string => long !== undefined);
      const closest = longs.map((long) => [long, distance(flag, long)] as const).sort((a, b) => a[1] - b[1])[0];
      command.error(`error: unknown option '${flag}'${closest && closest[1] <= 2 ? ` (did you mean ${closest[0]}?)` : ''}`, {
        code: 'commander.unknownOption',
      });
    }
    if ((option!.required || option!.optional) && !arg.includes('=')) {
      // Its value, or, for a variadic option, every value up to the next option.
      i++;
      while (option!.variadic && i + 1 < args.length && !args[i + 1].startsWith('-')) i++;
    }
  }
};

try {
  refuseUnknownOptions(process.argv.slice(2));
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
  } else if (error instanceof UsageError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT_USAGE;
  } else if (error instanceof TransportError) {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = EXIT_TRANSPORT;
  } else {
    throw error;
  }
}
