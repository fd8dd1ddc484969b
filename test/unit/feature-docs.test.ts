import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { docText, headings, repositoryRoot } from '../support/docs';

/**
 * The pages of issue 24's three features (hand-off, withheld fields, the second
 * factor) back each promise with the test that breaks when it does: every
 * section names a test file, every test file named exists, and every test a page
 * quotes (a title, or the start or end of one, with "…") is in a file that page
 * names. Quoted words of a page (a message the clients show) are in the tests
 * that check them too.
 */
const PAGES = ['docs/handoff.md', 'docs/withheld-fields.md', 'docs/second-factor.md'];

/** Curly quotes and escaped quotes as a title reads in either place. */
const plain = (text: string) => text.replace(/[‘’]/g, "'").replace(/\\(['"`])/g, '$1');
const testFiles = (text: string) => [...new Set([...text.matchAll(/`(test\/[\w/.-]+\.ts)`/g)].map((m) => m[1]))];
/** The page's quotations of four words or more, or cut with "…"; `%s` stands for a table test's row. */
const quotations = (text: string) =>
  [...text.matchAll(/"([^"]+)"/g)].map((m) => m[1].replace(/\s+/g, ' ')).filter((q) => q.includes('…') || q.split(' ').length >= 4);

describe.each(PAGES)('%s', (page) => {
  const text = docText(page);

  it('is linked from README.md', () => {
    expect(docText('README.md')).toContain(`](${page})`);
  });

  it('names in each section the tests that back it, and each exists', () => {
    const lines = text.split('\n');
    const sections = headings(text).filter((h) => h.level === 2);
    expect(sections.length).toBeGreaterThan(2);
    for (const [i, h] of sections.entries()) {
      const body = lines.slice(h.line, sections[i + 1]?.line ?? lines.length).join('\n');
      expect([h.text, testFiles(body).length > 0 || /\[[^\]]+\]\([\w-]+\.md#[\w-]+\)/.test(body)]).toEqual([h.text, true]);
    }
    expect(testFiles(text).filter((file) => !existsSync(path.join(repositoryRoot, file)))).toEqual([]);
  });

  it('quotes only tests (and texts) that are in the test files it names', () => {
    const sources = testFiles(text).map((file) => plain(readFileSync(path.join(repositoryRoot, file), 'utf8')));
    const missing = quotations(text).filter((q) => {
      const parts = plain(q).replace(/^…|…$/g, '').split(/…|%s/).filter(Boolean);
      return !sources.some((source) => parts.every((part) => source.includes(part)));
    });
    expect(missing).toEqual([]);
  });
});
