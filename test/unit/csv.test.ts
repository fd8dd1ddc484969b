import { CsvError, csvLine, CsvParser } from '../../clients/cli/csv';

/** Parses `text` fed in chunks of `size` bytes. */
const parse = (text: string | Buffer, size = Infinity) => {
  const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
  const parser = new CsvParser();
  const out = [];
  for (let i = 0; i < bytes.length; i += Number.isFinite(size) ? size : bytes.length) out.push(...parser.push(bytes.subarray(i, i + (Number.isFinite(size) ? size : bytes.length))));
  out.push(...parser.end());
  return out;
};

describe('the CSV reader', () => {
  const text = 'entry_id,note\r\ne_1,"a, ""quoted"" note"\r\ne_2,"two\nlines"\ne_3,ünïcödé ✓\n';
  const expected = [['entry_id', 'note'], ['e_1', 'a, "quoted" note'], ['e_2', 'two\nlines'], ['e_3', 'ünïcödé ✓']];

  it('reads quoted fields, doubled quotes, line breaks inside quotes, CRLF and LF, and UTF-8', () => {
    expect(parse(text).map((r) => r.fields)).toEqual(expected);
  });

  it('reads the same records whatever the chunk boundaries, a UTF-8 character or a CRLF split included', () => {
    for (let size = 1; size <= 8; size++) expect([size, parse(text, size).map((r) => r.fields)]).toEqual([size, expected]);
  });

  it('gives each record the byte offset past its line break, and the line it starts on', () => {
    const records = parse(text);
    const startOf = (row: string) => Buffer.byteLength(text.slice(0, text.indexOf(row)));
    expect(records.map((r) => r.end)).toEqual([startOf('e_1'), startOf('e_2'), startOf('e_3'), Buffer.byteLength(text)]);
    expect(records.map((r) => r.line)).toEqual([1, 2, 3, 5]);
  });

  it('skips a UTF-8 byte-order mark (spreadsheets write one)', () => {
    expect(parse(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('entry_id\ne_1\n')])).map((r) => r.fields)).toEqual([['entry_id'], ['e_1']]);
  });

  it('returns a last record without a line break, and empty fields as empty strings', () => {
    expect(parse('a,,""\nb').map((r) => r.fields)).toEqual([['a', '', ''], ['b']]);
  });

  it.each([
    ['a,"open\n', 'line 1: a quoted field is never closed'],
    ['a,b"c\n', 'line 1: a quote inside an unquoted field (quote the whole field and double the quote)'],
    ['a,"b"c\n', 'line 1: text after a closing quote'],
  ])('refuses %j, naming the line', (input, message) => {
    expect(() => parse(input)).toThrow(new CsvError(message));
  });
});

describe('csvLine', () => {
  it('quotes only the fields that need it, and reads back to the same fields', () => {
    const fields = ['plain', 'with, comma', 'with "quote"', 'two\nlines', '', 'https://x.example/?a=1&b=%2B'];
    const line = csvLine(fields);
    expect(line).toBe('plain,"with, comma","with ""quote""","two\nlines",,https://x.example/?a=1&b=%2B\n');
    expect(parse(line).map((r) => r.fields)).toEqual([fields]);
  });
});
