/**
 * CSV as RFC 4180 writes it (and as spreadsheets export it): comma-separated,
 * fields in double quotes when they hold a comma, a quote (doubled) or a line
 * break, records ended by CRLF or LF. Parsed from bytes, so a record's end is an
 * exact byte offset (for resuming a file cut off mid-write), and streamed: a
 * file of any size is read a chunk at a time.
 */

/** One record and where it ends in the input. */
export interface CsvRecord {
  readonly fields: string[];
  /** Byte offset just past the record's line break (or the end of the input). */
  readonly end: number;
  /** The 1-based line the record starts on. */
  readonly line: number;
}

/** The input is not CSV: an unterminated quote, or text after a closing quote. */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

const QUOTE = 0x22;
const COMMA = 0x2c;
const CR = 0x0d;
const LF = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Feed it chunks with `push`, then call `end`; each returns the records
 * completed so far. The delimiters are ASCII, which never occurs inside a UTF-8
 * multi-byte character, so fields are decoded whole and a character split
 * across two chunks is never broken. A UTF-8 byte-order mark is skipped.
 */
export class CsvParser {
  private field: number[] = [];
  private fields: string[] = [];
  private quoted = false;
  /** The previous byte closed a quoted section: a second quote now is an escaped one. */
  private closed = false;
  /** A record ended by CR, held until the next byte says whether an LF belongs to it. */
  private pending: CsvRecord | undefined;
  private offset = 0;
  private line = 1;
  private recordLine = 1;
  private started = false;

  push(chunk: Buffer): CsvRecord[] {
    let bytes = chunk;
    if (!this.started) {
      this.started = true;
      if (bytes.subarray(0, 3).equals(BOM)) {
        bytes = bytes.subarray(3);
        this.offset = 3;
      }
    }
    const out: CsvRecord[] = [];
    for (const byte of bytes) {
      this.offset++;
      if (this.pending) {
        // A record ended by CR: it ends past the LF of a CRLF.
        const record = this.pending;
        this.pending = undefined;
        if (byte === LF) {
          out.push({ ...record, end: this.offset });
          continue;
        }
        out.push(record);
      }
      if (this.quoted) {
        if (byte === QUOTE) {
          this.quoted = false;
          this.closed = true;
        } else {
          if (byte === LF) this.line++;
          this.field.push(byte);
        }
        continue;
      }
      if (byte === QUOTE) {
        if (this.closed) {
          this.field.push(QUOTE);
          this.quoted = true;
          this.closed = false;
          continue;
        }
        if (this.field.length > 0) throw new CsvError(`line ${this.line}: a quote inside an unquoted field (quote the whole field and double the quote)`);
        this.quoted = true;
        continue;
      }
      if (byte === COMMA) {
        this.endField();
        continue;
      }
      if (byte === LF || byte === CR) {
        this.endField();
        const record = { fields: this.fields, end: this.offset, line: this.recordLine };
        if (byte === CR) this.pending = record;
        else out.push(record);
        this.fields = [];
        this.line++;
        this.recordLine = this.line;
        continue;
      }
      if (this.closed) throw new CsvError(`line ${this.line}: text after a closing quote`);
      this.field.push(byte);
    }
    return out;
  }

  /** The last record, when the input does not end with a line break. */
  end(): CsvRecord[] {
    if (this.quoted) throw new CsvError(`line ${this.recordLine}: a quoted field is never closed`);
    const held = this.pending ? [this.pending] : [];
    this.pending = undefined;
    if (this.fields.length === 0 && this.field.length === 0 && !this.closed) return held;
    this.endField();
    const record = { fields: this.fields, end: this.offset, line: this.recordLine };
    this.fields = [];
    return [...held, record];
  }

  private endField(): void {
    this.fields.push(Buffer.from(this.field).toString('utf8'));
    this.field = [];
    this.closed = false;
  }
}

/** Every record of a byte stream, in order. */
export async function* readCsv(input: AsyncIterable<Buffer>): AsyncGenerator<CsvRecord> {
  const parser = new CsvParser();
  for await (const chunk of input) yield* parser.push(chunk);
  yield* parser.end();
}

/** A record with nothing in it (an empty line) is no row. */
export const isBlank = (fields: readonly string[]): boolean => fields.length === 1 && fields[0] === '';

const needsQuotes = /[",\r\n]/;

/** One CSV line, LF-terminated, each field quoted only when it must be. */
export const csvLine = (fields: readonly string[]): string =>
  `${fields.map((f) => (needsQuotes.test(f) ? `"${f.replaceAll('"', '""')}"` : f)).join(',')}\n`;
