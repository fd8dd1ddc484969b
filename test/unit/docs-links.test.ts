import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { anchors, docPages, docSection, docText, repositoryRoot } from '../support/docs';

/** The relative links of a page, outside fenced code: [text](target) with no scheme. */
const links = (page: string): string[] => {
  const text = docText(page).replace(/^```[^\n]*\n[\s\S]*?^```/gm, '');
  return [...text.matchAll(/\]\(([^()\s]+)\)/g)].map((m) => m[1]).filter((target) => !/^[a-z][a-z+.-]*:/i.test(target));
};

describe.each(docPages())('%s', (page) => {
  it('every relative link resolves to a file that exists, and its #anchor to a heading of that file', () => {
    const broken: string[] = [];
    for (const target of links(page)) {
      const [file, anchor] = target.split('#');
      const resolved = file ? path.join(repositoryRoot, path.dirname(page), decodeURIComponent(file)) : path.join(repositoryRoot, page);
      if (!existsSync(resolved)) {
        broken.push(`${target}: no such file`);
        continue;
      }
      if (
        anchor !== undefined &&
        !(statSync(resolved).isFile() && resolved.endsWith('.md') && anchors(docText(path.relative(repositoryRoot, resolved))).has(anchor))
      )
        broken.push(`${target}: no such heading`);
    }
    expect(broken).toEqual([]);
  });
});

describe('README.md, the front page', () => {
  const readme = docText('README.md');

  it('is at most 300 lines', () => {
    expect(readme.trimEnd().split('\n').length).toBeLessThanOrEqual(300);
  });

  it('has no line over 400 characters', () => {
    expect(readme.split('\n').filter((line) => line.length > 400)).toEqual([]);
  });

  it('has a table of contents whose every entry is a heading of the page', () => {
    const contents = docSection('README.md', 'Contents');
    const entries = [...contents.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]);
    expect(entries.length).toBeGreaterThan(5);
    for (const entry of entries) expect([entry, anchors(readme).has(entry)]).toEqual([entry, true]);
  });

  it('links to every page of docs/', () => {
    for (const page of docPages().filter((p) => /^docs\/[^/]+\.md$/.test(p))) expect([page, readme.includes(`](${page})`)]).toEqual([page, true]);
  });
});

it('docSection fails loudly when a heading is not on its page', () => {
  expect(() => docSection('README.md', 'No such heading')).toThrow(/README.md has no heading "No such heading"; its headings: session-recovery \|/);
});
